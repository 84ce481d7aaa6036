#!/bin/sh
# Imported outputs with per-sample costs on the featureless `imported` dataset: the Meter charges
# each sample its own cost, so a cost-cascade's charged cost is the hand-computed one, and not
# what one cost per model would give. A cost table without the model is refused (exit 2,
# nothing written). Usage: import_sample_costs.sh LAZYSTACK_BINARY
set -eu
bin=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export LAZYSTACK_CACHE="$dir/cache"

# Probabilities over 3 classes: `hi` on the label, the rest shared equally.
# rows N HI_EVEN HI_ODD: labels 0,1,2,0,1,...; even rows put HI_EVEN on the label, odd HI_ODD.
rows() {
  awk -v n="$1" -v he="$2" -v ho="$3" 'BEGIN {
    print "p0,p1,p2,label"
    for (i = 0; i < n; i++) {
      y = i % 3; hi = (i % 2 == 0) ? he : ho; lo = (1 - hi) / 2
      line = ""
      for (c = 0; c < 3; c++) line = line (c ? "," : "") (c == y ? hi : lo)
      print line "," y
    }
  }'
}
rows 60 0.9 0.4 >"$dir/a_val.csv"
rows 60 0.8 0.8 >"$dir/b_val.csv"
rows 4 0.9 0.9 | awk 'NR <= 3 || NR > 5' >"$dir/a_test.csv"  # samples 0, 1 confident
rows 4 0.4 0.4 | awk 'NR == 4 || NR == 5' >>"$dir/a_test.csv"  # samples 2, 3 at 0.4
rows 4 0.8 0.8 >"$dir/b_test.csv"
# Per-sample costs (say dollars per query); a is cheaper on val, so it runs first.
awk 'BEGIN { print "a,b"; for (i = 0; i < 60; i++) print "1,10" }' >"$dir/val_costs.csv"
printf 'b,a\n10,1\n20,2\n30,3\n40,4\n' >"$dir/test_costs.csv"
for m in a b; do
  "$bin" -q import --name $m --val "$dir/${m}_val.csv" --test "$dir/${m}_test.csv" \
    --kind probabilities --val-costs "$dir/val_costs.csv" --test-costs "$dir/test_costs.csv" \
    -o "$dir/$m.h5" >/dev/null || fail "import of $m failed"
done

cat >"$dir/costs.yaml" <<YAML
experiment: costs
dataset: {name: imported, labels: $dir/a.h5}
cost: given
results_dir: $dir/results
zoo:
  - {name: b, source: import, path: $dir/b.h5}
  - {name: a, source: import, path: $dir/a.h5}
methods:
  single: {}
  cost-cascade: {thresholds: [0.5]}
YAML
"$bin" -q run "$dir/costs.yaml" >/dev/null || fail "run failed"

# Cascade a -> b at threshold 0.5: samples 0, 1 exit after a (cost 1, 2); samples 2, 3 run a
# and b (3 + 30, 4 + 40): mean (1 + 2 + 33 + 44) / 4 = 20. One cost per model (the val means
# 1 and 10) would charge (1 + 1 + 11 + 11) / 4 = 6.
/usr/bin/python3 - "$dir/results/costs/latest/summary.json" "$dir/a.h5" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
cascade = s["methods"]["cost-cascade"]
if cascade["error"]: sys.exit("cost-cascade failed: %s" % cascade["error"])
points = {p["knob"]["threshold"]: p for p in cascade["curve"]}
if abs(points[0.5]["mean_cost"] - 20.0) > 1e-9:
    sys.exit("cascade cost at 0.5: %s, expected 20" % points[0.5]["mean_cost"])
if abs(points[0.5]["mean_models"] - 1.5) > 1e-9:
    sys.exit("cascade models at 0.5: %s, expected 1.5" % points[0.5]["mean_models"])
single = {p["label"]: p["mean_cost"] for p in s["methods"]["single"]["curve"]}
if single != {"a": 2.5, "b": 25.0}: sys.exit("single costs: %s" % single)
zoo = {z["name"]: z["cost"] for z in s["zoo"]}
if zoo != {"a": 1.0, "b": 10.0}: sys.exit("zoo costs (val means): %s" % zoo)
import h5py
with h5py.File(sys.argv[2], "r") as f:
    if list(f["test/costs"][:]) != [1, 2, 3, 4]: sys.exit("a.h5 /test/costs: %s" % f["test/costs"][:])
PY

printf 'b,c\n1,2\n' >"$dir/bad_costs.csv"
set +e
"$bin" -q import --name a --val "$dir/a_val.csv" --test "$dir/a_test.csv" --kind probabilities \
  --val-costs "$dir/bad_costs.csv" --test-costs "$dir/test_costs.csv" -o "$dir/bad.h5" \
  2>"$dir/err.txt"
code=$?
set -e
[ "$code" -eq 2 ] || fail "a cost table without the model: exit $code, expected 2"
[ ! -e "$dir/bad.h5" ] || fail "a refused import wrote its output"
grep -q "bad_costs.csv" "$dir/err.txt" && grep -q "no column for model 'a'" "$dir/err.txt" \
  || fail "error does not name the file and the model: $(cat "$dir/err.txt")"
echo "import_sample_costs: ok"
