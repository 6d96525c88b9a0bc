#!/usr/bin/env bash
# Configuration releases on a three-node cluster (issue 22), its two targets:
#  1. publishing a release of 32 documents (config/bench-app/p00..p31, 20 properties each), p99 from the
#     request to its acknowledgement. One request at a time through the leader (bench/ReleaseLoad.java):
#     each round drafts a release (not timed), then times its publish, a PUT of one of those documents
#     and a transaction of 32 puts of all of them (the nearest equivalent of a publish). Prints p50, p99,
#     max and mean per kind of write; the server's share of the mean (Spring's http.server.requests) and
#     Raft's (muster.raft.proposal, proposed to applied; and the apply alone); and the leader's CPU time
#     per write (from /proc, over the request and 20 ms after it, the leader's idle rate taken off), with
#     the share of its JIT compiler threads, which still compile minutes into a run.
#  2. a gray-aware GET /config/bench-app/dev on a follower against a plain one, at 64 clients (`hey`,
#     the documents and reader token of bench/config-server.sh): (a) nothing in gray, (b) a release of
#     config/bench-app/default in gray for labels track=canary and callers sending
#     X-Muster-Labels: track=canary (served gray), (c) the same release in gray and callers without
#     the label (served as usual). The follower's CPU per answer (from /proc, the figure machine noise
#     moves least) of (b) and (c) over (a) is the target. The machine drifts by more than 10 % within
#     minutes, so the kinds take turns in short slices: GRAY_ROUNDS rounds of SLICE seconds each of a, b
#     and c (c, b, a in even rounds; a new gray release each round, abandoned after it). Prints per round
#     each kind's answers/s and CPU per answer and the round's ratios (also without the JIT compiler's
#     threads); then the ratios of CPU per answer pooled over all rounds, the median and range of the
#     rounds' ratios, and each kind's answers/s and median p99.
# Both parts say how busy the machine was outside the cluster and the load generator ("others"): a build
# or a test run of someone else's then, and the figures beside it mean less. (A busy host underneath this
# virtual machine does not show there; it moves CPU per answer too.)
# Bounded: about 7 minutes. Ports 9081-9083/9071-9073; nodes stopped by PID.
#
#   bench/releases.sh                      200 rounds of writes (at most 120 s) after 200 of warm-up;
#                                          3 s slices, 10 rounds after 30 s and 3 rounds of warm-up
#   COUNT=100 WRITE_SECONDS=60 SLICE=5 GRAY_ROUNDS=20 bench/releases.sh
set -euo pipefail
COUNT=${COUNT:-200}
WRITE_SECONDS=${WRITE_SECONDS:-120}
WRITE_WARMUP=${WRITE_WARMUP:-200}
SETTLE_MS=${SETTLE_MS:-20}
SLICE=${SLICE:-3}
WARMUP=${WARMUP:-30}
GRAY_ROUNDS=${GRAY_ROUNDS:-10}
GRAY_WARMUP=${GRAY_WARMUP:-3}
for port in 9081 9082 9083 9071 9072 9073; do
  if ss -ltn | awk '{print $4}' | grep -q ":$port\$"; then
    echo "port $port is in use: another cluster runs" >&2; exit 1
  fi
done
source "$(dirname "$0")/lib.sh"

scripts/local-cluster.sh start 3 >/dev/null
ML=$(await Muster muster_leader); MF=$(( ML % 3 + 1 ))
LEADER="http://127.0.0.1:908$ML"; FOLLOWER="http://127.0.0.1:908$MF"
LPID=$(cat "$STATE/n$ML/pid"); FPID=$(cat "$STATE/n$MF/pid")
TICK=$(getconf CLK_TCK)
# What else ran on the machine meanwhile: CPU time outside the three nodes and the load generator, as a share
# of all cores. Another build or test run on the same machine shows here, and the figures beside it mean less.
busy() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
nodes_cpu() { cat "$STATE"/n[123]/pid | while read -r pid; do awk '{print $14 + $15}' "/proc/$pid/stat"; done \
  | awk '{t += $1} END {print t}'; }
