#!/usr/bin/env bash
# Two concurrent cold runs of one config on one cache (issue 17, finding 4): each zoo model is
# trained once (the second process waits on the entry's lock, then reuses it), each run gets
# its own complete folder, both exit 0 and neither races on its figures.
set -uo pipefail
bin=$1
work=$(mktemp -d /tmp/lazystack_concurrency_XXXXXX)  # no dot: --set keys split at dots
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
fail() { echo "E2E FAIL: $*" >&2; exit 1; }
cat >"$work/tiny.yaml" <<YAML
experiment: together
dataset: {name: digits, limit: 300}
profile_repeats: 3
zoo:
  - {name: softmax, arch: softmax, epochs: 2}
  - {name: mlp, arch: mlp, hidden: [32], epochs: 2}
  - {name: hog-knn, arch: hog-knn}
methods:
  single: {}
  stacker: {epochs: 20}
  cost-cascade: {}
YAML
common=(--set "cache_dir=$work/cache" --set "results_dir=$work/results")
"$bin" run "$work/tiny.yaml" "${common[@]}" >"$work/a.log" 2>&1 &
a=$!
"$bin" run "$work/tiny.yaml" "${common[@]}" >"$work/b.log" 2>&1 &
b=$!
wait $a; ca=$?
wait $b; cb=$?
[ $ca -eq 0 ] && [ $cb -eq 0 ] || { cat "$work/a.log" "$work/b.log"; fail "exit codes $ca and $cb"; }
for m in softmax mlp hog-knn; do
  n=$(cat "$work/a.log" "$work/b.log" | grep -c "\[zoo\] $m: training")
  [ "$n" -eq 1 ] || { cat "$work/a.log" "$work/b.log"; fail "$m trained $n times, expected once"; }
done
grep -q "another process is computing it" "$work/a.log" "$work/b.log" ||
  fail "neither run waited for the other (were they concurrent?)"
runs=$(ls "$work/results/together" | grep -v '^latest$')
[ "$(echo "$runs" | wc -l)" -eq 2 ] || { echo "$runs"; fail "expected two run folders"; }
for r in $runs; do
  case "$r" in *.partial) fail "run folder $r left partial" ;; esac
  [ -s "$work/results/together/$r/summary.json" ] || fail "$r: no summary.json"
  [ -s "$work/results/together/$r/results.h5" ] || fail "$r: no results.h5"
done
grep -i "gnuplot did not write\|report rendering failed" "$work/a.log" "$work/b.log" && fail "figure race"
[ -L "$work/results/together/latest" ] || fail "no latest link"
echo "E2E OK"
