#!/usr/bin/env bash
# Failure behaviour through the `lazystack` program (issue 17, findings 5, 7 and 8), seconds:
# a failed write (ulimit -f) exits non-zero with a message and leaves no file; a run whose zoo
# member or method failed exits 3 naming them on its last line; a run killed between seeds
# stays <run-id>.partial and `report` refuses it, and the next run removes it (its process is
# gone; a live run's is kept); temporaries of dead processes are removed at
# start-up; xgboost reloads its cached weights instead of training again.
set -uo pipefail
bin=$1
work=$(mktemp -d /tmp/lazystack_failures_XXXXXX)  # no dot: --set keys split at dots
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
fail() { echo "E2E FAIL: $*" >&2; exit 1; }
common=(--set "cache_dir=$work/cache" --set "results_dir=$work/results")

echo "== a write that fails (ulimit -f 5) exits non-zero with a message, no crash, no file"
awk 'BEGIN { srand(3); printf "c0"; for (c = 1; c < 10; c++) printf ",c%d", c; print ",label"
  for (i = 0; i < 2000; i++) { for (c = 0; c < 10; c++) printf "%.4f,", rand(); print i % 10 } }' \
  >"$work/val.csv"
cp "$work/val.csv" "$work/test.csv"
mkdir -p "$work/out"
(ulimit -f 5; exec "$bin" import --name m --val-csv "$work/val.csv" --test-csv "$work/test.csv" \
  --cost 1 -o "$work/out/m.h5") >"$work/import.log" 2>&1
code=$?
{ [ $code -ne 0 ] && [ $code -lt 128 ]; } || { cat "$work/import.log"; fail "import under ulimit -f: exit $code"; }
grep -q "File too large" "$work/import.log" || { cat "$work/import.log"; fail "no clear message"; }
[ -z "$(ls -A "$work/out")" ] || { ls -l "$work/out"; fail "files left after a failed write"; }
"$bin" import --name m --val-csv "$work/val.csv" --test-csv "$work/test.csv" --cost 1 \
  -o "$work/out/m.h5" >"$work/import.log" 2>&1 || { cat "$work/import.log"; fail "import without a limit"; }

echo "== a failed zoo member and a failed method: the run completes, exits 3, names both last"
awk 'BEGIN { srand(7); print "x1,x2,x3,label"
  for (i = 0; i < 150; i++) { c = i % 3; printf "%.3f,%.3f,%.3f,%d\n", 2 * c + rand(), 3 * rand() - c, rand(), c } }' \
  >"$work/flowers.csv"
echo "this is not a TorchScript archive" >"$work/garbage.pt"
cat >"$work/tab.yaml" <<YAML
experiment: failures
dataset: {name: csv, path: $work/flowers.csv, label: label, val_fraction: 0.4, test_fraction: 0.3}
profile_repeats: 3
zoo:
  - {name: nb, arch: gaussian-nb}
  - {name: xgb, arch: xgboost, rounds: 5, depth: 2}
  - {name: broken, arch: torchscript, path: $work/garbage.pt, input_shape: [3]}
methods:
  single: {}
  stacker: {epochs: 10}
  ocl: {expert: broken}
YAML
"$bin" run "$work/tab.yaml" "${common[@]}" >"$work/tab.log" 2>"$work/tab.err"
code=$?
[ $code -eq 3 ] || { cat "$work/tab.log" "$work/tab.err"; fail "partly failed run: exit $code, expected 3"; }
last=$(tail -n 1 "$work/tab.err")
case "$last" in *"zoo member 'broken'"*"method 'ocl'"*) ;; *) fail "last line names no failures: $last" ;; esac
[ -s "$work/results/failures/latest/summary.json" ] || fail "the partly failed run wrote no results"
grep -q "xgb: training" "$work/tab.err" || { cat "$work/tab.err"; fail "xgboost did not train"; }

echo "== xgboost reloads its cached weights (logits recomputed under another key)"
"$bin" run "$work/tab.yaml" "${common[@]}" --set profile_repeats=2 >"$work/tab2.log" 2>"$work/tab2.err"
[ $? -eq 3 ] || { cat "$work/tab2.err"; fail "second run: exit not 3"; }
grep -q "xgb: loaded weights" "$work/tab2.err" || { cat "$work/tab2.err"; fail "xgboost weights not loaded"; }
grep -q "xgb: training" "$work/tab2.err" && { cat "$work/tab2.err"; fail "xgboost trained again"; }
ls "$work/cache/weights/"*/xgb-*.json >/dev/null || fail "no xgboost weights file"
head -c 1 "$work/cache/weights/"*/xgb-*.json | grep -q '{' || fail "xgboost weights are not JSON"