others() { # command...: runs it, its output in $STATE/out; prints the others' share of the machine in %
  local busy0 nodes0 start own
  busy0=$(busy); nodes0=$(nodes_cpu); start=$(date +%s%N)
  own=$( ( "$@" > "$STATE/out" || touch "$STATE/failed"; times ) | awk -v hz="$TICK" \
    'NR == 2 {for (i = 1; i <= 2; i++) {split($i, p, /[ms]/); t += p[1] * 60 + p[2]}; printf "%.0f", t * hz}')
  [ ! -e "$STATE/failed" ] || { cat "$STATE/out" >&2; echo "failed: $*" >&2; exit 1; }
  awk -v b="$(( $(busy) - busy0 ))" -v n="$(( $(nodes_cpu) - nodes0 ))" -v own="$own" -v hz="$TICK" \
    -v s="$(( $(date +%s%N) - start ))" -v cpus="$(nproc)" \
    'BEGIN {o = (b - n - own) / (s / 1e9 * hz * cpus) * 100; printf "%.0f", o < 0 ? 0 : o}'
}
# Releases need the cluster version of this build, which the leader raises once every member says so.
version_raised() {
  local node
  for node in "$LEADER" "$FOLLOWER"; do
    curl -H "$AUTH" -s --max-time 1 "$node/v1/cluster/version" \
      | grep -qE '"clusterVersion":([0-9]+),"supported":\1[,}]' || return 0
  done
  echo raised
}
await "cluster version" version_raised >/dev/null
echo "leader n$ML (pid $LPID), follower n$MF (pid $FPID); cluster version $(curl -H "$AUTH" -s \
  "$LEADER/v1/cluster/version" | sed -nE 's/.*"clusterVersion":([0-9]+).*/\1/p')"

echo "== 1. publish a release of 32 documents, one at a time through the leader =="
# The JIT first: 30 s of PUTs of a document of the same size, 16 at a time, then WRITE_WARMUP rounds (at most
# 60 s) not counted. A cold cluster's writes cost two to three times the CPU of warm ones.
{ printf 'bench:\n  warm:\n'; for i in $(seq 1 20); do printf '    key%02d: value-warm-%02d\n' "$i" "$i"; done; } \
  > "$STATE/warm.yml"
hey -z 30s -c 16 -m PUT -T application/yaml -H "$AUTH" -D "$STATE/warm.yml" "$LEADER/v1/kv/config/bench-app/warm" \
  >/dev/null
busy_elsewhere=$(others java bench/ReleaseLoad.java writes "$LEADER" "$LPID" "$TICK" "$COUNT" "$WRITE_SECONDS" \
  "$WRITE_WARMUP" "$SETTLE_MS")
cat "$STATE/out"
echo "meanwhile, the machine was $busy_elsewhere % busy outside the cluster and the client"

echo "== 2. GET /config/bench-app/dev on follower n$MF, 64 clients, gray against plain =="
# The documents of bench/config-server.sh: 200 properties across bench-app's and the shared ones, 170 of
# them in the four sources of bench-app/dev.
put_document() { # key count prefix: a YAML document of COUNT properties under PREFIX
  local i
  { printf '%s:\n' "$3"; for i in $(seq 1 "$2"); do printf '  key%03d: value-%s-%03d\n' "$i" "$3" "$i"; done; } \
    > "$STATE/doc"
  curl -sf -o /dev/null -H "$AUTH" -X PUT "$LEADER/v1/kv/$1" -H 'Content-Type: application/yaml' \
    --data-binary "@$STATE/doc"
}
put_document config/bench-app/default 100 bench
put_document config/bench-app/dev 40 dev
put_document config/bench-app/eu 30 eu
put_document config/application/default 20 shared
put_document config/application/dev 10 shareddev
SECRET=$(curl -sf -H "$AUTH" -X POST "$LEADER/v1/auth/tokens" -H 'Content-Type: application/json' \
  --data '{"name":"bench-app","roles":["reader"],"prefixes":["config/bench-app/","config/application/"]}' \
  | sed -nE 's/.*"secret":"([^"]+)".*/\1/p')
