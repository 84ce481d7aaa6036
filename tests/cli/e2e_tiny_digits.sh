#!/usr/bin/env bash
# End to end through the `lazystack` program on a tiny digits config: a cold run to figures and
# tables, a warm run that reuses every cache entry, a corrupted logit file that is detected and
# recomputed, a bad config that exits 2 naming file:line, and `report` on good and bad folders.
set -uo pipefail
bin=$1
src=$2
work=$(mktemp -d /tmp/lazystack-e2e.XXXXXX)
trap 'rm -rf "$work"' EXIT
cfg="$src/tests/cli/tiny_digits.yaml"
common=(--set "cache_dir=$work/cache" --set "results_dir=$work/results")
fail() { echo "E2E FAIL: $*" >&2; exit 1; }

echo "== cold run"
"$bin" run "$cfg" "${common[@]}" >"$work/cold.log" 2>&1 || { cat "$work/cold.log"; fail "cold run"; }
run="$work/results/tiny_digits/latest"
for f in summary.json points.csv config.resolved.yaml results.h5 tables/headline.md \
         figures/pareto.csv figures/pareto.gp; do
  [ -s "$run/$f" ] || fail "missing $run/$f"
done
if command -v gnuplot >/dev/null; then
  for f in png svg pdf; do [ -s "$run/figures/pareto.$f" ] || fail "missing figures/pareto.$f"; done
fi
for m in single ensemble stacker oracle cost-cascade ocl; do
  grep -q "\"$m\"" "$run/summary.json" || fail "summary.json lacks method $m"
done
grep -q '"error": null' "$run/summary.json" || fail "no method succeeded"
[ "$(grep -c '^cost-cascade,curve' "$run/points.csv")" -ge 5 ] || fail "cost-cascade curve too short"
[ "$(grep -c '^ocl,curve' "$run/points.csv")" -eq 2 ] || fail "ocl curve: expected its 2 mu points"
[ -s "$run/figures/ocl_stream.csv" ] || fail "missing figures/ocl_stream.csv (online learning curve)"

echo "== warm run: everything from the cache"
"$bin" run "$cfg" "${common[@]}" >"$work/warm.log" 2>&1 || { cat "$work/warm.log"; fail "warm run"; }
if grep -qiE "training|trained " "$work/warm.log"; then cat "$work/warm.log"; fail "warm run trained"; fi
[ "$(grep -c 'reused cached result' "$work/warm.log")" -ge 4 ] || { cat "$work/warm.log"; fail "methods not reused"; }

echo "== an interrupted run resumes: only the model whose cache entries are gone is redone"
rm -f "$work"/cache/logits/digits/lenet5-*.h5 "$work"/cache/weights/digits/lenet5-*
"$bin" run "$cfg" "${common[@]}" >"$work/resume.log" 2>&1 || { cat "$work/resume.log"; fail "resume run"; }
[ "$(grep -c ': trained (' "$work/resume.log")" -eq 1 ] || { cat "$work/resume.log"; fail "resume retrained other models"; }
grep -q 'lenet5: trained (' "$work/resume.log" || { cat "$work/resume.log"; fail "lenet5 not retrained"; }
[ "$(grep -c ': from cache (' "$work/resume.log")" -eq 3 ] || { cat "$work/resume.log"; fail "others not from cache"; }

echo "== a truncated logit file is detected and recomputed"
victim=$(ls "$work"/cache/logits/digits/*.h5 | head -1)
[ -n "$victim" ] || fail "no logit cache files"
truncate -s 100 "$victim"
"$bin" run "$cfg" "${common[@]}" >"$work/repair.log" 2>&1 || { cat "$work/repair.log"; fail "repair run"; }
grep -qi "recomput" "$work/repair.log" || { cat "$work/repair.log"; fail "corruption not reported"; }
/usr/bin/python3 -c "import h5py" 2>/dev/null && {
  /usr/bin/python3 -c "import h5py,sys; f=h5py.File('$victim','r'); sys.exit(0 if f['test/logits'].shape[1]==10 else 1)" \
    || fail "repaired file not readable by h5py"
}

echo "== bad config: exit 2 naming file:line and the key, nothing run"
"$bin" run "$cfg" "${common[@]}" --set zoo.mlp.epochs=0 >"$work/bad.log" 2>&1
code=$?
[ $code -eq 2 ] || { cat "$work/bad.log"; fail "bad config exit code $code, expected 2"; }
grep -q "zoo.mlp.epochs" "$work/bad.log" || { cat "$work/bad.log"; fail "key not named"; }
printf 'experiment: x\nbogus_key: 1\n' >"$work/bad.yaml"
"$bin" validate "$work/bad.yaml" >"$work/bad2.log" 2>&1
[ $? -eq 2 ] || fail "unknown key: exit code not 2"
grep -q "bad.yaml:2:1" "$work/bad2.log" || { cat "$work/bad2.log"; fail "file:line:col not named"; }

echo "== report re-renders; a non-results folder is refused"
rm -rf "$run/figures" "$run/tables"
"$bin" report "$run" >/dev/null 2>&1 || fail "report failed"
[ -s "$run/tables/headline.md" ] || fail "report did not re-render tables"
"$bin" report "$work/cache" >"$work/rep.log" 2>&1 && fail "report on a non-results folder succeeded"
echo "E2E OK"