echo "== logits made under another thread count are another cache entry"
LAZYSTACK_THREADS=1 "$bin" run "$work/tab.yaml" "${common[@]}" --set profile_repeats=2 >"$work/tab1t.log" 2>&1
grep -q "nb: from cache" "$work/tab1t.log" && { cat "$work/tab1t.log"; fail "logits of 2 threads reused under 1"; }

echo "== bad data (a ragged CSV) exits 2; a run under a file-size limit fails cleanly"
printf 'x1,x2,label\n1,2,0\n3,1\n' >"$work/ragged.csv"
sed "s|path: $work/flowers.csv|path: $work/ragged.csv|" "$work/tab.yaml" >"$work/ragged.yaml"
"$bin" run "$work/ragged.yaml" "${common[@]}" >"$work/ragged.log" 2>&1
code=$?
[ $code -eq 2 ] || { cat "$work/ragged.log"; fail "ragged CSV: exit $code, expected 2"; }
(ulimit -f 8; exec "$bin" run "$work/tab.yaml" --set "cache_dir=$work/cache-f" \
  --set "results_dir=$work/results-f") >"$work/limit.log" 2>&1
code=$?
{ [ $code -ne 0 ] && [ $code -lt 128 ]; } || { cat "$work/limit.log"; fail "run under ulimit -f: exit $code"; }
grep -q "File too large" "$work/limit.log" || { cat "$work/limit.log"; fail "run under ulimit -f: no message"; }
[ -z "$(find "$work/cache-f" "$work/results-f" -name '*.tmp-*' 2>/dev/null)" ] || fail "temporaries left"

echo "== a torch weights write that fails is a warning, not an abort"
sed -e 's/^experiment: failures/experiment: torchw/' -e '/^  - {name: xgb/d' -e '/^  - {name: broken/d' \
  -e '/^  ocl:/d' -e 's/^  - {name: nb, arch: gaussian-nb}/  - {name: wide, arch: mlp, hidden: [4096], epochs: 1}/' \
  "$work/tab.yaml" >"$work/torchw.yaml"
(ulimit -f 40; exec "$bin" run "$work/torchw.yaml" --set "cache_dir=$work/cache-w" \
  --set "results_dir=$work/results-w") >"$work/torchw.log" 2>&1
code=$?
[ $code -lt 128 ] || { cat "$work/torchw.log"; fail "torch weights write under ulimit -f: exit $code"; }
grep -q "wide: cannot cache weights.*File too large" "$work/torchw.log" || { cat "$work/torchw.log"; fail "no weights warning"; }
[ -z "$(find "$work/cache-w" -name '*.pt*')" ] || fail "a weights file or temporary was left"

echo "== a suite goes on past a failed experiment and exits 3"
cat >"$work/bad.yaml" <<YAML
experiment: allbad
dataset: {name: csv, path: $work/flowers.csv, label: label}
zoo:
  - {name: broken, arch: torchscript, path: $work/garbage.pt, input_shape: [3]}
methods:
  single: {}
YAML
sed -e 's/^experiment: failures/experiment: fine/' -e '/^  - {name: broken/d' -e '/^  ocl:/d' \
  "$work/tab.yaml" >"$work/fine.yaml"
printf 'suite: s\nruns: [bad.yaml, fine.yaml]\nresults_dir: %s\nset: ["cache_dir=%s"]\n' \
  "$work/results-s" "$work/cache" >"$work/suite.yaml"
"$bin" run "$work/suite.yaml" >"$work/suite.log" 2>&1
code=$?
[ $code -eq 3 ] || { cat "$work/suite.log"; fail "suite with a failed experiment: exit $code, expected 3"; }
tail -n 1 "$work/suite.log" | grep -q "experiment 'allbad'" || fail "suite: failure not on the last line"
[ -s "$work/results-s/s/fine/latest/summary.json" ] || fail "suite stopped at the failed experiment"

echo "== the same suite on two processes (--jobs 2): exit 3, the failure names the child's log"
"$bin" run "$work/suite.yaml" --jobs 2 --set "results_dir=$work/results-j" >"$work/suite-j.log" 2>&1
code=$?
[ $code -eq 3 ] || { cat "$work/suite-j.log"; fail "--jobs 2 suite with a failed experiment: exit $code"; }
tail -n 1 "$work/suite-j.log" | grep -q "experiment 'allbad' of suite 's' failed (exit [0-9]*); log .*/logs/allbad.log" ||
  { tail -n 3 "$work/suite-j.log"; fail "--jobs 2: failure not named with its log on the last line"; }
