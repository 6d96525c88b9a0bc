#!/usr/bin/env bash
# Installs what the test suite needs beyond a JDK 17, when missing (Debian, as root): iproute2 and
# iptables for the fault histories' network partitions, libfaketime for their clock skew, promtool (in
# Debian's prometheus package) for HealthIT's check of /actuator/prometheus. Sourced by
# .ci/run and scripts/soak.sh, which then require the tools (MUSTER_FAULTS_TOOLS=required) so that a
# missing one fails the run rather than skipping the histories that need it.
missing=()
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v iptables >/dev/null 2>&1 || missing+=(iptables)
[ -r /usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1 ] || missing+=(faketime)
[ -x /usr/bin/promtool ] || missing+=(prometheus)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  else
    echo "missing: ${missing[*]} (install them as root, or run as root on Debian)" >&2
    exit 1
  fi
fi
if [ "$(id -u)" != 0 ]; then
  echo "the fault histories create network namespaces and iptables rules: run as root" >&2
  exit 1
fi
export MUSTER_FAULTS_TOOLS=required
