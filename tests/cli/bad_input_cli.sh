#!/usr/bin/env bash
# Bad input exits 2 with a message naming it, before any work (issue 17, findings 6 and 9):
# a tiny NPY whose header declares 4 GiB, under `ulimit -v` (it must not be allocated); a config
# whose synthetic dataset cannot fit in memory; an image folder too big for memory; a --set through a single value; a duplicate key.
# Usage: bad_input_cli.sh LAZYSTACK_BINARY
set -uo pipefail
bin=$1
work=$(mktemp -d /tmp/lazystack_badinput_XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect() {  # $1 = expected exit code, $2 = text the output must hold, rest = the command
  local want=$1 text=$2; shift 2
  "$@" >"$work/out.log" 2>&1
  local code=$?
  [ "$code" -eq "$want" ] || { cat "$work/out.log"; fail "$*: exit $code, expected $want"; }
  grep -qF -- "$text" "$work/out.log" || { cat "$work/out.log"; fail "$*: no '$text' in the output"; }
}

echo "== a 77-byte NPY declaring [33554432, 32] float32 (4 GiB), address space capped at 1 GiB"
{
  printf '\x93NUMPY\x01\x00\x43\x00'
  printf "{'descr': '<f4', 'fortran_order': False, 'shape': (33554432, 32), }"
} >"$work/forged.npy"
printf '0\n1\n' >"$work/y.txt"
# Plain files and the address-space limit apply to the subshell only.
limited() { (ulimit -v 1048576 && exec "$bin" "$@"); }
expect 2 "declares 1073741824 values" limited import --name m --val "$work/forged.npy" \
  --test "$work/forged.npy" --val-labels "$work/y.txt" --test-labels "$work/y.txt" --cost 1 \
  -o "$work/out.h5"
[ ! -e "$work/out.h5" ] || fail "a refused import wrote its output"

echo "== a synthetic dataset needing ~2 PiB of logits: validate refuses it naming the key"
cat >"$work/huge.yaml" <<YAML
experiment: huge
dataset: {name: synthetic, classes: 1000000, val_size: 100000000, test_size: 100000000}
cost: given
zoo:
  - {name: a, arch: synthetic, cost: 1}
  - {name: b, arch: synthetic, cost: 2}
methods:
  single: {}
YAML
expect 2 "dataset.val_size" "$bin" validate "$work/huge.yaml"
grep -q "huge.yaml:2:" "$work/out.log" || { cat "$work/out.log"; fail "no file:line"; }
sed -i 's/classes: 1000000, val_size: 100000000, test_size: 100000000/classes: 4/' "$work/huge.yaml"
expect 0 "valid" "$bin" validate "$work/huge.yaml"

echo "== an image folder too big for the memory (16 images resized to 4096 x 4096, 1.0 GiB as"
echo "   float32 and twice that while splitting) under a 1 GiB address space: validate and run"
echo "   refuse it (exit 2) naming the dataset and the sizes, before loading any image"
for cls in a b; do
  mkdir -p "$work/images/$cls"
  for i in 0 1 2 3 4 5 6 7; do printf 'P2\n2 2\n255\n0 1 2 3\n' >"$work/images/$cls/$i.pgm"; done
done
cat >"$work/images.yaml" <<YAML
experiment: images
dataset: {name: image-folder, root: $work/images, resize: [4096, 4096]}
zoo:
  - {name: m, arch: mlp, hidden: [4], epochs: 1}
methods:
  single: {}
YAML
expect 2 "16 images of 1x4096x4096" limited validate "$work/images.yaml"
grep -q "images.yaml:2:" "$work/out.log" || { cat "$work/out.log"; fail "no file:line"; }
expect 2 "this machine lets a process use" limited run "$work/images.yaml" \
  --set "results_dir=$work/results" --set "cache_dir=$work/cache"
[ ! -e "$work/results/images" ] || fail "a refused run made a run folder"
expect 0 "valid" "$bin" validate "$work/images.yaml"  # without the limit it fits

echo "== --set through a single value, a bad --set value: exit 2 naming the --set argument"
expect 2 "--set experiment.x=1" "$bin" validate "$work/huge.yaml" --set experiment.x=1
expect 2 "--set dataset.classes=many" "$bin" validate "$work/huge.yaml" --set dataset.classes=many

echo "== a duplicate key: exit 2 naming file:line and the key"
printf 'cost: macs\n' >>"$work/huge.yaml"
expect 2 "huge.yaml:9:1: 'cost': duplicate key (first given at line 3)" \
  "$bin" validate "$work/huge.yaml"
echo "bad_input_cli: ok"
