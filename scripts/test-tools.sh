#!/usr/bin/env bash
# Installs what the test suite needs beyond a JDK, when missing (Debian, as root): iproute2 and
# iptables for the fault histories' network partitions, libfaketime for their clock skew, promtool for
# HealthIT's check of /actuator/prometheus (taken out of Debian's prometheus package into
# /usr/local/bin, so that no Prometheus server is installed or started), chromium and chromium-driver
# (/usr/bin/chromium, /usr/bin/chromedriver) for the console's browser tests (io.muster.it.Browser). Sourced by
# .ci/run and scripts/soak.sh, which then require the tools (MUSTER_FAULTS_TOOLS=required) so that a
# missing one fails the run rather than skipping the histories that need it.
#
# The build compiles and tests on a JDK 25 that it finds by itself (the pom's maven-toolchains-plugin);
# Maven may run on any JDK 17 or newer. Debian 12 packages no JDK 25, so a missing one is reported, not
# installed: put one where the discovery looks (/usr/lib/jvm, /opt/java, JAVA_HOME, ~/.sdkman, ...).
source "$(dirname "${BASH_SOURCE[0]}")/jdk.sh"
if ! muster_java_home >/dev/null; then
  echo "no JDK $(muster_java_release) or newer found: install one (e.g. Temurin's) under /usr/lib/jvm or /opt/java" >&2
  exit 1
fi
missing=()
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v iptables >/dev/null 2>&1 || missing+=(iptables)
[ -r /usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1 ] || missing+=(faketime)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
promtool=no
[ -x /usr/bin/promtool ] || [ -x /usr/local/bin/promtool ] || promtool=missing
if [ ${#missing[@]} -gt 0 ] || [ "$promtool" = missing ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    if [ ${#missing[@]} -gt 0 ]; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
    fi
    if [ "$promtool" = missing ]; then
      deb_dir=$(mktemp -d)
      (cd "$deb_dir" && apt-get download -qq prometheus \
        && dpkg-deb --fsys-tarfile prometheus_*.deb | tar -xO ./usr/bin/promtool > /usr/local/bin/promtool) \
        && chmod 755 /usr/local/bin/promtool
      rm -rf "$deb_dir"
    fi
  else
    echo "missing: ${missing[*]} ${promtool/no/} (install them as root, or run as root on Debian)" >&2
    exit 1
  fi
fi
if [ "$(id -u)" != 0 ]; then
  echo "the fault histories create network namespaces and iptables rules: run as root" >&2
  exit 1
fi
export MUSTER_FAULTS_TOOLS=required
