# Shared by the bench scripts (sourced, not run): nodes on 9081-9085 (HTTP) and 9071-9075 (Raft), data
# in a temporary directory that goes, with the nodes (stopped by PID), when the script ends; `hey`
# installed from Debian when missing; the jar built.
cd "$(dirname "$0")/.."
export HTTP_BASE=9080 RAFT_BASE=9070
# Three JVMs share two cores here: the serial collector keeps GC threads from competing with request
# threads (+25-35 % puts/s at c=64 in paired runs against the default G1 on this machine).
export JAVA_OPTS=${JAVA_OPTS-"-XX:+UseSerialGC -Xmx512m -XX:CICompilerCount=2"}
export STATE
STATE=$(mktemp -d /tmp/muster-bench.XXXXXX)
cleanup() { scripts/local-cluster.sh stop >/dev/null 2>&1 || true; rm -rf "$STATE"; }
trap cleanup EXIT
# Security stays on, as in production: every request carries the cluster's admin token (made here,
# handed to the nodes by local-cluster.sh), and the per-token rate limit is lifted so that it is not
# what the figures measure.
(umask 077; echo "mst_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')" > "$STATE/admin.token")
export MUSTER_TOKEN
MUSTER_TOKEN=$(cat "$STATE/admin.token")
export AUTH="Authorization: Bearer $MUSTER_TOKEN"
export MUSTER_ARGS="${MUSTER_ARGS:-} --muster.security.requests-per-second=1000000 --muster.security.request-burst=1000000"
if ! command -v hey >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y -qq hey >/dev/null; else echo "install hey (apt-get install hey)" >&2; exit 1; fi
fi
./mvnw -B -q -ntp -DskipTests package

muster_leader() { # the leader's number as node 1 sees it, empty while there is none
  curl -H "$AUTH" -s --max-time 1 http://127.0.0.1:9081/v1/cluster | sed -nE 's/.*"leaderId":"n([0-9])".*/\1/p'
}
await() { # await NAME FUNCTION: at most 60 s for FUNCTION to print something
  local out
  for _ in $(seq 1 120); do
    out=$("$2") || true
    [ -n "$out" ] && { echo "$out"; return; }
    sleep 0.5
  done
  echo "no $1 leader after 60 s" >&2; exit 1
}
# hey's summary -> "req/s p50_ms p99_ms non-2xx"
# CPU time of processes, from /proc/<pid>/stat: user plus system clock ticks (getconf CLK_TCK a second),
# summed over the given pids. The fields after "pid (comm) " start at the state (field 3), so utime
# (field 14) and stime (field 15) are the 12th and 13th of them.
cpu_ticks() {
  local pid total=0 fields
  for pid in "$@"; do
    read -r -a fields < <(sed -E 's/^[0-9]+ \(.*\) //' "/proc/$pid/stat")
    total=$(( total + fields[11] + fields[12] ))
  done
  echo "$total"
}

# The responses a hey report counts (every status code), for CPU per operation.
responses() {
  awk '/^Status code distribution/ {on=1; next} /^$/ {on=0} on && /^ *\[[0-9]+\]/ {n+=$2} END {print n+0}'
}

figures() {
  awk '/Requests\/sec/ {rps=$2}
       /50% in/ {p50=$3*1000} /99% in/ {p99=$3*1000}
       /^Status code distribution/ {section="status"} /^Error distribution/ {section="error"}
       /^ *\[[0-9]+\]/ {n=$1; gsub(/[\[\]]/,"",n)
                        if (section == "status" && n !~ /^2/) err+=$2; if (section == "error") err+=n}
       END {printf "%.0f %.2f %.2f %d\n", rps, p50, p99, err+0}'
}
