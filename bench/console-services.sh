#!/usr/bin/env bash
# The web console's Services screen against one node holding 10,000 instances of one service, in headless
# Chromium driven over the DevTools protocol (bench/console-services.mjs): the time from a click on the
# service to its 10,000 instances listed, the renderer's CPU idle and while 100 status changes a second
# arrive over the live stream, that the page's status counts then equal the node's, and a cold first load
# (bytes transferred, time to the console's `muster-console-ready` mark). Bounded: about 1.5 minutes.
#
#   bench/console-services.sh          INSTANCES (10000), RATE (100/s), CHANGES (1000), IDLE_SECONDS (10),
#                                      RELOADS (3 cold loads each), SEED (of the changed ids) may be set
#
# Builds nothing: it runs target/muster-*.jar (./mvnw -DskipTests package first). Needs /usr/bin/chromium
# (Debian's chromium, as scripts/test-tools.sh installs it for the browser tests) and Node 20.10 or newer
# (its WebSocket, behind --experimental-websocket in 20; no npm packages). One node on
# free loopback ports, its data in a temporary directory; the node and Chromium are stopped by PID, and
# the directory removed, when the script ends. The box is shared: the load average at the start is printed
# with the figures, which are only as quiet as the machine was.
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=$(ls target/muster-*.jar 2>/dev/null | grep -v -e plain -e sources | head -n 1 || true)
[[ -n "$JAR" ]] || { echo "no target/muster-*.jar: build it first (./mvnw -DskipTests package)" >&2; exit 1; }
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[[ -x "$CHROMIUM" ]] || { echo "no Chromium at $CHROMIUM (apt-get install chromium, or set CHROMIUM)" >&2; exit 1; }
NODE=${NODE:-node}
"$NODE" --experimental-websocket -e 'process.exit(typeof WebSocket === "function" ? 0 : 1)' 2>/dev/null \
  || { echo "needs a Node with WebSocket (20.10 or newer; set NODE)" >&2; exit 1; }
source scripts/jdk.sh
JAVA="$(muster_java_home)/bin/java" || { echo "no JDK $(muster_java_release) or newer (scripts/jdk.sh)" >&2; exit 1; }

STATE=$(mktemp -d /tmp/muster-console-bench.XXXXXX)
NODE_PID="" CHROME_PID="" DRIVER_PID=""
cleanup() {
  [[ -n "$DRIVER_PID" ]] && kill "$DRIVER_PID" 2>/dev/null || true
  # Chromium runs in a session of its own (setsid): its group is the browser and every helper it forked.
  [[ -n "$CHROME_PID" ]] && kill -- "-$CHROME_PID" 2>/dev/null || true
  if [[ -n "$NODE_PID" ]] && kill "$NODE_PID" 2>/dev/null; then
    for _ in $(seq 1 60); do kill -0 "$NODE_PID" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$NODE_PID" 2>/dev/null || true
  fi
  [[ -n "$CHROME_PID" ]] && kill -9 -- "-$CHROME_PID" 2>/dev/null || true
  rm -rf "$STATE"
}
trap cleanup EXIT

free_port() { # a port the kernel hands out now (a tiny race with other processes, harmless on loopback)
  "$NODE" -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'
}
HTTP_PORT=$(free_port)
RAFT_PORT=$(free_port)
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
export MUSTER_TOKEN # the bootstrap admin token; handed on in the environment, never on a command line
MUSTER_TOKEN="mst_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"

# The node runs as the other benches run theirs (bench/lib.sh): security on with a bootstrap admin token,
# the per-token rate limit lifted (the console and the driver share the token), from a copy of the jar
# (a rebuild meanwhile must not change the classes under the running JVM).
cp "$JAR" "$STATE/muster.jar"
JAVA_OPTS=${JAVA_OPTS-"-XX:+UseSerialGC -Xmx512m -XX:CICompilerCount=2"}
# shellcheck disable=SC2086 # JAVA_OPTS holds separate options
MUSTER_SECURITY_BOOTSTRAP_TOKEN=$MUSTER_TOKEN "$JAVA" --sun-misc-unsafe-memory-access=allow \
  --enable-native-access=ALL-UNNAMED $JAVA_OPTS \
  -jar "$STATE/muster.jar" --spring.main.banner-mode=off \
  --server.address=127.0.0.1 --server.port="$HTTP_PORT" \
  --muster.node-id=n1 --muster.raft.port="$RAFT_PORT" --muster.peers="n1=127.0.0.1:$RAFT_PORT" \
  --muster.data-dir="$STATE/n1" \
  --muster.security.requests-per-second=1000000 --muster.security.request-burst=1000000 \
  > "$STATE/node.log" 2>&1 &
NODE_PID=$!
for attempt in $(seq 1 121); do # up to a minute until the leader has proposed the admin token
  [[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $MUSTER_TOKEN" \
    "http://127.0.0.1:$HTTP_PORT/v1/cluster")" = 200 ]] && break
  if [[ $attempt = 121 ]] || ! kill -0 "$NODE_PID" 2>/dev/null; then
    echo "the node did not accept its token within a minute" >&2; tail -n 30 "$STATE/node.log" >&2; exit 1
  fi
  sleep 0.5
done

# --remote-debugging-port=0: Chromium picks a free port and writes it to DevToolsActivePort in its profile.
setsid "$CHROMIUM" --headless=new --no-sandbox --disable-gpu --window-size=1280,900 \
  --remote-debugging-port=0 --user-data-dir="$STATE/chromium" --no-first-run --no-default-browser-check \
  --disable-extensions --disable-sync --disable-background-networking --disable-component-update \
  about:blank > "$STATE/chromium.log" 2>&1 &
CHROME_PID=$!
for _ in $(seq 1 100); do [[ -s "$STATE/chromium/DevToolsActivePort" ]] && break; sleep 0.1; done
DEVTOOLS_PORT=$(head -n 1 "$STATE/chromium/DevToolsActivePort" 2>/dev/null) \
  || { echo "Chromium gave no DevTools port" >&2; tail -n 20 "$STATE/chromium.log" >&2; exit 1; }

echo "node pid $NODE_PID on 127.0.0.1:$HTTP_PORT; Chromium pid $CHROME_PID, DevTools on $DEVTOOLS_PORT;" \
  "load average at start $LOAD_AT_START ($(nproc) cores)"
MUSTER_PORT=$HTTP_PORT DEVTOOLS_PORT=$DEVTOOLS_PORT CHROME_PID=$CHROME_PID LOAD_AT_START=$LOAD_AT_START \
  "$NODE" --experimental-websocket --no-warnings bench/console-services.mjs &
DRIVER_PID=$! # in the background, so that a signal to this script reaches the trap at once
wait "$DRIVER_PID"
