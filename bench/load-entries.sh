#!/usr/bin/env bash
# bench/load-entries.sh URL COUNT WORKDIR: writes COUNT entries of 100 bytes (keys load/entry-<i>)
# through URL, as transactions of 100 puts from 8 parallel curl workers.
set -euo pipefail
url=$1 count=$2 work=$3 batch=100
body() { # a txn putting $batch keys starting at $1
  local ops="" i
  for ((i = $1; i < $1 + batch; i++)); do
    ops+="${ops:+,}{\"op\":\"put\",\"key\":\"load/entry-$i\",\"value\":\"$(printf '%0100d' "$i")\"}"
  done
  printf '{"then":[%s]}\n' "$ops"
}
for ((start = 0; start < count; start += batch)); do
  body "$start"
done > "$work/txns.jsonl"
split -n l/8 "$work/txns.jsonl" "$work/part."
for part in "$work"/part.*; do
  (while IFS= read -r line; do
     curl -H "$AUTH" -sf -o /dev/null -X POST "$url/v1/txn" -H 'Content-Type: application/json' --data "$line"
   done < "$part") &
done
wait
rm -f "$work/txns.jsonl" "$work"/part.*
