#!/usr/bin/env bash
# Spring Cloud Config Server protocol: GET /config/{app}/{profiles} on a follower of a three-node
# cluster, as stock clients ask it (the secret in X-Config-Token, a reader token confined to the app's
# documents), side by side with a stock Spring Cloud Config Server (bench/peer-config-server, native
# backend: the same documents as files) on the same machine in the same run. The app has two profiles
# and 200 properties in all across its documents and the shared ones. Prints answers/s, p50 and p99 per
# concurrency for both, and each server's CPU time per answer (from /proc, the figure machine noise
# moves least). Muster checks a token on every request; the peer runs without security, as it does
# by default.
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
put_document() { # key count prefix file: a YAML document of COUNT properties under PREFIX, and the peer's FILE of it
  local i
  { printf '%s:\n' "$3"; for i in $(seq 1 "$2"); do printf '  key%03d: value-%s-%03d\n' "$i" "$3" "$i"; done; } \
    > "$STATE/doc"
  curl -sf -o /dev/null -H "$AUTH" -X PUT "$LEADER/v1/kv/$1" -H 'Content-Type: application/yaml' --data-binary "@$STATE/doc"
  cp "$STATE/doc" "$STATE/peer/$4"   # the peer's file of the same document
}
mkdir -p "$STATE/peer"
put_document config/bench-app/default 100 bench bench-app.yml
put_document config/bench-app/dev 40 dev bench-app-dev.yml
put_document config/bench-app/eu 30 eu bench-app-eu.yml
put_document config/application/default 20 shared application.yml
put_document config/application/dev 10 shareddev application-dev.yml
SECRET=$(curl -sf -H "$AUTH" -X POST "$LEADER/v1/auth/tokens" -H 'Content-Type: application/json' \
  --data '{"name":"bench-app","roles":["reader"],"prefixes":["config/bench-app/","config/application/"]}' \
  | sed -nE 's/.*"secret":"([^"]+)".*/\1/p')
URL="$FOLLOWER/config/bench-app/dev,eu"
for _ in $(seq 1 50); do
  count=$(curl -s -H "X-Config-Token: $SECRET" "$URL" | grep -o 'key[0-9][0-9][0-9]"' | wc -l || true)
  [ "$count" = 200 ] && break
  sleep 0.2
done
[ "$count" = 200 ] || { echo "the follower serves $count properties, not 200" >&2; exit 1; }
echo "GET $URL: 200 properties in 6 sources, $(curl -s -H "X-Config-Token: $SECRET" "$URL" | wc -c) bytes"

# --- the peer: a stock Spring Cloud Config Server on 127.0.0.1:8888, native backend on those files --------
./mvnw -B -q -ntp -f bench/peer-config-server/pom.xml -DskipTests package
# shellcheck disable=SC2086
java $JAVA_OPTS -jar bench/peer-config-server/target/peer-config-server-0.1.0-SNAPSHOT.jar \
  --server.address=127.0.0.1 --server.port=8888 --spring.main.banner-mode=off --spring.profiles.active=native \
  --spring.cloud.config.server.native.search-locations="file:$STATE/peer/" >"$STATE/peer.log" 2>&1 &
PEER=$!
trap 'kill "$PEER" 2>/dev/null || true; cleanup' EXIT
PEER_URL="http://127.0.0.1:8888/bench-app/dev,eu"
for _ in $(seq 1 120); do
  count=$(curl -s "$PEER_URL" | grep -o 'key[0-9][0-9][0-9]"' | wc -l || true)
  [ "$count" = 200 ] && break
  sleep 0.5
done
[ "$count" = 200 ] || { echo "the peer serves $count properties, not 200 (see $STATE/peer.log)" >&2; exit 1; }
echo "peer: GET $PEER_URL: 200 properties, $(curl -s "$PEER_URL" | wc -c) bytes"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
measure() { # pid concurrency url [header]: "answers/s p50 p99 errors cpu-us-per-answer"
  local before after rps p50 p99 err
  before=$(cpu_ticks "$1")
  if [ -n "${4:-}" ]; then
    read -r rps p50 p99 err < <(hey -z "${DURATION}s" -c "$2" -H "$4" "$3" | figures)
  else
    read -r rps p50 p99 err < <(hey -z "${DURATION}s" -c "$2" "$3" | figures)
  fi
  after=$(cpu_ticks "$1")
  echo "$rps $p50 $p99 $err $(awk -v t="$(( after - before ))" -v hz="$TICK" -v n="$rps" -v d="$DURATION" \
    'BEGIN {if (n > 0) printf "%.0f", t / hz * 1e6 / (n * d); else print "-"}')"
}
TICK=$(getconf CLK_TCK)
MPID=$(cat "$STATE/n$MF/pid")
hey -z "${WARMUP}s" -c 64 -H "X-Config-Token: $SECRET" "$URL" >/dev/null
hey -z "${WARMUP}s" -c 64 "$PEER_URL" >/dev/null
printf "%5s | %9s %7s %7s %9s | %9s %7s %7s %9s | %6s %s\n" conc "Muster/s" "p50 ms" "p99 ms" "CPU us/a" \
  "peer/s" "p50 ms" "p99 ms" "CPU us/a" ratio errors
for c in $CONCURRENCY; do
  read -r m_rps m_p50 m_p99 m_err m_cpu < <(measure "$MPID" "$c" "$URL" "X-Config-Token: $SECRET")
  read -r p_rps p_p50 p_p99 p_err p_cpu < <(measure "$PEER" "$c" "$PEER_URL")
  ratio=$(awk -v m="$m_rps" -v p="$p_rps" 'BEGIN {if (p > 0) printf "%.2f", m / p; else print "-"}')
  errors=""
  [ "$m_err" != 0 ] && errors+=" Muster non-2xx: $m_err"
  [ "$p_err" != 0 ] && errors+=" peer non-2xx: $p_err"
  printf "%5s | %9s %7s %7s %9s | %9s %7s %7s %9s | %6s%s\n" "$c" "$m_rps" "$m_p50" "$m_p99" "$m_cpu" \
    "$p_rps" "$p_p50" "$p_p99" "$p_cpu" "$ratio" "$errors"
done
