#!/bin/sh
# `lazystack import`: --help documents the formats; a good CSV import writes a cache file; bad
# input exits 2 naming the file and writes nothing. Usage: import_cli.sh LAZYSTACK_BINARY
set -eu
bin=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

help=$("$bin" import --help)
for word in --h5 --val-csv --test-csv --kind probabilities --cost --label-column /val/logits \
    "source: import"; do
  echo "$help" | grep -q -- "$word" || fail "--help does not mention $word"
done

printf 'a,b,label\n0.25,0.75,1\n0.9,0.1,0\n' >"$dir/val.csv"
printf 'a,b,label\n0.5,0.5,0\n' >"$dir/test.csv"
"$bin" -q import --name m --val-csv "$dir/val.csv" --test-csv "$dir/test.csv" \
  --kind probabilities --cost 0.5 -o "$dir/ok.h5" >"$dir/out.txt" || fail "good import failed"
[ -f "$dir/ok.h5" ] || fail "no output file"
grep -q "2 val + 1 test samples, 2 classes" "$dir/out.txt" || fail "summary line: $(cat "$dir/out.txt")"

printf 'a,b,label\n0.25,0.75,1\n0.9,0.1\n' >"$dir/bad.csv"
set +e
"$bin" -q import --name m --val-csv "$dir/bad.csv" --test-csv "$dir/test.csv" --cost 1 \
  -o "$dir/bad.h5" 2>"$dir/err.txt"
code=$?
"$bin" -q import --name m --val-csv "$dir/val.csv" --test-csv "$dir/test.csv" \
  -o "$dir/nocost.h5" 2>/dev/null
code_nocost=$?
set -e
[ "$code" = 2 ] || fail "bad CSV: exit $code, expected 2"
grep -q "bad.csv" "$dir/err.txt" || fail "error does not name the file: $(cat "$dir/err.txt")"
grep -q "ragged" "$dir/err.txt" || fail "error does not say ragged: $(cat "$dir/err.txt")"
[ ! -e "$dir/bad.h5" ] || fail "bad input wrote a file"
[ "$code_nocost" = 2 ] || fail "missing --cost: exit $code_nocost, expected 2"
[ ! -e "$dir/nocost.h5" ] || fail "missing cost wrote a file"
echo "import_cli: ok"
