#!/usr/bin/env bash
# Scale figures on a three-node cluster of real processes (each JVM capped at -Xmx2g: a million entries
# do not fit in 1 GiB with the in-memory H2 view, see docs/performance.md):
#   1. ENTRIES entries of 100 bytes: heap after a full GC, snapshot size and time, put latency with and
#      without snapshots being written, and each node's restart until it is ready again;
#   2. INSTANCES registered instances (100 services): heap, and filtered lookups on a follower;
#   3. WATCHERS SSE watchers on a follower receiving 50 writes.
# Bounded: about 12 minutes with the defaults. Ports 9081-9083/9071-9073; nodes stopped by PID.
#
#   bench/scale.sh                    ENTRIES (1000000), INSTANCES (100000), WATCHERS (1000) may be set
#   PARTS="entries" bench/scale.sh    only some of: entries instances watchers
set -euo pipefail
ENTRIES=${ENTRIES:-1000000}
INSTANCES=${INSTANCES:-100000}
WATCHERS=${WATCHERS:-1000}
PARTS=${PARTS:-entries instances watchers}
JAVA_OPTS=${JAVA_OPTS-"-XX:+UseSerialGC -Xmx2g -XX:CICompilerCount=2"}
source "$(dirname "$0")/lib.sh"
BASE_ARGS=$MUSTER_ARGS
URL() { echo "http://127.0.0.1:908$1"; }
pid() { cat "$STATE/n$1/pid"; }
leader() { # the leader's number as the first answering node sees it; empty while there is none
  local i
  for i in 1 2 3; do
    curl -H "$AUTH" -s --max-time 2 "$(URL "$i")/v1/cluster" | sed -nE 's/.*"leaderId":"n([0-9])".*/\1/p' | grep . && return
  done
  return 0
}
heap_mb() { # used heap after a full collection, MB
  jcmd "$(pid "$1")" GC.run >/dev/null
  jstat -gc "$(pid "$1")" | awk 'NR == 2 {printf "%.0f", ($3 + $4 + $6 + $8) / 1024}'
}
metric() { { curl -s "$(URL "$1")/actuator/prometheus" || true; } | awk -v name="$2" '$1 ~ "^" name "({|$)" {print $NF; exit}'; }
ready() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$(URL "$1")/actuator/health/readiness" || true)" = 200 ]; }
raft_up() { { curl -H "$AUTH" -s "$(URL "$1")/actuator/health/readiness" || true; } | grep -q '"reason":"part of a working majority"'; }
puts() { # label seconds: 64-byte puts to the leader, 16 clients
  hey -H "$AUTH" -z "$2s" -c 16 -m PUT -T text/plain -d "$(printf '%064d' 0)" "$(URL "$L")/v1/kv/bench/key" |
    awk -v label="$1" '/Requests\/sec/ {r=$2} /50% in/ {p50=$3*1000} /99% in/ {p99=$3*1000} /99.9% in/ {p999=$3*1000}
      /Slowest/ {max=$2*1000}
      END {printf "%-36s %6.0f puts/s  p50 %6.2f ms  p99 %7.2f ms  max %7.1f ms\n", label, r, p50, p99, max}'
}

part() { [[ " $PARTS " == *" $1 "* ]]; }

if part entries; then
echo "== $ENTRIES entries of 100 bytes (three nodes, $(sed -nE "s/.*(-Xmx[0-9a-z]+).*/\\1/p" <<<"$JAVA_OPTS") each) =="
# No automatic snapshots yet: the load and the first latency figures run without any.
MUSTER_ARGS="$BASE_ARGS --muster.raft.snapshot-threshold=1000000000" scripts/local-cluster.sh start 3 >/dev/null
until [ -n "$(leader)" ] && ready 1 && ready 2 && ready 3; do sleep 0.5; done
L=$(leader); F=$(( L % 3 + 1 ))
begin=$(date +%s)
bench/load-entries.sh "$(URL "$L")" "$ENTRIES" "$STATE"
echo "loaded in $(( $(date +%s) - begin )) s through leader n$L"
hey -H "$AUTH" -z 40s -c 16 -m PUT -T text/plain -d "$(printf '%064d' 0)" "$(URL "$L")/v1/kv/bench/warmup" >/dev/null
for i in 1 2 3; do echo "n$i heap after a full GC: $(heap_mb "$i") MB"; done
before=$(date +%s%N)
index=$(curl -H "$AUTH" -s -X POST "$(URL "$F")/v1/cluster/snapshot" | sed -nE 's/.*"index":([0-9]+).*/\1/p')
echo "snapshot of follower n$F at $index (on request: written before the answer): $(( ($(date +%s%N) - before) / 1000000 )) ms;" \
  "file $(ls -l "$STATE/n$F"/raft/*/sm/snapshot.*_"$index" | awk '{print $5}') bytes"
