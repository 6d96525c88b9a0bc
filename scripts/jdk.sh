#!/usr/bin/env bash
# Sourced by scripts/local-cluster.sh and scripts/test-tools.sh: finds the JDK that Muster runs on, the
# pom's <java.version> (25) or newer, in the places the build's toolchain discovery looks (JAVA_HOME,
# the java on PATH, /usr/lib/jvm, /opt/java, ~/.sdkman, ~/.jdks, ...). `./mvnw` itself needs no help:
# the maven-toolchains-plugin selects such a JDK for the compiler, the tests and spring-boot:run.

# The language level the build compiles for, read from the pom so that there is one place to change it.
muster_java_release() {
  sed -n 's:.*<java\.version>\([0-9][0-9]*\)</java\.version>.*:\1:p' "$(dirname "${BASH_SOURCE[0]}")/../pom.xml" | head -n 1
}

# Prints the home of the first JDK or JRE of at least that version; returns 1 if there is none.
muster_java_home() {
  local want home version on_path
  want=$(muster_java_release)
  on_path=$(command -v java 2>/dev/null) && on_path=$(dirname "$(dirname "$(readlink -f "$on_path")")")
  for home in "${JAVA_HOME:-}" "${on_path:-}" /usr/lib/jvm/* /opt/java/* /usr/java/* /usr/jdk/* \
      "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* "$HOME"/.m2/jdks/*; do
    [[ -n "$home" && -x "$home/bin/java" && -r "$home/release" ]] || continue
    version=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$home/release")
    if [[ -n "$version" && "$version" -ge "$want" ]]; then
      echo "$home"
      return 0
    fi
  done
  return 1
}
