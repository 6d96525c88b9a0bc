#!/usr/bin/env bash
# Muster's benchmark harness: real processes on loopback, load from `hey` (Debian package), figures
# printed as a table. Bounded: a 30 s warm-up, each load for DURATION seconds; ~4 minutes in all.
#
#   bench/run.sh            3-node put/get figures and the 100k-entry restart figure
#
# It starts its own nodes (ports 9081-9083 and 9071-9073, data under a temporary directory) and stops
# them, by PID, when it ends.
set -euo pipefail
DURATION=${DURATION:-10}
ENTRIES=${ENTRIES:-100000}
source "$(dirname "$0")/lib.sh"

VALUE64=$(printf '%064d' 0)

# hey's summary -> "req/s p50_ms p99_ms errors"
figures() {
  awk '/Requests\/sec/ {rps=$2}
       /50% in/ {p50=$3*1000} /99% in/ {p99=$3*1000}
       /^ *\[[0-9]+\]/ {code=$1; gsub(/[\[\]]/,"",code); if (code !~ /^2/) err+=$2}
       END {printf "%9.0f %8.2f %8.2f %6d\n", rps, p50, p99, err+0}'
}

run() { # name concurrency method url
  local name=$1 concurrency=$2 method=$3 url=$4 out
  if [ "$method" = PUT ]; then
    out=$(hey -H "$AUTH" -z "${DURATION}s" -c "$concurrency" -m PUT -T text/plain -d "$VALUE64" "$url")
  else
    out=$(hey -H "$AUTH" -z "${DURATION}s" -c "$concurrency" "$url")
  fi
  printf "%-44s %4s %s\n" "$name" "$concurrency" "$(figures <<<"$out")"
}

echo "== 3-node cluster on loopback =="
scripts/local-cluster.sh start 3 >/dev/null
leader=""
for _ in $(seq 1 120); do   # at most 60 s for the first election
  leader=$(curl -H "$AUTH" -s http://127.0.0.1:9081/v1/cluster | sed -nE 's/.*"leaderId":"n([0-9])".*/\1/p')
  [ -n "$leader" ] && break
  sleep 0.5
done
[ -n "$leader" ] || { echo "no leader elected" >&2; exit 1; }
follower=$(( leader % 3 + 1 ))
L=http://127.0.0.1:$((9080 + leader)); F=http://127.0.0.1:$((9080 + follower))
curl -H "$AUTH" -s -X PUT "$L/v1/kv/bench/key" -H 'Content-Type: text/plain' --data "$VALUE64" >/dev/null
# JIT warm-up: the JVMs compile the hot paths for ~30 s after start; measure after that.
hey -H "$AUTH" -z "${WARMUP:-30}s" -c 32 -m PUT -T text/plain -d "$VALUE64" "$L/v1/kv/bench/warmup" >/dev/null
hey -H "$AUTH" -z 5s -c 32 "$F/v1/kv/bench/key" >/dev/null

printf "%-44s %4s %9s %8s %8s %6s\n" "workload (64-byte values)" "conc" "req/s" "p50 ms" "p99 ms" "errors"
run "put, to the leader" 1 PUT "$L/v1/kv/bench/key"
run "put, to the leader" 64 PUT "$L/v1/kv/bench/key"
run "put, to a follower" 64 PUT "$F/v1/kv/bench/key"
run "get linearizable, on the leader" 64 GET "$L/v1/kv/bench/key"
run "get linearizable, on a follower" 64 GET "$F/v1/kv/bench/key"
run "get stale, on a follower" 64 GET "$F/v1/kv/bench/key?consistency=stale"
scripts/local-cluster.sh stop >/dev/null

echo
echo "== restart of a node holding $ENTRIES entries of 100 bytes =="
rm -rf "$STATE"/n*
scripts/local-cluster.sh start 1 >/dev/null
N=http://127.0.0.1:9081
until curl -H "$AUTH" -s "$N/v1/cluster" | grep -q '"role":"LEADER"'; do sleep 0.2; done
bench/load-entries.sh "$N" "$ENTRIES" "$STATE"
applied=$(curl -H "$AUTH" -s "$N/v1/cluster" | sed -E 's/.*"appliedIndex":([0-9]+).*/\1/')
scripts/local-cluster.sh stop >/dev/null
ls -la "$STATE/n1/raft"/*/sm/ | awk '/snapshot\.[0-9_]+$/ {print "snapshot file: " $NF ", " $5 " bytes"}'
begin=$(date +%s%N)
scripts/local-cluster.sh start 1 >/dev/null
until curl -H "$AUTH" -s "$N/v1/cluster" 2>/dev/null | grep -q "\"appliedIndex\":$applied"; do sleep 0.05; done
end=$(date +%s%N)
seconds=$(awk -v b="$begin" -v e="$end" 'BEGIN {printf "%.2f", (e - b) / 1e9}')
entries=$(curl -H "$AUTH" -s "$N/v1/kv?prefix=load/&limit=1000&consistency=stale" | grep -o '"key"' | wc -l)
echo "restart to serving (JVM and Spring start, snapshot load, log replay): $seconds s"
grep -h "state loaded from snapshot" "$STATE/n1/node.log" | tail -n 1 | sed -E 's/.*(state loaded.*)/\1/'
echo "first page after restart: $entries entries"
