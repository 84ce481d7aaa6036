#!/usr/bin/env bash
# Runs every fuzz target of build-fuzz/ for SECONDS seconds (default 25) on its checked-in
# corpus (tests/fuzz/corpus/<name>/, read only: new inputs go to a scratch folder). A crash,
# leak, UB report, timeout or out-of-memory fails the run; libFuzzer saves the input as
# crash-*/leak-*/oom-* in the current folder (add it to the corpus once fixed).
# Usage: tests/fuzz/run.sh BUILD_DIR [SECONDS]
set -euo pipefail
build=$1
seconds=${2:-25}
corpus=$(cd "$(dirname "$0")" && pwd)/corpus
status=0
for name in config csv hdf5 idx npy; do
  scratch=$(mktemp -d)
  start=$(date +%s)
  if "$build/fuzz_$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 "$scratch" "$corpus/$name" >"$scratch.log" 2>&1; then
    echo "fuzz_$name: ok, $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$scratch.log" |
      grep -o '[0-9]*$') runs in $(($(date +%s) - start)) s"
  else
    echo "fuzz_$name: FAILED"
    tail -40 "$scratch.log"
    status=1
  fi
  rm -rf "$scratch" "$scratch.log"
done
exit $status
