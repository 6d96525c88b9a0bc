#!/usr/bin/env bash
# Lease, discovery and watch figures on a three-node cluster (issue 5): LEASES service instances
# heart-beating every PERIOD seconds for 30 s, then LEASES plain leases kept alive the same way, spread over the three nodes (keep-alive latency, leader CPU, and how far
# the commit index moved: it should not); lookups of a 500-instance service with filters on a
# follower at 500 requests/s, stale and linearizable; then WATCHERS SSE watchers on one node
# receiving 50 writes. Bounded: about 6 minutes. Ports 9081-9083/9071-9073; nodes stopped by PID.
#
#   bench/lease-watch.sh        LEASES (default 10000), PERIOD (5), WATCHERS (1000) may be set
set -euo pipefail
LEASES=${LEASES:-10000}
PERIOD=${PERIOD:-5}
WATCHERS=${WATCHERS:-1000}
source "$(dirname "$0")/lib.sh"

scripts/local-cluster.sh start 3 >/dev/null
until curl -H "$AUTH" -s http://127.0.0.1:9081/v1/cluster | grep -q '"leaderId":"n'; do sleep 0.2; done
sleep 2
LEADER=$(curl -H "$AUTH" -s http://127.0.0.1:9081/v1/cluster | sed 's/.*"leaderId":"n\([0-9]\)".*/\1/')
PID=$(cat "$STATE/n$LEADER/pid")
echo "leader n$LEADER (pid $PID)"
NODES="http://127.0.0.1:9081 http://127.0.0.1:9082 http://127.0.0.1:9083"

echo "== $LEASES instances registered, each heart-beating every ${PERIOD}s for 30 s, through all three nodes =="
java bench/LeaseWatch.java heartbeat "$LEASES" "$PERIOD" 30 64 "$PID" $NODES
curl -H "$AUTH" -s "http://127.0.0.1:908$LEADER/actuator/prometheus" | grep -E '^muster_lease_(count|expired_total|keepalives_total)'

echo "== $LEASES leases, each kept alive every ${PERIOD}s for 30 s, through all three nodes =="
java bench/LeaseWatch.java keepalive "$LEASES" "$PERIOD" 30 64 "$PID" $NODES
curl -H "$AUTH" -s "http://127.0.0.1:908$LEADER/v1/cluster" | sed 's/.*"term":\([0-9]*\).*/term after the keep-alives: \1 (1 = no leader change)/'; echo
curl -H "$AUTH" -s "http://127.0.0.1:908$LEADER/actuator/prometheus" | grep -E '^muster_lease_(count|expired_total|keepalives_total)'

W=$(( LEADER % 3 + 1 ))
echo "== lookups of a 500-instance service on follower n$W (17 match zone, tag and metadata), 500 requests/s =="
java bench/LeaseWatch.java register checkout 500 $NODES
URL="http://127.0.0.1:908$W/v1/services/checkout?zone=z1&tag=v2&meta.version=2.3"
for consistency in stale linearizable; do
  echo "-- $consistency"
  hey -H "$AUTH" -z 15s -c 4 -q 125 "$URL&consistency=$consistency" | grep -E "Requests/sec|50% in|99% in"
done

echo "== $WATCHERS watchers on follower n$W, 50 writes through leader n$LEADER =="
java bench/LeaseWatch.java watch "$WATCHERS" 50 "http://127.0.0.1:908$W" "http://127.0.0.1:908$LEADER"
echo "== $WATCHERS watchers on leader n$LEADER, 50 writes through it =="
java bench/LeaseWatch.java watch "$WATCHERS" 50 "http://127.0.0.1:908$LEADER" "http://127.0.0.1:908$LEADER"
