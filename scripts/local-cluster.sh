#!/usr/bin/env bash
# Runs a Muster cluster of real processes on loopback, for trying things out.
#
#   scripts/local-cluster.sh start [1|3|5] build if needed, start nodes n1..nN
#   scripts/local-cluster.sh join I        start node nI with muster.join=true (then add it: docs/operations.md)
#   scripts/local-cluster.sh kill I        SIGKILL node nI (a crash, for trying out recovery)
#   scripts/local-cluster.sh restart I     stop node nI (SIGTERM) and start it again on its data
#   scripts/local-cluster.sh status        show each node's role and leader
#   scripts/local-cluster.sh stop          stop the nodes this script started (by their PIDs)
#   scripts/local-cluster.sh clean         stop, then delete their data
#
# Node i serves HTTP on 127.0.0.1:(8080+i) and Raft on 127.0.0.1:(7070+i); its data and log are in
# data/local/n<i>/. HTTP_BASE, RAFT_BASE and STATE move the ports and the data; extra arguments for
# every node can be passed in MUSTER_ARGS (e.g. MUSTER_ARGS="--muster.raft.snapshot-threshold=1000"),
# and JVM options in JAVA_OPTS. Nodes run on a JDK 25 or newer (scripts/jdk.sh finds one: JAVA_HOME, the
# java on PATH, /usr/lib/jvm, ...), whatever the java on PATH is.
#
# Every node gets the same bootstrap admin token, generated once into $STATE/admin.token; use it as
#   curl -H "Authorization: Bearer $(cat data/local/admin.token)" http://127.0.0.1:8081/v1/cluster
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/jdk.sh
JAVA_HOME_25=$(muster_java_home) || { echo "no JDK $(muster_java_release) or newer found (see scripts/jdk.sh)" >&2; exit 1; }
JAVA="$JAVA_HOME_25/bin/java"
# What a JDK 25 needs to run Ratis' shaded Netty quietly, as in the image's entry point (Dockerfile).
QUIET="--sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED"

HTTP_BASE=${HTTP_BASE:-8080}
RAFT_BASE=${RAFT_BASE:-7070}
STATE=${STATE:-data/local}

jar() {
  ls target/muster-*.jar 2>/dev/null | grep -v plain | head -n 1
}

running_nodes() {
  local dir
  for dir in "$STATE"/n*; do
    [[ -f "$dir/pid" ]] && kill -0 "$(cat "$dir/pid")" 2>/dev/null && echo "${dir##*/}"
  done
  return 0
}

# Nodes run from a copy of the jar in $STATE: a rebuild must never rewrite the jar under a running JVM
# (it loads classes from it lazily, and fails with NoClassDefFoundError once it changed).
build() {
  if [[ -z "$(jar)" || -n "$(find src pom.xml -newer "$(jar)" -print -quit)" ]]; then
    ./mvnw -B -q -ntp -DskipTests package
  fi
  mkdir -p "$STATE"
  if [[ ! -f "$STATE/muster.jar" || "$(jar)" -nt "$STATE/muster.jar" ]]; then
    if [[ -n "$(running_nodes)" ]]; then
      echo "nodes $(running_nodes | tr '\n' ' ')run an older build; they keep it until stopped" >&2
      [[ -f "$STATE/muster.jar" ]] && return
    fi
    cp "$(jar)" "$STATE/muster.jar"
    prepare_launch
  fi
}

# Nodes start as the container image starts them (Dockerfile): from the jar extracted to a plain class
# path, mapping an ahead-of-time cache (JDK 25) that one training start (stopped once the application
# context is up, on ports HTTP_BASE+9 and RAFT_BASE+9) recorded; a start then takes about half the time.
# Without the cache (a failed training), nodes start from the jar itself.
prepare_launch() {
  rm -rf "$STATE/app" "$STATE/aot-training"
  "$JAVA" -Djarmode=tools -jar "$STATE/muster.jar" extract --destination "$STATE/app" >/dev/null
  # shellcheck disable=SC2086 # the options are separate words
  if ! "$JAVA" $QUIET ${JAVA_OPTS:-} -XX:AOTCacheOutput="$STATE/app/muster.aot" -Dspring.context.exit=onRefresh \
      -jar "$STATE/app/muster.jar" --server.address=127.0.0.1 --server.port=$((HTTP_BASE + 9)) \
      --muster.raft.port=$((RAFT_BASE + 9)) --muster.data-dir="$STATE/aot-training" \
      --spring.main.banner-mode=off > "$STATE/aot-training.log" 2>&1; then
    echo "no ahead-of-time cache (see $STATE/aot-training.log): nodes start from the jar" >&2
    rm -rf "$STATE/app"
  fi
  rm -rf "$STATE/aot-training"
}

# The JVM arguments that start the application: the extracted jar with its cache, or the jar itself.
application() {
  if [[ -f "$STATE/app/muster.aot" ]]; then
    echo "-XX:AOTCache=$STATE/app/muster.aot -Xlog:aot=off -Xlog:cds=off -jar $STATE/app/muster.jar"
  else
    echo "-jar $STATE/muster.jar"
  fi
}

