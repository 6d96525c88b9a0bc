#!/usr/bin/env bash
# Muster against etcd, side by side on one machine in one run: a three-node Muster cluster and a
# three-node etcd 3.4 cluster (Debian's etcd-server), both on loopback, driven by the same load
# generator (`hey`) with the same concurrency, value size and duration. Prints one table: req/s, p50
# and p99 for each system and the Muster/etcd ratio of req/s per row, and the CPU each system spent per
# 1,000 operations (user + system time of its three processes over the measured interval only, from
# /proc/<pid>/stat; the load generator's own CPU is not counted) with their ratio. CPU per operation is
# the steady figure on a shared machine: throughput swings by 15 % between runs, CPU per op far less.
# Before the table, one row is measured twice on Muster to show whether its JIT has settled (the two
# CPU-per-op figures within 5 %).
#
#   bench/run.sh                       the standard run: about 9 minutes
#   DURATION=10 bench/run.sh           seconds per measurement (default 5)
#   CONCURRENCY="64" SIZES="64" WORKLOADS="put-leader get-stale" bench/run.sh     a subset
#
# Rows, each at concurrency 1, 16 and 64 with 64-byte and 4 KiB values:
#   put-leader       writes of one key through the leader
#   put-follower     the same through a follower (Muster forwards to the leader; etcd too)
#   get-leader       linearizable reads on the leader (Muster: answered under its leader lease; etcd: a
#                    ReadIndex confirmed by a heartbeat round)
#   get-follower     linearizable reads on a follower (both: a ReadIndex from the leader, then a local read)
#   get-stale        Muster's ?consistency=stale on a follower against etcd's serializable reads there
#
# Rows alternate between the systems (Muster, then etcd, for each row) so that drift of the machine
# hits both alike. Both clusters fsync their logs to the same disk. Muster runs as in production:
# every request carries a bearer token, which Muster checks (etcd's auth is off). Installs etcd-server
# and hey with apt-get when run as root and they are missing; stops everything it started, by PID.
set -euo pipefail
DURATION=${DURATION:-5}
CONCURRENCY=${CONCURRENCY:-1 16 64}
SIZES=${SIZES:-64 4096}
WORKLOADS=${WORKLOADS:-put-leader put-follower get-leader get-follower get-stale}
WARMUP=${WARMUP:-180}  # seconds of Muster warm-up in all, spread over the workloads
source "$(dirname "$0")/lib.sh"

if ! command -v etcd >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server >/dev/null
    # The package enables a system etcd on 2379; it is not ours to run, and its ports are not used here.
  else
    echo "install etcd-server (apt-get install etcd-server)" >&2; exit 1
  fi
fi

# --- etcd: three members on 127.0.0.1:2379{1,2,3} (clients) and 2380{1,2,3} (peers) --------------
ETCD_PIDS=()
stop_etcd() {
  local pid
  for pid in "${ETCD_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${ETCD_PIDS[@]}"; do
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  done
  ETCD_PIDS=()
}
trap 'stop_etcd; cleanup' EXIT
cluster=""
for i in 1 2 3; do cluster+="${cluster:+,}e$i=http://127.0.0.1:2380$i"; done
for i in 1 2 3; do
  etcd --name "e$i" --data-dir "$STATE/e$i" \
    --listen-client-urls "http://127.0.0.1:2379$i" --advertise-client-urls "http://127.0.0.1:2379$i" \
    --listen-peer-urls "http://127.0.0.1:2380$i" --initial-advertise-peer-urls "http://127.0.0.1:2380$i" \
    --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token muster-bench \
    --logger zap --log-level error >"$STATE/e$i.log" 2>&1 &
  ETCD_PIDS+=($!)
done

# --- Muster: three nodes on 127.0.0.1:908{1,2,3} ----------------------------------------------------
scripts/local-cluster.sh start 3 >/dev/null

