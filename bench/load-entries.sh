#!/usr/bin/env bash
# bench/load-entries.sh URL COUNT [WORKDIR]: writes COUNT entries of 100 bytes (keys load/entry-<i>)
# through URL, as transactions of 100 puts from 8 concurrent clients (bench/LoadEntries.java).
set -euo pipefail
cd "$(dirname "$0")/.."
java bench/LoadEntries.java "$1" "$2" 8
