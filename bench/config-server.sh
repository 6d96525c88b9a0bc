#!/usr/bin/env bash
# Spring Cloud Config Server protocol: GET /config/{app}/{profiles} on a follower of a three-node
# cluster, as stock clients ask it (the secret in X-Config-Token, a reader token confined to the app's
# documents). The app has two profiles and 200 properties in all across its documents and the shared
# ones. Prints answers/s, p50 and p99 per concurrency, and the follower's CPU time per answer (from
# /proc, the figure machine noise moves least).
#
#   bench/config-server.sh                         c=16 and 64, 10 s each, after 30 s of warm-up
#   DURATION=20 CONCURRENCY="64" bench/config-server.sh
set -euo pipefail
DURATION=${DURATION:-10}
CONCURRENCY=${CONCURRENCY:-16 64}
WARMUP=${WARMUP:-30}
source "$(dirname "$0")/lib.sh"

scripts/local-cluster.sh start 3 >/dev/null
ML=$(await Muster muster_leader); MF=$(( ML % 3 + 1 ))
LEADER="http://127.0.0.1:908$ML"; FOLLOWER="http://127.0.0.1:908$MF"
echo "leader n$ML, follower n$MF (pid $(cat "$STATE/n$MF/pid")) answers"

# 200 properties: base 100, dev 40, eu 30, and the shared documents 30 (base 20, dev 10).
put_document() { # key count prefix: a YAML document of COUNT properties under PREFIX
  local i
  { printf '%s:\n' "$3"; for i in $(seq 1 "$2"); do printf '  key%03d: value-%s-%03d\n' "$i" "$3" "$i"; done; } \
    > "$STATE/doc"
  curl -sf -o /dev/null -H "$AUTH" -X PUT "$LEADER/v1/kv/$1" -H 'Content-Type: application/yaml' --data-binary "@$STATE/doc"
}
put_document config/bench-app/default 100 bench
put_document config/bench-app/dev 40 dev
put_document config/bench-app/eu 30 eu
put_document config/application/default 20 shared
put_document config/application/dev 10 shareddev
SECRET=$(curl -sf -H "$AUTH" -X POST "$LEADER/v1/auth/tokens" -H 'Content-Type: application/json' \
  --data '{"name":"bench-app","roles":["reader"],"prefixes":["config/bench-app/","config/application/"]}' \
  | sed -nE 's/.*"secret":"([^"]+)".*/\1/p')
URL="$FOLLOWER/config/bench-app/dev,eu"
for _ in $(seq 1 50); do
  count=$(curl -s -H "X-Config-Token: $SECRET" "$URL" | grep -o 'key[0-9][0-9][0-9]"' | wc -l)
  [ "$count" = 200 ] && break
  sleep 0.2
done
[ "$count" = 200 ] || { echo "the follower serves $count properties, not 200" >&2; exit 1; }
echo "GET $URL: 200 properties in 6 sources, $(curl -s -H "X-Config-Token: $SECRET" "$URL" | wc -c) bytes"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$(cat "$STATE/n$MF/pid")/stat"; }
hey -z "${WARMUP}s" -c 64 -H "X-Config-Token: $SECRET" "$URL" >/dev/null
TICK=$(getconf CLK_TCK)
printf "%5s | %9s %8s %8s | %14s %s\n" conc "answers/s" "p50 ms" "p99 ms" "CPU us/answer" errors
for c in $CONCURRENCY; do
  before=$(cpu_ticks)
  read -r rps p50 p99 err < <(hey -z "${DURATION}s" -c "$c" -H "X-Config-Token: $SECRET" "$URL" | figures)
  after=$(cpu_ticks)
  cpu=$(awk -v t="$(( after - before ))" -v hz="$TICK" -v n="$rps" -v d="$DURATION" \
    'BEGIN {if (n > 0) printf "%.0f", t / hz * 1e6 / (n * d); else print "-"}')
  printf "%5s | %9s %8s %8s | %14s %s\n" "$c" "$rps" "$p50" "$p99" "$cpu" "$([ "$err" != 0 ] && echo "non-2xx: $err")"
done