URL="$FOLLOWER/config/bench-app/dev"
CANARY="X-Muster-Labels: track=canary"
answer() { curl -s -H "X-Config-Token: $SECRET" "$@" "$URL"; }
await_answer() { # pattern [curl option...]: at most 10 s until the follower's answer holds PATTERN
  local pattern=$1
  shift
  for _ in $(seq 1 50); do
    answer "$@" | grep -q "$pattern" && return
    sleep 0.2
  done
  echo "the follower's answer holds no $pattern" >&2; exit 1
}
await_answer '"bench\.key100"'
echo "GET $URL: $(answer | grep -o '"[a-z]*\.key[0-9]*"' | wc -l) properties in 4 sources, $(answer | wc -c) bytes"

follower_cpu() { # "all jit": the follower's CPU ticks, and those of its JIT compiler threads among them
  local jit=0 thread
  for thread in /proc/"$FPID"/task/*; do
    if [[ "$(cat "$thread/comm" 2>/dev/null)" == *CompilerThre* ]]; then
      jit=$(( jit + $(awk '{print $14 + $15}' "$thread/stat" 2>/dev/null || echo 0) ))
    fi
  done
  echo "$(awk '{print $14 + $15}' "/proc/$FPID/stat") $jit"
}
measure() { # round kind header...: appends "round kind answers/s p50 p99 non-2xx others% ticks answers jit-ticks"
  local round=$1 kind=$2 cpu0 jit0 cpu1 jit1 rps p50 p99 err busy
  shift 2
  local headers=(-H "X-Config-Token: $SECRET")
  for header in "$@"; do headers+=(-H "$header"); done
  read -r cpu0 jit0 < <(follower_cpu)
  busy=$(others hey -z "${SLICE}s" -c 64 "${headers[@]}" "$URL")
  read -r cpu1 jit1 < <(follower_cpu)
  read -r rps p50 p99 err < <(figures < "$STATE/out")
  if [ "$round" -gt 0 ]; then
    echo "$round $kind $rps $p50 $p99 $err $busy $(( cpu1 - cpu0 )) $(( rps * SLICE )) $(( jit1 - jit0 ))" \
      >> "$STATE/rows"
  fi
}
gray_on() { # a new release of config/bench-app/default in gray for track=canary, once the follower serves it
  id=$(java bench/ReleaseLoad.java gray "$LEADER")
  await_answer '"gray-bench-100"' -H "$CANARY"
  if answer | grep -q 'gray-bench-'; then echo "a caller without the label is served gray" >&2; exit 1; fi
}
gray_off() { # abandons it, once the follower no longer serves it
  curl -sf -o /dev/null -H "$AUTH" -X POST "$LEADER/v1/releases/$id/abandon"
  await_answer '"value-bench-100"' -H "$CANARY"
}
# One line per round: each kind's answers/s and CPU us per answer, the round's ratios with and without the
# JIT compiler's threads, and the most the machine was busy elsewhere during it.
round_line() {
  awk -v r="$1" -v hz="$TICK" '$1 == r {rps[$2] = $3; cpu[$2] = $8 / hz * 1e6 / $9; own[$2] = ($8 - $10) / $9
                                        if ($7 > busy) busy = $7; if ($6 > 0) err = err " " $2 ":" $6}
    END {printf "%5d | %7d %5.0f | %7d %5.0f | %7d %5.0f | %5.2f %5.2f | %5.2f %5.2f | %5d%s\n", r,
           rps["a"], cpu["a"], rps["b"], cpu["b"], rps["c"], cpu["c"], cpu["b"] / cpu["a"], cpu["c"] / cpu["a"],
           own["b"] / own["a"], own["c"] / own["a"], busy, err == "" ? "" : "  non-2xx" err}' "$STATE/rows"
}
hey -z "${WARMUP}s" -c 64 -H "X-Config-Token: $SECRET" "$URL" >/dev/null
echo "64 clients, $SLICE s per kind: (a) nothing in gray, (b) gray, canary callers, (c) gray, other callers;" \
  "$GRAY_WARMUP rounds of warm-up first"
printf "%5s | %7s %5s | %7s %5s | %7s %5s | %11s | %11s | %s\n" round "(a) a/s" "us/a" "(b) a/s" "us/a" "(c) a/s" \
  "us/a" "b/a   c/a" "no JIT: b/a   c/a" "others %"
# Odd rounds measure a, b, c and even rounds c, b, a, so that a drift of the machine (or of the JIT) over
# a round weighs on both sides of the ratios alike. The first GRAY_WARMUP rounds are not counted: the JIT
# compiles the gray paths, and recompiles what a gray release coming and going deoptimised, over several.
: > "$STATE/rows"
for round in $(seq $(( 1 - GRAY_WARMUP )) "$GRAY_ROUNDS"); do
  if [ $(( (round + GRAY_WARMUP) % 2 )) = 1 ]; then
    measure "$round" a
    gray_on
    measure "$round" b "$CANARY"
    measure "$round" c
    gray_off
  else
    gray_on
    measure "$round" c
    measure "$round" b "$CANARY"
    gray_off
    measure "$round" a
  fi
  [ "$round" -le 0 ] || round_line "$round"
done
# Over all rounds: CPU per answer pooled (all ticks over all answers of a kind), and the rounds' ratios.
awk -v hz="$TICK" '{ticks[$2] += $8; answers[$2] += $9; jit[$2] += $10; rps[$2] += $3; n[$2]++
                    round[$1, $2] = $8 / $9; p99[$2, n[$2]] = $5}
  END {for (r = 1; (r, "a") in round; r++) {rb[r] = round[r, "b"] / round[r, "a"]
                                             rc[r] = round[r, "c"] / round[r, "a"]}
       rounds = r - 1; sort(rb, rounds); sort(rc, rounds)
       for (k in ticks) {cpu[k] = ticks[k] / hz * 1e6 / answers[k]; own[k] = (ticks[k] - jit[k]) / hz * 1e6 / answers[k]
                         for (i = 1; i <= n[k]; i++) q[i] = p99[k, i]; sort(q, n[k]); p[k] = median(q, n[k])}
       printf "all %d rounds: CPU us per answer (a) %.1f, (b) %.1f, (c) %.1f (the JIT compiler %.1f, %.1f, %.1f);\n",
         rounds, cpu["a"], cpu["b"], cpu["c"], cpu["a"] - own["a"], cpu["b"] - own["b"], cpu["c"] - own["c"]
       printf "  answers/s (a) %.0f, (b) %.0f, (c) %.0f; median p99 (a) %.1f, (b) %.1f, (c) %.1f ms\n",
         rps["a"] / n["a"], rps["b"] / n["b"], rps["c"] / n["c"], p["a"], p["b"], p["c"]
       printf "(b)/(a) %.3f pooled (%.3f without the JIT), median of rounds %.2f (%.2f-%.2f)\n",
         cpu["b"] / cpu["a"], own["b"] / own["a"], median(rb, rounds), rb[1], rb[rounds]
       printf "(c)/(a) %.3f pooled (%.3f without the JIT), median of rounds %.2f (%.2f-%.2f)\n",
         cpu["c"] / cpu["a"], own["c"] / own["a"], median(rc, rounds), rc[1], rc[rounds]}
  function sort(v, n,  i, j, x) { # insertion sort of v[1..n]: mawk has no asort
    for (i = 2; i <= n; i++) {x = v[i]; for (j = i - 1; j >= 1 && v[j] > x; j--) v[j + 1] = v[j]; v[j + 1] = x}
  }
  function median(v, n) {return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2}' "$STATE/rows"
echo "leader at the end: n$(muster_leader) (was n$ML)"
