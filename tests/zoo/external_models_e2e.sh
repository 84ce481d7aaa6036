#!/bin/sh
# End to end: one network written as TorchScript and as ONNX (make_external_fixtures, trained 3
# epochs on digits' train split) is two zoo entries of a digits experiment. Both reproduce the
# network's own val accuracy, their cache files read in h5py with the same logits, a second run
# takes both from the cache, and a missing file is a config error (exit 2, file:line:column).
# Usage: external_models_e2e.sh LAZYSTACK_BINARY MAKE_EXTERNAL_FIXTURES_BINARY
set -eu
bin=$1
make_fixtures=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export LAZYSTACK_CACHE="$dir/cache"

"$make_fixtures" "$dir/files" digits 3 300 >"$dir/fixtures.log" 2>&1 \
  || fail "make_external_fixtures: $(tail -3 "$dir/fixtures.log")"
network_accuracy=$(sed -n 's/.*val accuracy \([0-9.]*\).*/\1/p' "$dir/fixtures.log")
[ -n "$network_accuracy" ] || fail "no accuracy in $(cat "$dir/fixtures.log")"

cat >"$dir/external.yaml" <<YAML
experiment: external
dataset: {name: digits, limit: 300}
profile_repeats: 3
results_dir: $dir/results
zoo:
  - {name: softmax, arch: softmax, epochs: 1}
  - {name: conv-ts, arch: torchscript, path: $dir/files/digits-fixture.pt, mean: [0.5], std: [0.5]}
  - {name: conv-onnx, arch: onnx, path: $dir/files/digits-fixture.onnx, mean: [0.5], std: [0.5],
     batch_size: 32}
methods:
  single: {}
  ensemble: {}
  cost-cascade: {}
YAML
"$bin" -q run "$dir/external.yaml" >"$dir/run1.log" 2>&1 || fail "run failed: $(tail -5 "$dir/run1.log")"
"$bin" run "$dir/external.yaml" >"$dir/run2.log" 2>&1 || fail "second run failed"
grep -q "conv-ts: from cache" "$dir/run2.log" || fail "conv-ts recomputed: $(grep conv-ts "$dir/run2.log")"
grep -q "conv-onnx: from cache" "$dir/run2.log" || fail "conv-onnx recomputed"

/usr/bin/python3 - "$dir" "$network_accuracy" <<'PY'
import glob, json, sys
import h5py
import numpy as np
d, network_accuracy = sys.argv[1], float(sys.argv[2])
summary = json.load(open(d + "/results/external/latest/summary.json"))
zoo = {z["name"]: z for z in summary["zoo"]}
for name in ("conv-ts", "conv-onnx"):
    z = zoo[name]
    if z.get("error"): sys.exit("%s failed: %s" % (name, z["error"]))
    if abs(z["val_accuracy"] - network_accuracy) > 1e-6:  # printed to 6 digits
        sys.exit("%s val accuracy %s, the network's own %s" % (name, z["val_accuracy"], network_accuracy))
    if not z["cost"] > 0: sys.exit("%s: cost %s" % (name, z["cost"]))
if network_accuracy < 0.3: sys.exit("the fixture network learned nothing: %s" % network_accuracy)
for name, m in summary["methods"].items():
    if m.get("error"): sys.exit("method %s: %s" % (name, m["error"]))
logits = {}
for name in ("conv-ts", "conv-onnx"):
    files = glob.glob(d + "/cache/logits/digits/%s-*.h5" % name)
    if len(files) != 1: sys.exit("%s: cache files %s" % (name, files))
    with h5py.File(files[0], "r") as f:
        logits[name] = {s: np.array(f[s + "/logits"]) for s in ("val", "test")}
        if f["val/labels"].shape[0] != logits[name]["val"].shape[0]: sys.exit("labels/logits rows")
        if "file_content" not in json.loads(f.attrs["key"]): sys.exit("key without file_content")
for s in ("val", "test"):
    a, b = logits["conv-ts"][s], logits["conv-onnx"][s]
    if a.shape != b.shape or a.shape[1] != 10: sys.exit("shapes %s %s" % (a.shape, b.shape))
    diff = float(np.abs(a - b).max())
    print("external_models_e2e: %s max |logit difference| torchscript vs onnx: %.3g" % (s, diff))
    if diff > 1e-4: sys.exit("torchscript and onnx logits differ by %g on %s" % (diff, s))
PY

# A missing model file: a config error naming file:line:column and the key, before any work.
sed -e "s|digits-fixture.onnx|no-such-file.onnx|" "$dir/external.yaml" >"$dir/missing.yaml"
status=0
"$bin" validate "$dir/missing.yaml" >"$dir/missing.log" 2>&1 || status=$?
[ "$status" -eq 2 ] || fail "missing file: exit $status, expected 2: $(cat "$dir/missing.log")"
grep -q "missing.yaml:[0-9]*:[0-9]*.*zoo.*path.*no-such-file.onnx' does not exist" "$dir/missing.log" \
  || fail "missing file message: $(cat "$dir/missing.log")"
echo "external_models_e2e: ok (network val accuracy $network_accuracy)"