for i in 1 2 3; do [ "$i" = "$F" ] || curl -H "$AUTH" -s -o /dev/null -X POST "$(URL "$i")/v1/cluster/snapshot"; done
puts "puts, no snapshot being written" 20

# Every node restarts with automatic snapshots (threshold 10,000 entries, so a tenth of the state:
# one every 100,000 entries, about once a minute under this load), one at a time: first its graceful
# stop (SIGTERM: the web server drains, the node writes a last snapshot and exits; local-cluster.sh
# polls for the exit every 0.5 s), then, from the new process' launch, to serving (JVM and Spring
# start, snapshot load, log replay, caught up with the leader) and to ready (the H2 view rebuilt from
# the state as well; readiness waits for it).
for i in 1 2 3; do
  [ "$i" = "$L" ] && continue
  stopping=$(date +%s%N)
  MUSTER_ARGS="$BASE_ARGS --muster.raft.snapshot-threshold=10000" scripts/local-cluster.sh restart "$i" >/dev/null
  begin=$(date +%s%N)
  until raft_up "$i"; do sleep 0.05; done
  serving=$(( ($(date +%s%N) - begin) / 1000000 ))
  until ready "$i"; do sleep 0.05; done
  echo "n$i restarted: stopped in $(( (begin - stopping) / 1000000 )) ms; then serving (raft UP: in the" \
    "majority, caught up) $serving ms after its launch, ready (H2 view rebuilt too)" \
    "$(( ($(date +%s%N) - begin) / 1000000 )) ms;" \
    "$(grep -h 'state loaded from snapshot' "$STATE/n$i/node.log" | tail -n 1 | sed -E 's/.*(state loaded.*)/\1/')"
done
MUSTER_ARGS="$BASE_ARGS --muster.raft.snapshot-threshold=10000" scripts/local-cluster.sh restart "$L" >/dev/null
until [ -n "$(leader)" ] && ready 1 && ready 2 && ready 3; do sleep 0.5; done
L=$(leader); F=$(( L % 3 + 1 ))
hey -H "$AUTH" -z 40s -c 16 -m PUT -T text/plain -d "$(printf '%064d' 0)" "$(URL "$L")/v1/kv/bench/warmup" >/dev/null
taken=$(metric "$L" muster_raft_snapshot_seconds_count)
puts "puts, automatic snapshots (60 s)" 60
echo "snapshots written on leader n$L meanwhile: $(awk -v a="$(metric "$L" muster_raft_snapshot_seconds_count)" -v b="$taken" 'BEGIN {print a - b}');" \
  "longest capture (writes wait): $(awk -v s="$(metric "$L" muster_raft_snapshot_capture_seconds_max)" 'BEGIN {printf "%.1f", s * 1000}') ms;" \
  "longest write (in the background): $(awk -v s="$(metric "$L" muster_raft_snapshot_seconds_max)" 'BEGIN {printf "%.0f", s * 1000}') ms"
scripts/local-cluster.sh stop >/dev/null
echo
fi

part instances || part watchers || exit 0
echo "== $INSTANCES registered instances: 100 services of $(( INSTANCES / 100 )) =="
rm -rf "$STATE"/n*
scripts/local-cluster.sh start 3 >/dev/null
until [ -n "$(leader)" ] && ready 1 && ready 2 && ready 3; do sleep 0.5; done
L=$(leader); F=$(( L % 3 + 1 ))
base=$(heap_mb "$F")
javac -d "$STATE/classes" bench/LeaseWatch.java
begin=$(date +%s)
java -cp "$STATE/classes" LeaseWatch register-services 100 $(( INSTANCES / 100 )) 3600 "$(URL 1)" "$(URL 2)" "$(URL 3)" |
  awk '{ok += $2; failed += $(NF-1)} END {printf "registered %d instances, %d failed", ok, failed}'
echo " in $(( $(date +%s) - begin )) s"
after=$(heap_mb "$F")
echo "follower n$F heap after a full GC: $base MB empty, $after MB with the instances" \
  "($(( (after - base) * 1024 * 1024 / INSTANCES )) bytes per instance, state and view)"
lookup="$(URL "$F")/v1/services/svc-42?zone=z1&tag=v2"
for consistency in stale linearizable; do
  hey -H "$AUTH" -z 10s -c 4 "$lookup&consistency=$consistency" |
    awk -v c="$consistency" '/Requests\/sec/ {r=$2} /50% in/ {p50=$3*1000} /99% in/ {p99=$3*1000}
      END {printf "lookup of one service (filtered by zone and tag), %s, 4 clients: %.0f/s p50 %.2f ms p99 %.2f ms\n", c, r, p50, p99}'
done

echo
echo "== $WATCHERS SSE watchers on follower n$F, 50 writes through leader n$L =="
java -cp "$STATE/classes" LeaseWatch watch "$WATCHERS" 50 "$(URL "$F")" "$(URL "$L")"
