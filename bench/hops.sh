#!/usr/bin/env bash
# The hops of one write: a three-node Muster cluster on loopback takes one put at a time through its
# leader (hey, c=1, RATE puts a second, so that each put runs alone), while the kernel's scheduler is
# traced on every CPU (perf: sched_waking, sched_switch, fdatasync). bench/Hops.java then walks each
# put's critical path backwards through the wake-ups, from the response to the request, and prints
# for each thread on it how long it waited for a CPU, ran, was blocked and was in fsync: where the
# latency of a put at c=1 goes, hop by hop, measured rather than guessed. Needs perf (Debian's
# linux-perf) and root; the trace and thread map stay in $OUT.
#
#   bench/hops.sh                      60 s warm-up at c=1, then 300 puts at 50/s traced
#   PUTS=500 RATE=100 bench/hops.sh
set -euo pipefail
WARMUP=${WARMUP:-60}
PUTS=${PUTS:-300}
RATE=${RATE:-50}
SIZE=${SIZE:-64}
OUT=${OUT:-$(mktemp -d /tmp/muster-hops.XXXXXX)}
command -v perf >/dev/null || { echo "needs perf (apt-get install linux-perf)" >&2; exit 1; }
source "$(dirname "$0")/lib.sh"
source scripts/jdk.sh
JAVA_25="$(muster_java_home)/bin"
mkdir -p "$OUT"

scripts/local-cluster.sh start 3 >/dev/null
ML=$(await Muster muster_leader)
head -c "$SIZE" /dev/zero | tr '\0' 'v' > "$STATE/value"
put() { hey -H "$AUTH" -c 1 -m PUT -T text/plain -D "$STATE/value" "$@" "http://127.0.0.1:908$ML/v1/kv/bench/key"; }
echo "leader n$ML; warming up ${WARMUP}s at c=1, then $PUTS puts at $RATE/s traced"
put -z "${WARMUP}s" >/dev/null
perf record -q -a -o "$OUT/perf.data" \
  -e sched:sched_waking,sched:sched_switch \
  -e syscalls:sys_enter_fdatasync,syscalls:sys_exit_fdatasync,syscalls:sys_enter_fsync,syscalls:sys_exit_fsync \
  -- hey -H "$AUTH" -c 1 -n "$PUTS" -q "$RATE" -m PUT -T text/plain -D "$STATE/value" \
     "http://127.0.0.1:908$ML/v1/kv/bench/key" > "$OUT/hey.txt" 2>/dev/null
echo "$(figures < "$OUT/hey.txt" | awk '{printf "hey: p50 %s ms, p99 %s ms, %s errors", $2, $3, $4}')"

# Thread map: tid, role (L leader, F follower), name; Java's own names (jcmd) over the kernel's 15 characters.
: > "$OUT/threads.txt"
for i in 1 2 3; do
  pid=$(cat "$STATE/n$i/pid")
  role=F; [ "$i" = "$ML" ] && role=L
  declare -A names=()
  while read -r tid name; do names[$tid]=$name; done < <("$JAVA_25/jcmd" "$pid" Thread.print |
    sed -nE 's/^"([^"]*)".* nid=(0x[0-9a-f]+|[0-9]+).*/\2 \1/p' | while read -r nid name; do echo "$((nid)) $name"; done)
  for task in /proc/"$pid"/task/*; do
    tid=${task##*/}
    echo "$tid $role ${names[$tid]:-$(cat "$task/comm" 2>/dev/null || echo gone)}" >> "$OUT/threads.txt"
  done
  unset names
done
perf script -i "$OUT/perf.data" --ns -F comm,pid,tid,cpu,time,event,trace > "$OUT/trace.txt" 2>/dev/null
"$JAVA_25/java" bench/Hops.java "$OUT/threads.txt" "$OUT/trace.txt"
echo "trace and thread map in $OUT"
