#!/usr/bin/env bash
# Paired runs of settings: one three-node Muster cluster per variant, all up at once (on 9081-9083,
# 9181-9183, ...), warmed up and then measured in turn, round after round, so that drift of this shared
# machine hits every variant alike. Puts of one key through each cluster's leader (hey); each line is one
# measured interval: req/s, p50 and p99 in ms, and the CPU each cluster's three processes spent per 1,000
# puts (user + system, from /proc/<pid>/stat). Compare variants within a round, not across rounds.
#
#   VARIANTS="|--muster.raft.ratis.[raft.grpc.server.leader.outstanding.appends.max]=8" bench/ab.sh
#
# VARIANTS: settings per variant, separated by '|' (an empty one is the build as it is); words starting
# with -D or -XX go to the JVM, the rest to Muster. CONC: the concurrency of each round (default
# "64 64 64 1 1 1"); DURATION: seconds per interval (10); WARMROUNDS: 25 s warm-up rounds at c=64 (5);
# SIZE: the value's bytes (64). About 2 minutes per variant to start, then 25 s x WARMROUNDS and
# DURATION x rounds per variant.
set -euo pipefail
VARIANTS=${VARIANTS:-}
CONC=${CONC:-64 64 64 1 1 1}
DURATION=${DURATION:-10}
WARMROUNDS=${WARMROUNDS:-5}
SIZE=${SIZE:-64}
source "$(dirname "$0")/lib.sh"
BASEARGS="$MUSTER_ARGS"; BASEJAVA="$JAVA_OPTS"
CLK_TCK=$(getconf CLK_TCK)
head -c "$SIZE" /dev/zero | tr '\0' 'v' > "$STATE/value"

IFS='|' read -r -a VS <<<"$VARIANTS"
[ ${#VS[@]} -gt 0 ] || VS=("")
NAMES=()
stop_all() {
  local name
  for name in "${NAMES[@]}"; do STATE="$STATE/$name" scripts/local-cluster.sh stop >/dev/null 2>&1 || true; done
  rm -rf "$STATE"
}
trap stop_all EXIT

start_variant() { # name http-base settings
  local jvm="" app="" word
  for word in $3; do case $word in -D*|-XX*) jvm+=" $word" ;; *) app+=" $word" ;; esac; done
  mkdir -p "$STATE/$1"; cp "$STATE/admin.token" "$STATE/$1/"
  STATE="$STATE/$1" HTTP_BASE=$2 RAFT_BASE=$(( $2 - 10 )) MUSTER_ARGS="$BASEARGS$app" JAVA_OPTS="$BASEJAVA$jvm" \
    scripts/local-cluster.sh start 3 >/dev/null
}
leader_of() { # http-base: the leader's number as node 1 sees it, empty while there is none
  curl -H "$AUTH" -s --max-time 1 "http://127.0.0.1:$(( $1 + 1 ))/v1/cluster" | sed -nE 's/.*"leaderId":"n([0-9])".*/\1/p'
}

declare -A PORT
for k in "${!VS[@]}"; do
  name=$(printf "\\x$(printf %x $(( 65 + k )))")
  NAMES+=("$name")
  start_variant "$name" $(( 9080 + 100 * k )) "${VS[$k]}"
done
for k in "${!NAMES[@]}"; do
  leader=""
  for _ in $(seq 1 120); do leader=$(leader_of $(( 9080 + 100 * k ))) || true; [ -n "$leader" ] && break; sleep 0.5; done
  [ -n "$leader" ] || { echo "no leader in variant ${NAMES[$k]} after 60 s" >&2; exit 1; }
  PORT[${NAMES[$k]}]=$(( 9080 + 100 * k + leader ))
done

put() { # port concurrency seconds
  hey -H "$AUTH" -z "$3s" -c "$2" -m PUT -T text/plain -D "$STATE/value" "http://127.0.0.1:$1/v1/kv/bench/key"
}
pids() { echo "$(cat "$STATE/$1/n1/pid") $(cat "$STATE/$1/n2/pid") $(cat "$STATE/$1/n3/pid")"; }

for _ in $(seq 1 "$WARMROUNDS"); do for name in "${NAMES[@]}"; do put "${PORT[$name]}" 64 25 >/dev/null; done; done
for name in "${NAMES[@]}"; do put "${PORT[$name]}" 1 5 >/dev/null; done

for k in "${!NAMES[@]}"; do echo "${NAMES[$k]}: [${VS[$k]}]"; done
printf "%-4s %4s %8s %8s %8s %8s\n" "" conc "puts/s" "p50 ms" "p99 ms" "cpu/1k"
for c in $CONC; do
  for name in "${NAMES[@]}"; do
    # shellcheck disable=SC2046 # pids prints three words
    before=$(cpu_ticks $(pids "$name"))
    report=$(put "${PORT[$name]}" "$c" "$DURATION")
    # shellcheck disable=SC2046
    after=$(cpu_ticks $(pids "$name"))
    ops=$(responses <<<"$report")
    read -r rps p50 p99 err < <(figures <<<"$report")
    cpu=$(awk -v t=$(( after - before )) -v hz="$CLK_TCK" -v n="$ops" 'BEGIN {printf "%.0f", (n > 0 ? t * 1000 / hz / n * 1000 : 0)}')
    printf "%-4s %4s %8s %8s %8s %8s%s\n" "$name" "$c" "$rps" "$p50" "$p99" "$cpu" "$([ "$err" != 0 ] && echo "  non-2xx: $err")"
  done
done
