#!/usr/bin/env bash
# Idle environment watches (/v1/config/{names}/environment/watch) on one node of a three-node cluster:
# the live heap and CPU that WATCHERS applications' streams cost there, and the time from a write of the
# shared config/application/default to each stream's environment message (bench/EnvironmentWatchLoad.java).
# The streams are opened and read by the starter's own client (MusterHttpClient#stream), so the starter is
# built too. Bounded: about 4 minutes.
# Ports 9081-9083/9071-9073; nodes stopped by PID.
#
#   bench/environment-watch.sh          WATCHERS (1000), CHANGES (20), IDLE_SECONDS (30) may be set;
#                                       MODE=watch: plain /v1/watch streams instead, to compare;
#                                       CLIENTS: starter clients (default one an application);
#                                       HISTOGRAM=file: the node's class histogram with the streams open;
#                                       HEAPDUMP=prefix: its live heap before and after opening them
set -euo pipefail
WATCHERS=${WATCHERS:-1000}
CHANGES=${CHANGES:-20}
IDLE_SECONDS=${IDLE_SECONDS:-30}
source "$(dirname "$0")/lib.sh"
export MUSTER_ARGS="$MUSTER_ARGS --muster.security.max-watches-per-token=$((WATCHERS + 10))"

./mvnw -B -ntp -q -f spring/pom.xml -pl muster-spring-boot-starter -am package -DskipTests
./mvnw -B -ntp -q -f spring/muster-spring-boot-starter/pom.xml dependency:build-classpath \
  -Dmdep.outputFile="$STATE/starter.classpath"
CP="$(ls spring/muster-spring-boot-starter/target/muster-spring-boot-starter-*.jar | grep -v sources | head -n 1)"
CP="$CP:$(cat "$STATE/starter.classpath")"

scripts/local-cluster.sh start 3 >/dev/null
ML=$(await Muster muster_leader); MF=$(( ML % 3 + 1 ))
FPID=$(cat "$STATE/n$MF/pid")
source scripts/jdk.sh
JCMD="$(muster_java_home)/bin/jcmd"
echo "streams on follower n$MF (pid $FPID)"
"$(muster_java_home)/bin/java" -cp "$CP" bench/EnvironmentWatchLoad.java "$WATCHERS" "$CHANGES" "$IDLE_SECONDS" "$FPID" "$JCMD" \
  "http://127.0.0.1:908$MF"
