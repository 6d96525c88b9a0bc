#!/usr/bin/env bash
# Muster's membership figures, on three real processes over loopback with the default timeouts
# (election 1-2 s): the write gap of a leadership transfer, the write gap of a kill -9 of the leader
# (median of ROUNDS), and how long a new voter takes to be promoted in a cluster holding ENTRIES
# entries. Bounded: about 3 minutes. It starts its own nodes (ports 9081-9084 and 9071-9074, data in a
# temporary directory) and stops them, by PID, when it ends.
#
#   bench/membership.sh                   all three
#   PARTS="kill" bench/membership.sh      only some of: transfer kill add
set -euo pipefail
PARTS=${PARTS:-transfer kill add}
ROUNDS=${ROUNDS:-5}
ENTRIES=${ENTRIES:-100000}
source "$(dirname "$0")/lib.sh"
javac -d "$STATE/classes" bench/WriteGap.java
URLS=(http://127.0.0.1:9081 http://127.0.0.1:9082 http://127.0.0.1:9083)

leader() { # the leader's number, as the first answering node sees it
  local url id
  for url in "${URLS[@]}"; do
    id=$(curl -H "$AUTH" -s --max-time 1 "$url/v1/cluster" | sed -nE 's/.*"leaderId":"n([0-9])".*/\1/p') || true
    [ -n "$id" ] && { echo "$id"; return; }
  done
}
await_ready() { # every node given (numbers) ready, at most 60 s each
  local i ready
  for i in "$@"; do
    ready=""
    for _ in $(seq 1 120); do
      if [ "$(curl -H "$AUTH" -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$((HTTP_BASE + i))/actuator/health/readiness")" = 200 ]; then
        ready=yes; break
      fi
      sleep 0.5
    done
    [ -n "$ready" ] || { echo "n$i not ready after 60 s" >&2; exit 1; }
  done
}
gap() { sed -nE 's/.*longest_gap_ms=([0-9]+).*/\1/p' "$1"; }

scripts/local-cluster.sh start 3 >/dev/null
await_ready 1 2 3
# Warm the JVMs before measuring (they compile the hot paths for ~30 s).
java -cp "$STATE/classes" WriteGap 20 8 "${URLS[@]}" >/dev/null

part() { [[ " $PARTS " == *" $1 "* ]]; }

if part transfer; then
echo "== leadership transfer (POST /v1/cluster/leader), 4 writers =="
for round in 1 2 3; do
  from=$(leader); to=$(( from % 3 + 1 ))
  java -cp "$STATE/classes" WriteGap 6 4 "${URLS[@]}" > "$STATE/gap" &
  sleep 2
  curl -H "$AUTH" -s -o /dev/null -X POST "http://127.0.0.1:$((HTTP_BASE + from))/v1/cluster/leader" \
    -H 'Content-Type: application/json' -d "{\"id\":\"n$to\"}"
  wait
  echo "transfer n$from -> n$to: longest write gap $(gap "$STATE/gap") ms  ($(cat "$STATE/gap"))"
done
echo
fi

if part kill; then
echo "== kill -9 of the leader, 4 writers, $ROUNDS rounds =="
gaps=()
for round in $(seq 1 "$ROUNDS"); do
  victim=$(leader)
  java -cp "$STATE/classes" WriteGap 10 4 "${URLS[@]}" > "$STATE/gap" &
  sleep 2
  scripts/local-cluster.sh kill "$victim" >/dev/null
  wait
  gaps+=("$(gap "$STATE/gap")")
  echo "round $round, killed n$victim: longest write gap $(gap "$STATE/gap") ms  ($(cat "$STATE/gap"))"
  scripts/local-cluster.sh start 3 >/dev/null
  await_ready 1 2 3
done
median=$(printf '%s\n' "${gaps[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}')
echo "median write gap after kill -9 of the leader: $median ms"
echo
fi

if part add; then
echo "== adding a voter to a cluster holding $ENTRIES entries of 100 bytes =="
bench/load-entries.sh "http://127.0.0.1:$((HTTP_BASE + $(leader)))" "$ENTRIES" "$STATE"
applied=$(curl -H "$AUTH" -s "${URLS[0]}/v1/cluster" | sed -E 's/.*"appliedIndex":([0-9]+).*/\1/')
scripts/local-cluster.sh join 4 >/dev/null
begin=$(date +%s%N)
curl -H "$AUTH" -s -o /dev/null -w 'POST /v1/cluster/members: %{http_code}\n' -X POST "${URLS[0]}/v1/cluster/members" \
  -H 'Content-Type: application/json' -d "{\"id\":\"n4\",\"address\":\"127.0.0.1:$((RAFT_BASE + 4))\"}"
for _ in $(seq 1 1200); do   # at most 120 s
  curl -H "$AUTH" -s "${URLS[0]}/v1/cluster/members/n4" | grep -q '"voting":true' && break
  sleep 0.1
done
end=$(date +%s%N)
curl -H "$AUTH" -s "${URLS[0]}/v1/cluster/members/n4"; echo
echo "n4 promoted to voter $(awk -v b="$begin" -v e="$end" 'BEGIN {printf "%.2f", (e - b) / 1e9}') s after the request (the cluster was at revision $applied)"
grep -h "state loaded from snapshot\|snapshot" "$STATE/n4/node.log" | head -n 3 | sed -E 's/.*INFO [0-9]+ --- \[muster\] //'
fi