# The cluster's admin token: generated once (owner-only), handed to every node as its bootstrap token.
admin_token() {
  mkdir -p "$STATE"
  if [[ ! -s "$STATE/admin.token" ]]; then
    (umask 077; echo "mst_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')" > "$STATE/admin.token")
  fi
  cat "$STATE/admin.token"
}

# launch I ARGS...: starts node nI with its ports and data directory, plus ARGS
launch() {
  local i=$1 dir="$STATE/n$1"
  shift
  if [[ -f "$dir/pid" ]] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
    echo "n$i already running (pid $(cat "$dir/pid"))"
    return
  fi
  mkdir -p "$dir"
  # shellcheck disable=SC2046 # application's words are separate arguments; the paths hold no spaces
  MUSTER_SECURITY_BOOTSTRAP_TOKEN=$(admin_token) nohup "$JAVA" $QUIET ${JAVA_OPTS:-} $(application) \
    --server.address=127.0.0.1 --server.port=$((HTTP_BASE + i)) \
    --muster.node-id="n$i" --muster.raft.port=$((RAFT_BASE + i)) --muster.data-dir="$dir" \
    "$@" ${MUSTER_ARGS:-} >> "$dir/node.log" 2>&1 &
  echo $! > "$dir/pid"
  echo "n$i: http://127.0.0.1:$((HTTP_BASE + i))  raft 127.0.0.1:$((RAFT_BASE + i))  pid $!"
}

await_live() {
  for i in "$@"; do
    for _ in $(seq 1 120); do
      curl -sf "http://127.0.0.1:$((HTTP_BASE + i))/actuator/health/liveness" >/dev/null 2>&1 && break
      sleep 0.5
    done
  done
}

start() {
  local size=${1:-3}
  if [[ "$size" != 3 && "$size" != 5 && "$size" != 1 ]]; then
    echo "cluster size must be 1, 3 or 5" >&2
    exit 2
  fi
  build
  local peers=""
  for i in $(seq 1 "$size"); do
    peers+="${peers:+,}n$i=127.0.0.1:$((RAFT_BASE + i))"
  done
  mkdir -p "$STATE"
  for i in $(seq 1 "$size"); do
    mkdir -p "$STATE/n$i"
    echo "$peers" > "$STATE/n$i/peers"
    launch "$i" --muster.peers="$peers"
  done
  await_live $(seq 1 "$size")
  await_token 1
  status
}

# Waits (up to a minute) until node I accepts the admin token: the leader proposes it once elected.
await_token() {
  for _ in $(seq 1 120); do
    [[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(admin_token)" \
      "http://127.0.0.1:$((HTTP_BASE + $1))/v1/cluster")" = 200 ]] && return
    sleep 0.5
  done
  echo "n$1 does not accept the admin token yet" >&2
}

join() {
  local i=${1:?"which node? e.g. join 4"}
  build
  launch "$i" --muster.join=true --muster.raft.bind-address=127.0.0.1
  await_live "$i"
  echo "n$i waits to be added: curl -X POST 127.0.0.1:$((HTTP_BASE + 1))/v1/cluster/members" \
    "-H \"Authorization: Bearer \$(cat $STATE/admin.token)\"" \
    "-H 'Content-Type: application/json' -d '{\"id\":\"n$i\",\"address\":\"127.0.0.1:$((RAFT_BASE + i))\"}'"
}

crash() {
  local i=${1:?"which node? e.g. kill 2"} dir="$STATE/n${1:-}"
  if [[ -f "$dir/pid" ]] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
    kill -9 "$(cat "$dir/pid")"
    echo "n$i: killed (pid $(cat "$dir/pid"))"
    rm -f "$dir/pid"
  else
    echo "n$i is not running" >&2
  fi
}

# Stops node I gracefully and starts it again as a member of the cluster it was started with.
restart() {
  local i=${1:?"which node? e.g. restart 2"} dir="$STATE/n${1:-}" pid peers
  peers=$(cat "$dir/peers" 2>/dev/null) || { echo "n$i was not started by 'start'" >&2; exit 2; }
  if [[ -f "$dir/pid" ]] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
    pid=$(cat "$dir/pid")
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    rm -f "$dir/pid"
  fi
  launch "$i" --muster.peers="$peers"
}

status() {
  for dir in "$STATE"/n*; do
    [[ -d "$dir" ]] || continue
    local id=${dir##*/} i=${dir##*/n}
    if [[ -f "$dir/pid" ]] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
      echo "$id: $(curl -s -H "Authorization: Bearer $(admin_token)" "http://127.0.0.1:$((HTTP_BASE + i))/v1/cluster" \
        || echo 'not answering')"
    else
      echo "$id: stopped"
    fi
  done
}

stop() {
  for dir in "$STATE"/n*; do
    [[ -f "$dir/pid" ]] || continue
    local pid
    pid=$(cat "$dir/pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      echo "${dir##*/}: stopped (pid $pid)"
    fi
    rm -f "$dir/pid"
  done
}

case "${1:-}" in
  start) start "${2:-3}" ;;
  join) join "${2:-}" ;;
  kill) crash "${2:-}" ;;
  restart) build; restart "${2:-}" ;;
  status) status ;;
  stop) stop ;;
  clean) stop; rm -rf "$STATE" ;;
  *) sed -n '2,14p' "$0"; exit 2 ;;
esac
