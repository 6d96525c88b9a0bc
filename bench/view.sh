#!/usr/bin/env bash
# Muster's H2 view figures on one node (the view is per node: its lag and its reads are local):
# view lag under a sustained write rate, projector throughput, and search and history latencies over
# ENTRIES entries. Bounded: about 4 minutes. Ports 9081/9071, data in a temporary directory; the node
# is stopped by its PID at the end.
#
#   bench/view.sh            RATE (writes/s, default 3000) and ENTRIES (default 100000) may be set
set -euo pipefail
RATE=${RATE:-3000}
ENTRIES=${ENTRIES:-100000}
JAVA_OPTS=${JAVA_OPTS-"-XX:+UseSerialGC -Xmx1g -XX:CICompilerCount=2"}
source "$(dirname "$0")/lib.sh"

N=http://127.0.0.1:9081
scripts/local-cluster.sh start 1 >/dev/null
until curl -H "$AUTH" -s "$N/v1/cluster" | grep -q '"role":"LEADER"'; do sleep 0.2; done

# p99 (ms) of a Prometheus histogram between two scrapes: the smallest bucket holding 99 % of the
# observations made in between.
p99() { # name before after
  awk -v name="$1" '
    FNR == 1 { file++ }
    $0 ~ "^" name "_bucket" {
      match($0, /le="[^"]+"/); le = substr($0, RSTART + 4, RLENGTH - 5)
      if (file == 1) before[le] = $NF; else { after[le] = $NF; order[++n] = le }
    }
    END {
      total = after["+Inf"] - before["+Inf"]
      for (i = 1; i <= n; i++) {
        le = order[i]
        if (after[le] - before[le] >= 0.99 * total) { printf "%.1f", le * 1000; exit }
      }
    }' "$2" "$3"
}
counter() { awk -v name="$1" '$0 ~ "^" name "[{ ]" {print $NF}' "$2"; }

echo "== view lag at $RATE writes/s (64-byte values, one node) =="
V=$(printf '%064d' 0)
hey -H "$AUTH" -z 20s -c 32 -m PUT -T text/plain -d "$V" "$N/v1/kv/bench/warmup" >/dev/null   # JIT warm-up
curl -H "$AUTH" -s "$N/actuator/prometheus" > "$STATE/before"
workers=30
out=$(hey -H "$AUTH" -z 20s -c $workers -q $(( RATE / workers )) -m PUT -T text/plain -d "$V" "$N/v1/kv/bench/lag")
curl -H "$AUTH" -s "$N/actuator/prometheus" > "$STATE/after"
rps=$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out")
events=$(awk -v b="$(counter muster_view_events_total "$STATE/before")" -v a="$(counter muster_view_events_total "$STATE/after")" 'BEGIN {printf "%.0f", a - b}')
echo "writes/s achieved: $rps; entries projected: $events"
echo "view lag p99: $(p99 muster_view_lag_seconds "$STATE/before" "$STATE/after") ms (histogram bucket bound)"

echo
echo "== projector throughput: transactions of 100 puts of 100 bytes, 4 clients, 15 s =="
ops=""
for i in $(seq 0 99); do ops+="${ops:+,}{\"op\":\"put\",\"key\":\"bulk/entry-$i\",\"value\":\"$(printf '%0100d' "$i")\"}"; done
printf '{"then":[%s]}' "$ops" > "$STATE/txn.json"
curl -H "$AUTH" -s "$N/actuator/prometheus" > "$STATE/before"
out=$(hey -H "$AUTH" -z 15s -c 4 -m POST -T application/json -D "$STATE/txn.json" "$N/v1/txn")
curl -H "$AUTH" -s "$N/actuator/prometheus" > "$STATE/after"
tps=$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out")
echo "transactions/s: $tps, so $((tps * 100)) key changes/s into the view; view lag p99: $(p99 muster_view_lag_seconds "$STATE/before" "$STATE/after") ms"

echo
echo "== $ENTRIES entries of 100 bytes: rebuild, search and history =="
bench/load-entries.sh "$N" "$ENTRIES" "$STATE"
curl -H "$AUTH" -s -X POST "$N/v1/cluster/snapshot" >/dev/null
# A rebuild projects the whole state at once: restart the node and read its log line.
scripts/local-cluster.sh stop >/dev/null
scripts/local-cluster.sh start 1 >/dev/null
until [ "$(curl -H "$AUTH" -s -o /dev/null -w '%{http_code}' "$N/actuator/health/readiness")" = 200 ]; do sleep 0.2; done
grep -h "H2 view rebuilt" "$STATE/n1/node.log" | tail -n 1 | sed -E 's/.*(H2 view rebuilt.*)/projector: \1/'
for i in $(seq 1 10); do
  curl -H "$AUTH" -s -o /dev/null -X PUT "$N/v1/kv/hist/key" -H 'Content-Type: text/plain' --data "version $i"
done
hey -H "$AUTH" -z 5s -c 8 "$N/v1/search?prefix=load/entry-5&limit=100" >/dev/null   # warm-up
printf "%-62s %4s %9s %8s %8s\n" "read, 10 s each" "conc" "req/s" "p50 ms" "p99 ms"
for url in "/v1/search?prefix=load/entry-5&limit=100" "/v1/search?prefix=load/entry-54321" \
           "/v1/search?prefix=load/&valueContains=0000054321&limit=10" "/v1/history/hist/key"; do
  for c in 1 8; do
    printf "%-62s %4s %s\n" "GET $url" "$c" "$(hey -H "$AUTH" -z 10s -c $c "$N$url" | awk '/Requests\/sec/ {r=$2} /50% in/ {p=$3*1000} /99% in/ {q=$3*1000} END {printf "%9.0f %8.2f %8.2f", r, p, q}')"
  done
done