etcd_leader() { # the number of the member that says it leads, empty while there is none
  local i status
  for i in 1 2 3; do
    status=$(curl -s --max-time 1 -X POST "http://127.0.0.1:2379$i/v3/maintenance/status" -d '{}') || continue
    # {"header":{"member_id":"X",...},...,"leader":"X",...}: the member is the leader when both agree
    if [ -n "$status" ] && [ "$(sed -nE 's/.*"member_id":"([0-9]+)".*/\1/p' <<<"$status")" = \
         "$(sed -nE 's/.*"leader":"([0-9]+)".*/\1/p' <<<"$status")" ]; then echo "$i"; return; fi
  done
}
ML=$(await Muster muster_leader); MF=$(( ML % 3 + 1 ))
MUSTER_PIDS=("$(cat "$STATE/n1/pid")" "$(cat "$STATE/n2/pid")" "$(cat "$STATE/n3/pid")")
CLK_TCK=$(getconf CLK_TCK)
EL=$(await etcd etcd_leader); EF=$(( EL % 3 + 1 ))
echo "Muster leader n$ML (pid $(cat "$STATE/n$ML/pid")), follower n$MF; etcd leader e$EL, follower e$EF"

b64() { printf '%s' "$1" | base64 -w0; }
value() { head -c "$1" /dev/zero | tr '\0' 'v'; }
KEY=bench/key
for size in $SIZES; do
  value "$size" > "$STATE/value.$size"
  printf '{"key":"%s","value":"%s"}' "$(b64 "$KEY")" "$(value "$size" | base64 -w0)" > "$STATE/etcd-put.$size"
done
printf '{"key":"%s"}' "$(b64 "$KEY")" > "$STATE/etcd-get"
printf '{"key":"%s","serializable":true}' "$(b64 "$KEY")" > "$STATE/etcd-get-serializable"

muster() { # workload concurrency size seconds
  case $1 in
    put-leader)   hey -H "$AUTH" -z "$4s" -c "$2" -m PUT -T text/plain -D "$STATE/value.$3" "http://127.0.0.1:908$ML/v1/kv/$KEY" ;;
    put-follower) hey -H "$AUTH" -z "$4s" -c "$2" -m PUT -T text/plain -D "$STATE/value.$3" "http://127.0.0.1:908$MF/v1/kv/$KEY" ;;
    get-leader)   hey -H "$AUTH" -z "$4s" -c "$2" "http://127.0.0.1:908$ML/v1/kv/$KEY" ;;
    get-follower) hey -H "$AUTH" -z "$4s" -c "$2" "http://127.0.0.1:908$MF/v1/kv/$KEY" ;;
    get-stale)    hey -H "$AUTH" -z "$4s" -c "$2" "http://127.0.0.1:908$MF/v1/kv/$KEY?consistency=stale" ;;
  esac
}
etcd_load() { # workload concurrency size seconds
  case $1 in
    put-leader)   hey -z "$4s" -c "$2" -m POST -T application/json -D "$STATE/etcd-put.$3" "http://127.0.0.1:2379$EL/v3/kv/put" ;;
    put-follower) hey -z "$4s" -c "$2" -m POST -T application/json -D "$STATE/etcd-put.$3" "http://127.0.0.1:2379$EF/v3/kv/put" ;;
    get-leader)   hey -z "$4s" -c "$2" -m POST -T application/json -D "$STATE/etcd-get" "http://127.0.0.1:2379$EL/v3/kv/range" ;;
    get-follower) hey -z "$4s" -c "$2" -m POST -T application/json -D "$STATE/etcd-get" "http://127.0.0.1:2379$EF/v3/kv/range" ;;
    get-stale)    hey -z "$4s" -c "$2" -m POST -T application/json -D "$STATE/etcd-get-serializable" "http://127.0.0.1:2379$EF/v3/kv/range" ;;
  esac
}

# Warm-up. Each JVM compiles some 28,000 methods before it runs at full speed, and three of them share
# two cores with the load generator: a node is still compiling after a minute of one workload, and a
# path it has not run yet (a follower's stale read, say) starts cold. So every workload runs on both
# systems, twice, before anything is measured (etcd, compiled ahead of time, needs no more than that).
set -- $WORKLOADS; workloads=$#; set -- $SIZES; sizes=$#
slice=$(( WARMUP / (2 * workloads * sizes) )); [ "$slice" -ge 1 ] || slice=1
for round in 1 2; do
  for workload in $WORKLOADS; do
    for size in $SIZES; do
      muster "$workload" 64 "$size" "$slice" >/dev/null
      etcd_load "$workload" 64 "$size" 1 >/dev/null
    done
  done
