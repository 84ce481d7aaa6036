#!/usr/bin/env bash
# Names are data, never code or paths (issue 17, findings 1 and 3), through the `lazystack`
# program: a hostile name in a config or through --set exits 2 before any work and runs
# nothing; a results folder whose summary.json carries hostile names renders through
# `lazystack report` without running them; a name cannot move a run out of results_dir.
set -uo pipefail
bin=$1
work=$(mktemp -d /tmp/lazystack_names_XXXXXX)  # no dot: --set keys split at dots
trap 'rm -rf "$work"' EXIT
fail() { echo "E2E FAIL: $*" >&2; exit 1; }
command -v gnuplot >/dev/null || fail "gnuplot is needed (scripts/install-deps.sh installs it)"
marker="$work/PWNED"
cat >"$work/tiny.yaml" <<YAML
experiment: names
dataset: {name: synthetic, classes: 4, val_size: 400, test_size: 400, seed: 1}
cost: given
profile_repeats: 1
zoo:
  - {name: a, arch: synthetic, accuracy: 0.6, correlation: 0.2, cost: 1}
  - {name: b, arch: synthetic, accuracy: 0.8, correlation: 0.2, cost: 10}
methods:
  single: {}
  stacker: {epochs: 5}
  cost-cascade: {}
YAML
common=(--set "cache_dir=$work/cache" --set "results_dir=$work/results")

echo "== hostile names in a config or through --set: exit 2, nothing run, nothing written"
expect_refused() {  # $1 = label, rest = lazystack arguments
  local label=$1; shift
  "$bin" "$@" >"$work/out.log" 2>&1
  local code=$?
  [ $code -eq 2 ] || { cat "$work/out.log"; fail "$label: exit $code, expected 2"; }
  [ ! -e "$marker" ] || fail "$label: a name ran a command"
  [ ! -e "$work/results" ] || fail "$label: results were written"
  grep -q "not a valid" "$work/out.log" || { cat "$work/out.log"; fail "$label: no clear error"; }
}
expect_refused "method name via --set" run "$work/tiny.yaml" "${common[@]}" \
  --set "methods.x\`touch $marker\`={method: single}"
expect_refused "experiment via --set" run "$work/tiny.yaml" "${common[@]}" \
  --set "experiment=x\`touch $marker\`"
expect_refused "experiment=.." run "$work/tiny.yaml" "${common[@]}" --set "experiment=.."
expect_refused "experiment with a slash" run "$work/tiny.yaml" "${common[@]}" --set "experiment=a/b"
expect_refused "validate" validate "$work/tiny.yaml" --set "experiment=.."
sed "s/^  cost-cascade: {}/  \"w\`touch ${marker//\//\\/}\`\": {method: woc}/" "$work/tiny.yaml" >"$work/hostile.yaml"
grep -q touch "$work/hostile.yaml" || fail "test setup: hostile config not written"
expect_refused "method name in the file" run "$work/hostile.yaml" "${common[@]}"
grep -q "hostile.yaml:11:" "$work/out.log" || { cat "$work/out.log"; fail "file:line not named"; }

echo "== a clean run, then its summary.json rewritten with hostile names: report runs none"
"$bin" run "$work/tiny.yaml" "${common[@]}" >"$work/run.log" 2>&1 || { cat "$work/run.log"; fail "clean run"; }
run="$work/results/names/latest"
[ -s "$run/summary.json" ] || fail "no summary.json"
run=$(readlink -f "$run")
mkdir -p "$run-evil"
/usr/bin/python3 - "$run/summary.json" "$marker" <<'PY' || fail "could not rewrite summary.json"
import json, sys
path, marker = sys.argv[1], sys.argv[2]
s = json.load(open(path))
# Plain backquotes in the names a title shows; every trick (quotes of both kinds, a newline
# that would end a comment line, a macro, a shell substitution) in the names of methods and
# models.
plain = lambda name, i: f"{name}`touch {marker}{i}`"
evil = lambda name, i: f"{name}`touch {marker}{i}`'\"`touch {marker}{i}b`\"\n@x$(touch {marker}{i}c)"
s["experiment"], s["dataset"], s["domain"] = plain("exp", 1), plain("data", 2), plain("dom", 3)
s["methods"] = {evil(k, 10 + i): v for i, (k, v) in enumerate(s["methods"].items())}
for i, z in enumerate(s["zoo"]):
    z["name"] = evil(z["name"], 30 + i)
s["reference"]["best_single"]["name"] = evil("best", 40)
json.dump(s, open(path, "w"))
# A second folder, every name with every trick (the newline in the dataset's name once made
# the rest of a comment line a command).
s["experiment"], s["dataset"], s["domain"] = evil("exp", 1), evil("data", 2), evil("dom", 3)
json.dump(s, open(path.replace("/summary.json", "-evil/summary.json"), "w"))
PY
rm -rf "$run/figures" "$run/tables"
"$bin" report "$run" >"$work/report.log" 2>&1 || { cat "$work/report.log"; fail "report on hostile names failed"; }
ls "$work" | grep -q PWNED && fail "report ran a command from a name in summary.json"
[ -s "$run/figures/pareto.png" ] || { cat "$work/report.log"; fail "pareto.png not rendered"; }
[ -s "$run/tables/headline.md" ] || fail "headline table not rendered"
"$bin" report "$run-evil" >"$work/report2.log" 2>&1 || { cat "$work/report2.log"; fail "report on hostile names failed"; }
ls "$work" | grep -q PWNED && fail "report ran a command from a name in summary.json"
[ -s "$run-evil/figures/pareto.png" ] || { cat "$work/report2.log"; fail "pareto.png not rendered"; }
echo "E2E OK"
