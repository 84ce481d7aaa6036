#!/usr/bin/env bash
# `lazystack run SUITE --jobs N` and `--only NAME` through the program (a few seconds): a suite
# of three tiny synthetic experiments run on 2 processes gives the same summaries as the same
# suite run in one process (separate caches, one thread each, so nothing is shared or reused);
# each experiment's output is in <suite>/logs/; --only runs one experiment into the suite's
# folder; bad combinations exit 2 before any work.
set -uo pipefail
bin=$1
src=$2
work=$(mktemp -d /tmp/lazystack_jobs_XXXXXX)  # no dot: --set keys split at dots
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
fail() { echo "E2E FAIL: $*" >&2; exit 1; }
export LAZYSTACK_THREADS=1

for c in 3 5 8; do
  cat >"$work/c$c.yaml" <<YAML
experiment: jobs-c$c
dataset: {name: synthetic, classes: $c, val_size: $((300 * c)), test_size: 600, seed: $c}
cost: given
profile_repeats: 1
zoo:
  - {name: a, arch: synthetic, accuracy: 0.6, correlation: 0.2, cost: 1}
  - {name: b, arch: synthetic, accuracy: 0.7, correlation: 0.2, cost: 3}
  - {name: c, arch: synthetic, accuracy: 0.8, correlation: 0.2, cost: 10}
methods:
  single: {}
  stacker: {cv_folds: 0, epochs: 5}
  cost-cascade: {}
  woc: {}
YAML
done
printf 'suite: jobs\nruns: [c3.yaml, c5.yaml, c8.yaml]\n' >"$work/suite.yaml"

echo "== --jobs 2: three experiments on two processes, logs per experiment, exit 0"
"$bin" run "$work/suite.yaml" --jobs 2 --set "cache_dir=$work/cache-par" \
  --set "results_dir=$work/par" >"$work/par.log" 2>&1 || { cat "$work/par.log"; fail "--jobs 2: exit $?"; }
grep -q "3 experiments, 2 at once" "$work/par.log" || { cat "$work/par.log"; fail "no plan line"; }
# The largest experiment (8 classes) starts first.
first=$(grep -o "\[suite\] jobs-c[0-9]* started" "$work/par.log" | head -n 1)
[ "$first" = "[suite] jobs-c8 started" ] || { cat "$work/par.log"; fail "first started: $first"; }
for c in 3 5 8; do
  [ -s "$work/par/jobs/logs/jobs-c$c.log" ] || fail "no log for jobs-c$c"
  grep -q "\[run\] done" "$work/par/jobs/logs/jobs-c$c.log" || fail "jobs-c$c's log does not end the run"
  [ -s "$work/par/jobs/jobs-c$c/latest/summary.json" ] || fail "no run folder for jobs-c$c"
done
python3 - "$work/par/jobs/runs.json" <<'PY' || fail "runs.json"
import json, os, sys
runs = json.load(open(sys.argv[1]))
assert sorted(runs) == ["jobs-c3", "jobs-c5", "jobs-c8"], runs
assert all(os.path.isfile(os.path.join(d, "summary.json")) for d in runs.values()), runs
PY
[ -s "$work/par/jobs/tables/summary.md" ] || fail "no cross-dataset table"

echo "== the same suite in one process: the same summaries"
"$bin" run "$work/suite.yaml" --set "cache_dir=$work/cache-seq" --set "results_dir=$work/seq" \
  >"$work/seq.log" 2>&1 || { cat "$work/seq.log"; fail "serial suite: exit $?"; }
for c in 3 5 8; do
  python3 "$src/scripts/compare_summaries.py" "$work/seq/jobs/jobs-c$c/latest/summary.json" \
    "$work/par/jobs/jobs-c$c/latest/summary.json" --ignore logits_path --ignore logits_checksum \
    --ignore latency_ms >"$work/diff-c$c.txt" 2>&1 ||
    { cat "$work/diff-c$c.txt"; fail "jobs-c$c differs between --jobs 2 and one process"; }
done

# The comparison can fail: two different experiments differ.
python3 "$src/scripts/compare_summaries.py" "$work/seq/jobs/jobs-c3/latest/summary.json" \
  "$work/seq/jobs/jobs-c5/latest/summary.json" >/dev/null && fail "compare_summaries found no difference"

