#!/usr/bin/env bash
# End to end through the `lazystack` program on the generic loaders, a few seconds: a CSV with a
# header and class names (label by name), an image folder of generated PGM files trained with an
# MLP and a CNN, and a config whose CSV path does not exist (exit 2 naming file:line:col).
set -uo pipefail
bin=$1
work=$(mktemp -d /tmp/lazystack-generic.XXXXXX)
trap 'rm -rf "$work"' EXIT
common=(--set "cache_dir=$work/cache" --set "results_dir=$work/results")
fail() { echo "E2E FAIL: $*" >&2; exit 1; }

echo "== csv: header, class names, label by name"
awk 'BEGIN {
  srand(7); print "x1,x2,\"x 3\",species"; split("alpha beta gamma", name, " ")
  for (i = 0; i < 120; i++) { c = i % 3
    printf "%.3f,%.3f,%.3f,%s\n", 2 * c + rand(), 3 * rand() - c, rand(), name[c + 1] } }' \
  >"$work/flowers.csv"
cat >"$work/csv.yaml" <<YAML
experiment: tiny_csv
dataset: {name: csv, path: $work/flowers.csv, label: species, val_fraction: 0.3, test_fraction: 0.25}
profile_repeats: 3
zoo:
  - {name: gaussian-nb, arch: gaussian-nb}
  - {name: softmax, arch: softmax, epochs: 30, batch_size: 16, lr: 0.05}
  - {name: knn-5, arch: knn, k: 5}
methods:
  single: {}
  ensemble: {}
  stacker: {epochs: 20}
  oracle: {}
  cost-cascade: {}
YAML
"$bin" run "$work/csv.yaml" "${common[@]}" >"$work/csv.log" 2>&1 || { cat "$work/csv.log"; fail "csv run"; }
run="$work/results/tiny_csv/latest"
[ -s "$run/summary.json" ] || fail "csv: no summary.json"
grep -q '"dataset": "csv"' "$run/summary.json" || { cat "$run/summary.json"; fail "csv: dataset not named"; }
grep -q 'csv-flowers from .*: 120 rows, 3 features, 3 classes -> train 54, val 36, test 30' \
  "$work/csv.log" || { cat "$work/csv.log"; fail "csv: wrong split sizes"; }
for m in single ensemble stacker oracle cost-cascade; do
  grep -q "\"$m\"" "$run/summary.json" || fail "csv: summary.json lacks method $m"
done
# The classes are separable on x1: the best single model must be far above chance (1/3).
/usr/bin/python3 - "$run/summary.json" <<'PY' || fail "csv: accuracy at chance"
import json, sys
s = json.load(open(sys.argv[1]))
best = s["reference"]["best_single"]["accuracy"]
sys.exit(0 if best > 0.8 else 1)
PY

echo "== image folder: generated PGM images, an MLP and a CNN"
for c in 0 1 2; do
  mkdir -p "$work/shapes/class-$c"
  for i in $(seq 0 14); do
    {
      echo "P2 10 12 255"
      for y in $(seq 0 11); do
        row=""
        for x in $(seq 0 9); do
          v=$(( (RANDOM % 40) ))
          case $c in
            0) [ "$y" -lt 6 ] && v=$(( v + 200 )) ;;
            1) [ "$x" -lt 5 ] && v=$(( v + 200 )) ;;
            2) [ $(( (x + y) % 4 )) -lt 2 ] && v=$(( v + 200 )) ;;
          esac
          row+="$v "
        done
        echo "$row"
      done
    } >"$work/shapes/class-$c/$i.pgm"
  done
done
cat >"$work/images.yaml" <<YAML
experiment: tiny_images
dataset: {name: image-folder, root: $work/shapes, resize: [8, 8], mean: [0.5], std: [0.25]}
profile_repeats: 3
zoo:
  - {name: mlp, arch: mlp, hidden: [32], epochs: 20, batch_size: 8}
  - {name: cnn, arch: cnn, channels: [4, 8], epochs: 20, batch_size: 8}
methods:
  single: {}
  cost-cascade: {}
YAML
"$bin" run "$work/images.yaml" "${common[@]}" >"$work/images.log" 2>&1 || { cat "$work/images.log"; fail "image-folder run"; }
grep -q 'image-folder .*shapes: 45 images, 3 classes, 1x8x8 -> train 27, val 9, test 9' "$work/images.log" \
  || { cat "$work/images.log"; fail "image-folder: wrong shape or split"; }
/usr/bin/python3 - "$work/results/tiny_images/latest/summary.json" <<'PY' || fail "image-folder: a model failed or sits at chance"
import json, sys
s = json.load(open(sys.argv[1]))
accs = {m["name"]: m["test_accuracy"] for m in s["zoo"]}
print(accs)
sys.exit(0 if len(accs) == 2 and max(accs.values()) > 0.6 else 1)
PY

echo "== a missing CSV is a config error before any work: exit 2, file:line:col of dataset.path"
printf 'experiment: x\ndataset:\n  name: csv\n  path: %s/absent.csv\nzoo:\n  - {name: nb, arch: gaussian-nb}\nmethods: {single: {}}\n' \
  "$work" >"$work/missing.yaml"
"$bin" run "$work/missing.yaml" "${common[@]}" >"$work/missing.log" 2>&1
code=$?
[ $code -eq 2 ] || { cat "$work/missing.log"; fail "missing csv: exit code $code, expected 2"; }
grep -q "missing.yaml:4:9: 'dataset.path'" "$work/missing.log" || { cat "$work/missing.log"; fail "missing csv: key not placed"; }
[ ! -e "$work/results/x" ] || fail "missing csv: results were written"
echo "E2E OK"
