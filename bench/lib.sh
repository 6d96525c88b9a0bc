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
