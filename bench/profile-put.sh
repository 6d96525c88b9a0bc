#!/usr/bin/env bash
# Where a replicated put's CPU goes: a three-node Muster cluster on loopback under puts through the leader
# (hey, one key, 64-byte values), profiled on all three nodes at once with async-profiler (CPU samples,
# fetched from Maven Central into ~/.cache/muster-bench on first use). Prints, for each node, the CPU per
# put by thread group and, for the leader's request threads, by the code they were running; the
# collapsed stacks stay in $OUT for a closer look (flame graphs: async-profiler's jfrconv, or any
# collapsed-stack viewer).
#
#   bench/profile-put.sh                         c=64, 60 s warm-up, 20 s profiled
#   CONCURRENCY=1 DURATION=30 bench/profile-put.sh
#   OUT=/tmp/prof MUSTER_ARGS="--muster.raft.ratis.[raft.server.log.appender.wait-time.min]=1ms" bench/profile-put.sh
set -euo pipefail
CONCURRENCY=${CONCURRENCY:-64}
SIZE=${SIZE:-64}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-60}
OUT=${OUT:-$(mktemp -d /tmp/muster-profile.XXXXXX)}
AP_VERSION=4.1
source "$(dirname "$0")/lib.sh"
mkdir -p "$OUT"

agent="$HOME/.cache/muster-bench/async-profiler-$AP_VERSION/libasyncProfiler.so"
if [ ! -f "$agent" ]; then
  mkdir -p "$(dirname "$agent")"
  jar="$(dirname "$agent")/ap.jar"
  curl -sSfL -o "$jar" \
    "https://repo1.maven.org/maven2/tools/profiler/async-profiler/$AP_VERSION/async-profiler-$AP_VERSION-linux-x64.jar"
  (cd "$(dirname "$agent")" && unzip -q -o -j ap.jar linux-x64/libasyncProfiler.so && rm ap.jar)
fi
source scripts/jdk.sh
JCMD="$(muster_java_home)/bin/jcmd"

scripts/local-cluster.sh start 3 >/dev/null
ML=$(await Muster muster_leader)
echo "leader n$ML; warming up ${WARMUP}s, then ${DURATION}s profiled at c=$CONCURRENCY, ${SIZE}-byte values"
head -c "$SIZE" /dev/zero | tr '\0' 'v' > "$STATE/value"
put() { hey -H "$AUTH" -z "$1s" -c "$CONCURRENCY" -m PUT -T text/plain -D "$STATE/value" "http://127.0.0.1:908$ML/v1/kv/bench/key"; }
put "$WARMUP" >/dev/null

# cpu: perf events where the kernel allows them, else its CPU timer. jcmd splits its arguments at commas
# unless they are quoted once more.
for i in 1 2 3; do
  "$JCMD" "$(cat "$STATE/n$i/pid")" JVMTI.agent_load "$agent" "\"start,event=cpu,interval=1ms,threads\"" >/dev/null
done
report=$(put "$DURATION")
for i in 1 2 3; do
  "$JCMD" "$(cat "$STATE/n$i/pid")" JVMTI.agent_load "$agent" "\"stop,file=$OUT/n$i.collapsed,collapsed\"" >/dev/null
done
puts=$(responses <<<"$report")
echo "$(figures <<<"$report" | awk '{printf "%s puts/s, p50 %s ms, p99 %s ms", $1, $2, $3}'); $puts puts profiled"

# Thread groups, and for request threads what they ran. Each collapsed line is "[thread tid=N];frame;...;frame count".
groups() {
  awk -v puts="$puts" '
    function group(t) {
      if (t ~ /^\[http-nio-.*-exec/) return "request threads (Tomcat workers)"
      if (t ~ /^\[http-nio-.*-(Poller|Acceptor)/) return "Tomcat poller and acceptor"
      if (t ~ /StateMachineUpdater/) return "Ratis apply (StateMachineUpdater)"
      if (t ~ /SegmentedRaftLogWorker/) return "Ratis log worker (write, fsync)"
      if (t ~ /LogAppender/) return "Ratis log appenders (leader)"
      if (t ~ /grpc-default-executor/) return "gRPC executor"
      if (t ~ /grpc|netty|EventLoop|epoll/) return "gRPC and Netty event loops"
      if (t ~ /muster-view-projector/) return "H2 view projector"
      if (t ~ /Compiler/) return "JIT compilers"
      if (t ~ /GC|VM Thread|VM Periodic/) return "GC and VM"
      if (t ~ /muster-/) return "other Muster threads"
      sub(/ tid=.*/, "", t); sub(/^\[/, "", t); gsub(/[0-9]+/, "N", t)
      return "other: " t
    }
    { n = $NF; split($0, f, ";"); by[group(f[1])] += n; total += n }
    END {
      for (g in by) printf "  %8.1f  %s\n", by[g] * 1000 / puts, g
      printf "  %8.1f  %s\n", total * 1000 / puts, "= all threads"
    }' "$1" | sort -rn | head -n 14
}
requests() { # each sample goes to the innermost frame outside the JDK (and the kernel): the code that asked for the work
  awk -v puts="$puts" '
    function part(s) {
      if (s ~ /^org\/apache\/ratis/) return "Ratis (submit, reply)"
      if (s ~ /^io\/muster\/raft\//) return "Muster: consensus (raft)"
      if (s ~ /^io\/muster\/security\//) return "Muster: token, rate limit, roles"
      if (s ~ /^io\/muster\/web\//) return "Muster: web support"
      if (s ~ /^io\/muster\/core\//) return "Muster: codecs (core)"
      if (s ~ /^io\/muster\//) return "Muster: other"
      if (s ~ /^com\/fasterxml\/jackson/) return "Jackson"
      if (s ~ /^io\/micrometer/) return "Micrometer"
      if (s ~ /^org\/springframework/) return "Spring"
      if (s ~ /^org\/apache\/(coyote|tomcat|catalina)/) return "Tomcat"
      return "other: " s
    }
    /^\[http-nio-.*-exec/ {
      n = $NF; $NF = ""; k = split($0, f, ";"); p = "JDK and kernel only"
      for (j = k; j > 1; j--) {
        if (f[j] ~ /\// && f[j] !~ /^(java|javax|jdk|sun)\// && f[j] !~ /_\[k\]/) { p = part(f[j]); break }
      }
      by[p] += n
    }
    END { for (p in by) printf "    %8.1f  %s\n", by[p] * 1000 / puts, p }' "$1" | sort -rn | head -n 14
}
for i in 1 2 3; do
  role=follower; [ "$i" = "$ML" ] && role=leader
  echo
  echo "n$i ($role): CPU microseconds per put, by thread group (one sample is about 1 ms of CPU)"
  groups "$OUT/n$i.collapsed"
  if [ "$i" = "$ML" ]; then
    echo "  the request threads, by the code they ran:"
    requests "$OUT/n$i.collapsed"
  fi
done
echo
echo "collapsed stacks: $OUT/n{1,2,3}.collapsed"