grep -q "the log ends:" "$work/suite-j.log" || fail "--jobs 2: the failed child's log is not shown"
[ -s "$work/results-j/s/fine/latest/summary.json" ] || fail "--jobs 2: the good experiment did not run"
grep -q '"fine"' "$work/results-j/s/runs.json" || fail "--jobs 2: runs.json lacks the good experiment"

echo "== temporaries of dead processes are removed at start-up, live ones kept"
sleep 0.1 &
dead=$!
wait $dead
logits_dir=$(dirname "$(ls "$work/cache/logits/"*/nb-*.h5 | head -n 1)")
touch "$logits_dir/nb.tmp-$dead-0123abcd.h5" "$logits_dir/old.h5.tmp.$dead" "$logits_dir/live.tmp-$$-0123abcd.h5"
"$bin" run "$work/tab.yaml" "${common[@]}" >"$work/tab3.log" 2>&1
[ $? -eq 3 ] || fail "third run: exit not 3"
[ ! -e "$logits_dir/nb.tmp-$dead-0123abcd.h5" ] || fail "orphaned temporary kept"
[ ! -e "$logits_dir/old.h5.tmp.$dead" ] || fail "orphaned temporary (old form) kept"
[ -e "$logits_dir/live.tmp-$$-0123abcd.h5" ] || fail "a live process's temporary was removed"

echo "== a run killed between seeds stays .partial; report refuses it"
cat >"$work/seeds.yaml" <<YAML
experiment: killed
dataset: {name: synthetic, classes: 4, val_size: 2000, test_size: 2000, seed: 1}
cost: given
profile_repeats: 1
seeds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]
zoo:
  - {name: a, arch: synthetic, accuracy: 0.6, correlation: 0.2, cost: 1}
  - {name: b, arch: synthetic, accuracy: 0.8, correlation: 0.2, cost: 10}
methods:
  single: {}
  stacker: {epochs: 30}
  cost-cascade: {}
YAML
"$bin" run "$work/seeds.yaml" "${common[@]}" >"$work/seeds.log" 2>&1 &
pid=$!
for _ in $(seq 600); do
  ls "$work"/results/killed/*.partial/seed-0/results.h5 >/dev/null 2>&1 && break
  sleep 0.05
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
partial=$(ls -d "$work"/results/killed/*.partial 2>/dev/null | head -n 1)
[ -n "$partial" ] || { ls -R "$work/results"; cat "$work/seeds.log"; fail "no .partial folder after the kill (run too fast?)"; }
[ -s "$partial/seed-0/summary.json" ] || fail "seed 0 was not written before the kill"
[ -z "$(ls "$work/results/killed" | grep -v '\.partial$')" ] || fail "a killed run left a complete-looking folder"
"$bin" report "$partial" >"$work/report.log" 2>&1
code=$?
[ $code -eq 2 ] || { cat "$work/report.log"; fail "report on a killed run: exit $code, expected 2"; }
grep -q "incomplete run" "$work/report.log" || { cat "$work/report.log"; fail "report gave no clear message"; }
"$bin" report "$partial/seed-0" >"$work/report.log" 2>&1 && fail "report rendered a seed of a killed run"
"$bin" report --html "$work/results" >"$work/site.log" 2>&1 || { cat "$work/site.log"; fail "site"; }
grep -q "partial" "$work/results/index.html" && fail "the site lists a killed run"
echo "== the next run removes the killed run's .partial folder (its process is gone), keeps a live one's"
[ -s "$partial/.owner.json" ] || fail "the .partial folder does not record its writer"
live="$work/results/killed/20990101T000000Z-000000-0000.partial"
mkdir -p "$live"
printf '{"pid": %d, "host": "%s"}\n' $$ "$(cat /proc/sys/kernel/hostname)" >"$live/.owner.json"
"$bin" run "$work/tab.yaml" "${common[@]}" >"$work/tab4.log" 2>&1
[ $? -eq 3 ] || { cat "$work/tab4.log"; fail "fourth run: exit not 3"; }
[ ! -e "$partial" ] || fail "the killed run's .partial folder was kept"
grep -qF "removed $partial" "$work/tab4.log" || { cat "$work/tab4.log"; fail "no line for the removed folder"; }
[ -d "$live" ] || fail "a live run's .partial folder was removed"
[ -z "$(find "$work/results" -name .owner.json -not -path '*.partial/*')" ] || fail "a complete run kept its owner record"
echo "E2E OK"
