#!/usr/bin/env bash
# JMH microbenchmarks of the deterministic core and the view (src/jmh/java; never part of ./mvnw verify):
#   ApplyBenchmark       apply of each command kind on a store of 10,000 keys (ns per command)
#   CodecBenchmark       command, log entry and result encode/decode, 64 B and 4 KiB values
#   SnapshotBenchmark    snapshot write and load of 1,000,000 entries of 100 bytes (ms, file size printed)
#   ProjectionBenchmark  the H2 view's projection of applied puts (µs per entry)
#
#   bench/jmh.sh                         all of them (about 8 minutes)
#   bench/jmh.sh ApplyBenchmark          one (any JMH arguments: a pattern, -f, -i, -wi, -prof gc, ...)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -ntp -Pjmh test-compile exec:exec -Djmh.args="${*:-.*Benchmark}"
