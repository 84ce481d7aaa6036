#!/usr/bin/env bash
# The results site in a real browser (issue 16): tiny synthetic runs through the `lazystack`
# program (one single-seed run, a suite of two 2-seed runs; no training), a copy of a run with
# hostile names, a partial and an unreadable run; then `lazystack report --html` and
# browser_check.py drives headless Chromium (Debian's chromium + chromium-driver) over it:
# the index lists the runs, every link and image resolves, tables sort, names stay text.
# Screenshots are kept in ARTIFACTS (site_run_page.png, site_index.png, site_suite_page.png).
# Usage: browser_test.sh LAZYSTACK_BINARY SOURCE_DIR ARTIFACTS_DIR
set -uo pipefail
bin=$1
src=$2
artifacts=$3
work=$(mktemp -d /tmp/lazystack_site_XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "BROWSER TEST FAIL: $*" >&2; exit 1; }
command -v gnuplot >/dev/null || fail "gnuplot is needed (scripts/install-deps.sh installs it)"
for exe in /usr/bin/chromium /usr/bin/chromedriver; do
  [ -x "$exe" ] || fail "$exe missing: run scripts/install-deps.sh (Debian chromium, chromium-driver)"
done
results="$work/results"

tiny() {  # $1 = experiment name, $2 = the accuracy of the best member
  cat <<YAML
experiment: $1
dataset: {name: synthetic, classes: 4, val_size: 600, test_size: 600, seed: 1}
cost: given
profile_repeats: 1
zoo:
  - {name: small, arch: synthetic, accuracy: 0.6, correlation: 0.2, cost: 1}
  - {name: medium, arch: synthetic, accuracy: 0.75, correlation: 0.2, cost: 8}
  - {name: large, arch: synthetic, accuracy: $2, correlation: 0.2, cost: 60}
methods:
  single: {}
  ensemble: {}
  stacker: {epochs: 20}
  oracle: {}
  cost-cascade: {}
  woc: {}
  lazystack-sub: {}
YAML
}
tiny tiny 0.9 >"$work/tiny.yaml"
tiny alpha 0.85 >"$work/alpha.yaml"
tiny beta 0.92 >"$work/beta.yaml"
cat >"$work/suite.yaml" <<YAML
suite: mini
runs: [alpha.yaml, beta.yaml]
set: ["seeds=[0, 1]", "cache_dir=$work/cache"]
results_dir: $results
YAML
common=(--set "cache_dir=$work/cache" --set "results_dir=$results")

echo "== a run refreshes the site (index and its page)"
"$bin" run "$work/tiny.yaml" "${common[@]}" >"$work/run.log" 2>&1 || { cat "$work/run.log"; fail "tiny run"; }
run_id=$(basename "$(readlink -f "$results/tiny/latest")")
[ -s "$results/index.html" ] || { cat "$work/run.log"; fail "lazystack run wrote no index.html"; }
[ -s "$results/tiny/$run_id/index.html" ] || fail "lazystack run wrote no run page"
grep -q "tiny/$run_id/index.html" "$results/index.html" || fail "the index does not link the run"
grep -q "\[site\]" "$work/run.log" || fail "the run did not log the site refresh"

echo "== a suite of two 2-seed runs"
"$bin" run "$work/suite.yaml" >"$work/suite.log" 2>&1 || { cat "$work/suite.log"; fail "suite"; }
[ -s "$results/mini/index.html" ] || { cat "$work/suite.log"; fail "no suite page"; }
grep -q "table-cross-dataset" "$results/mini/index.html" || fail "suite page has no cross-dataset table"

echo "== a copy with hostile names, a partial run and an unreadable one"
hostile="$results/hostile/$run_id"
mkdir -p "$results/hostile"
cp -r "$results/tiny/$run_id" "$hostile"
/usr/bin/python3 - "$hostile/summary.json" <<'PY' || fail "could not rewrite summary.json"
import json, sys
path = sys.argv[1]
s = json.load(open(path))
s["experiment"] = "hostile"
m = s["methods"]
m["<script>window.__pwned=1</script>"] = m.pop("cost-cascade")
m["woc\"><b>bold</b>"] = m.pop("woc")
m["broken-method"] = {"method": "woc", "description": "x", "bound": False,
                      "error": "</td><script>window.__pwned=3</script>"}
s["zoo"][0]["name"] = "<img src=x onerror=\"window.__pwned=2\">"
json.dump(s, open(path, "w"), indent=1)
PY
rm -rf "$hostile/figures" "$hostile/tables" "$hostile/index.html"
"$bin" report "$hostile" >"$work/report.log" 2>&1 || { cat "$work/report.log"; fail "report on hostile names"; }
partial="$results/partial/20260101T000000Z-000000"
mkdir -p "$partial/seed-0"
cp "$results/tiny/$run_id/summary.json" "$partial/seed-0/"
sed 's/^seeds: .*/seeds: [0, 1]/' "$results/tiny/$run_id/config.resolved.yaml" >"$partial/seed-0/config.resolved.yaml"
mkdir -p "$results/broken/20260102T000000Z-000000"
echo "{not json" >"$results/broken/20260102T000000Z-000000/summary.json"

echo "== lazystack report --html"
"$bin" report --html "$results" >"$work/html.log" 2>&1 || { cat "$work/html.log"; fail "report --html"; }
cat "$work/html.log"
grep -q "6 runs" "$work/html.log" || fail "expected 6 runs in the site"

echo "== headless Chromium"
/usr/bin/python3 "$src/tests/site/browser_check.py" --root "$results" --runs 6 \
  --run-page "tiny/$run_id/index.html" --suite-page "mini/index.html" \
  --hostile-page "hostile/$run_id/index.html" \
  --hostile "<script>window.__pwned=1</script>" --hostile "woc\"><b>bold</b>" \
  --hostile "<img src=x onerror=\"window.__pwned=2\">" \
  --hostile "</td><script>window.__pwned=3</script>" \
  --artifacts "$artifacts" || fail "browser checks"
echo "screenshots: $artifacts"
echo "BROWSER TEST OK"
