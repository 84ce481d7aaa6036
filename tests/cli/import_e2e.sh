#!/bin/sh
# Imported outputs in an experiment: a zoo model trained here, its cached logits re-imported
# with `lazystack import` and used as a `source: import` zoo entry, gives the very same method
# results as the trained entry. Usage: import_e2e.sh LAZYSTACK_BINARY SOURCE_DIR
set -eu
bin=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export LAZYSTACK_CACHE="$dir/cache"

cat >"$dir/trained.yaml" <<YAML
experiment: trained
dataset: {name: digits, limit: 300}
cost: given
profile_repeats: 2
results_dir: $dir/results
zoo:
  - {name: softmax, arch: softmax, epochs: 1, cost: 1}
  - {name: hog-knn, arch: hog-knn, cost: 5}
methods:
  single: {}
  ensemble: {}
  cost-cascade: {}
YAML
"$bin" -q run "$dir/trained.yaml" >/dev/null || fail "trained run failed"
knn=$(ls "$dir"/cache/logits/digits/hog-knn-*.h5 | head -n 1)
[ -f "$knn" ] || fail "no hog-knn logit file"

# The cache file has the HDF5 import layout (/val/logits, /val/labels, ...).
"$bin" -q import --name hog-knn --h5 "$knn" --cost 5 -o "$dir/imported/hog-knn.h5" >/dev/null \
  || fail "import failed"

sed -e "s|experiment: trained|experiment: imported|" \
  -e "s|{name: hog-knn, arch: hog-knn, cost: 5}|{name: hog-knn, source: import, path: $dir/imported/hog-knn.h5}|" \
  "$dir/trained.yaml" >"$dir/imported.yaml"
grep -q "source: import" "$dir/imported.yaml" || fail "sed did not make the imported config"
"$bin" validate "$dir/imported.yaml" >/dev/null || fail "imported config does not validate"
"$bin" -q run "$dir/imported.yaml" >/dev/null || fail "imported run failed"

python3 - "$dir/results/trained/latest/summary.json" "$dir/results/imported/latest/summary.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
def strip(s):
    out = {}
    for name, m in s["methods"].items():
        h = m["headline"] or {}
        out[name] = (h.get("accuracy"), h.get("mean_cost"), h.get("knob"),
                     [(p["accuracy"], p["mean_cost"]) for p in m["curve"]])
    return out
za = [(z["name"], z["cost"], z["val_accuracy"], z["test_accuracy"]) for z in a["zoo"]]
zb = [(z["name"], z["cost"], z["val_accuracy"], z["test_accuracy"]) for z in b["zoo"]]
for s in (a, b):
    for name, m in s["methods"].items():
        if m.get("error") or not m["curve"]: sys.exit("method %s: no result (%s)" % (name, m.get("error")))
if [z["arch"] for z in b["zoo"]] != ["softmax", "imported"]: sys.exit("arches: %s" % b["zoo"])
if za != zb: sys.exit("zoo differs: %s vs %s" % (za, zb))
if strip(a) != strip(b): sys.exit("method results differ:\n%s\n%s" % (strip(a), strip(b)))
PY

# Outputs of other samples (a smaller dataset): the imported member fails with a clear error
# naming the file, the others go on; the run exits 3 (a part failed).
code=0
"$bin" run "$dir/imported.yaml" --set dataset.limit=200 >"$dir/mismatch.log" 2>&1 || code=$?
[ $code -eq 3 ] || fail "mismatch run: exit $code, expected 3: $(tail -5 "$dir/mismatch.log")"
grep -q "hog-knn.h5': its val/test labels" "$dir/mismatch.log" \
  || fail "no label-mismatch error: $(grep -i hog-knn "$dir/mismatch.log")"
echo "import_e2e: ok"