echo "== --only: one experiment into the suite's folder; the suite's runs.json is kept"
before=$(cat "$work/par/jobs/runs.json")
"$bin" run "$work/suite.yaml" --only jobs-c5 --set "cache_dir=$work/cache-par" \
  --set "results_dir=$work/par" >"$work/only.log" 2>&1 || { cat "$work/only.log"; fail "--only: exit $?"; }
[ "$(ls -d "$work/par/jobs/jobs-c5/"20* | wc -l)" -eq 2 ] || fail "--only did not add a run of jobs-c5"
[ "$(ls -d "$work/par/jobs/jobs-c3/"20* | wc -l)" -eq 1 ] || fail "--only ran another experiment"
[ "$before" = "$(cat "$work/par/jobs/runs.json")" ] || fail "--only rewrote runs.json"

echo "== killing the suite stops its experiments too (SIGTERM is passed on)"
for c in 1 2; do
  cat >"$work/slow$c.yaml" <<YAML
experiment: slow-$c
dataset: {name: synthetic, classes: 4, val_size: 4000, test_size: 1000, seed: $c}
cost: given
profile_repeats: 1
zoo:
  - {name: a, arch: synthetic, accuracy: 0.6, correlation: 0.2, cost: 1}
  - {name: b, arch: synthetic, accuracy: 0.8, correlation: 0.2, cost: 3}
methods:
  stacker: {cv_folds: 0, epochs: 100000, patience: 100000}
YAML
done
printf 'suite: slow\nruns: [slow1.yaml, slow2.yaml]\n' >"$work/slow.yaml"
"$bin" run "$work/slow.yaml" --jobs 2 --set "cache_dir=$work/cache-slow" \
  --set "results_dir=$work/slowres" >"$work/slow.log" 2>&1 &
parent=$!
for _ in $(seq 1 300); do  # both children running (at most 30 s)
  [ "$(grep -c "started (pid" "$work/slow.log")" -eq 2 ] && break
  sleep 0.1
done
[ "$(grep -c "started (pid" "$work/slow.log")" -eq 2 ] || { cat "$work/slow.log"; fail "children did not start"; }
children=$(sed -n 's/.*started (pid \([0-9]*\).*/\1/p' "$work/slow.log")
sleep 1
kill -TERM $parent
wait $parent
code=$?
[ $code -eq 1 ] || { cat "$work/slow.log"; fail "killed suite: exit $code, expected 1"; }
grep -q "stopped by signal 15" "$work/slow.log" || { cat "$work/slow.log"; fail "no stop message"; }
for pid in $children; do
  ! kill -0 "$pid" 2>/dev/null || { kill -9 "$pid"; fail "child $pid outlived the suite"; }
done

echo "== bad combinations exit 2 before any work"
expect2() {
  local what=$1 pattern=$2; shift 2
  "$bin" "$@" >"$work/bad.log" 2>&1
  local code=$?
  [ $code -eq 2 ] || { cat "$work/bad.log"; fail "$what: exit $code, expected 2"; }
  grep -q -- "$pattern" "$work/bad.log" || { cat "$work/bad.log"; fail "$what: no '$pattern'"; }
}
expect2 "--only with an unknown name" "it has: jobs-c3, jobs-c5, jobs-c8" \
  run "$work/suite.yaml" --only nope --set "results_dir=$work/bad"
expect2 "--jobs on one experiment" "--jobs takes a suite" run "$work/c3.yaml" --jobs 2 \
  --set "results_dir=$work/bad"
expect2 "--only on one experiment" "--only takes a suite" run "$work/c3.yaml" --only jobs-c3 \
  --set "results_dir=$work/bad"
expect2 "--jobs with --only" "one experiment runs in one process" run "$work/suite.yaml" \
  --jobs 2 --only jobs-c3 --set "results_dir=$work/bad"
expect2 "--jobs with slurm" "the local executor's" run "$work/suite.yaml" --jobs 2 \
  --executor slurm --set "results_dir=$work/bad"
expect2 "--jobs 0" "jobs" run "$work/suite.yaml" --jobs 0
[ ! -e "$work/bad" ] || fail "a refused command wrote results"
echo "e2e_suite_jobs: ok"
