#!/usr/bin/env bash
# The fault-injection soak: many longer recorded histories than ./mvnw verify runs, each checked for
# linearizability, lost and doubled writes, watch delivery, convergence, write gaps and catch-up.
#
#   sudo scripts/soak.sh                      # 4 rounds x 7 fault kinds x 60 s: 28 histories, ~35 min
#   ROUNDS=1 SECONDS_PER_HISTORY=30 scripts/soak.sh
#   SCENARIOS=partition,mixed scripts/soak.sh
#
# Fault kinds: kill, pause, partition, membership, snapshot, skew, mixed (see FaultInjectionIT).
# The report (every history, then a summary) is printed and written to target/soak/report.txt; the
# node logs of a failed history stay under target/fault-histories/. Exits non-zero if any history failed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/test-tools.sh

ROUNDS=${ROUNDS:-4}
SECONDS_PER_HISTORY=${SECONDS_PER_HISTORY:-60}
SCENARIOS=${SCENARIOS:-kill,pause,partition,membership,snapshot,skew,mixed}
REPORT=target/soak/report.txt
mkdir -p target/soak
rm -f "$REPORT"

status=0
./mvnw -B -ntp verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=FaultInjectionIT \
  -Dmuster.faults.rounds="$ROUNDS" -Dmuster.faults.seconds="$SECONDS_PER_HISTORY" \
  -Dmuster.faults.scenarios="$SCENARIOS" -Dmuster.faults.report="$PWD/$REPORT" \
  -Dmuster.it.fork-timeout=$(( ROUNDS * 7 * (SECONDS_PER_HISTORY + 150) + 600 )) > target/soak/build.log 2>&1 || status=$?

if [ -f "$REPORT" ]; then
  cat "$REPORT"
else
  echo "no report: see target/soak/build.log" >&2
  tail -50 target/soak/build.log >&2
fi
exit $status