done

# measure system workload concurrency size: "req/s p50 p99 non-2xx cpu-ms-per-1000-ops" of one run
measure() {
  local system=$1 before after report ops
  shift
  local -a pids
  if [ "$system" = muster ]; then pids=("${MUSTER_PIDS[@]}"); else pids=("${ETCD_PIDS[@]}"); fi
  before=$(cpu_ticks "${pids[@]}")
  if [ "$system" = muster ]; then report=$(muster "$@" "$DURATION"); else report=$(etcd_load "$@" "$DURATION"); fi
  after=$(cpu_ticks "${pids[@]}")
  ops=$(responses <<<"$report")
  read -r rps p50 p99 err < <(figures <<<"$report")
  awk -v r="$rps" -v a="$p50" -v b="$p99" -v e="$err" -v t=$(( after - before )) -v hz="$CLK_TCK" -v n="$ops" \
    'BEGIN {printf "%s %s %s %s %s\n", r, a, b, e, (n > 0 ? sprintf("%.0f", t * 1000 / hz / n * 1000) : "-")}'
}

# Has the JIT settled? The same row twice, back to back: CPU per operation should agree within 5 %.
read -r _ _ _ _ first < <(measure muster put-leader 64 64)
read -r _ _ _ _ second < <(measure muster put-leader 64 64)
awk -v a="$first" -v b="$second" 'BEGIN {d = (a > 0 ? (b - a) / a * 100 : 0); if (d < 0) d = -d
  printf "JIT check, Muster put-leader 64 B c=64 twice: %s then %s CPU ms per 1,000 puts (%.1f %% apart: %s)\n",
    a, b, d, (d <= 5 ? "settled" : "NOT settled, raise WARMUP")}'

printf "%-13s %5s %5s | %8s %8s %8s %8s | %8s %8s %8s %8s | %6s %6s %s\n" \
  workload value conc "Muster/s" "p50 ms" "p99 ms" "cpu/1k" "etcd/s" "p50 ms" "p99 ms" "cpu/1k" ratio "cpu x" errors
for size in $SIZES; do
  for workload in $WORKLOADS; do
    # the gets read the value of this row's size
    curl -H "$AUTH" -s -o /dev/null -X PUT "http://127.0.0.1:908$ML/v1/kv/$KEY" -H 'Content-Type: text/plain' --data-binary "@$STATE/value.$size"
    curl -s -o /dev/null -X POST "http://127.0.0.1:2379$EL/v3/kv/put" --data-binary "@$STATE/etcd-put.$size"
    for c in $CONCURRENCY; do
      read -r m_rps m_p50 m_p99 m_err m_cpu < <(measure muster "$workload" "$c" "$size")
      read -r e_rps e_p50 e_p99 e_err e_cpu < <(measure etcd "$workload" "$c" "$size")
      ratio=$(awk -v m="$m_rps" -v e="$e_rps" 'BEGIN {if (e > 0) printf "%.2f", m / e; else print "-"}')
      cpu_ratio=$(awk -v m="$m_cpu" -v e="$e_cpu" 'BEGIN {if (e + 0 > 0 && m != "-") printf "%.2f", m / e; else print "-"}')
      errors=""
      [ "$m_err" != 0 ] && errors+=" Muster non-2xx: $m_err"
      [ "$e_err" != 0 ] && errors+=" etcd non-2xx: $e_err"
      printf "%-13s %5s %5s | %8s %8s %8s %8s | %8s %8s %8s %8s | %6s %6s%s\n" \
        "$workload" "$size" "$c" "$m_rps" "$m_p50" "$m_p99" "$m_cpu" "$e_rps" "$e_p50" "$e_p99" "$e_cpu" "$ratio" "$cpu_ratio" "$errors"
    done
  done
done
echo "cpu/1k: CPU milliseconds (user + system, the system's three processes summed) per 1,000 operations;"
echo "ratio: Muster's req/s over etcd's; cpu x: Muster's CPU per operation over etcd's (lower is better)."
