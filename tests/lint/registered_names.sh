#!/usr/bin/env bash
# Layers never compare a registered name (issue 14): outside its own folder, no source file
# quotes the name of a registered method, model architecture or dataset; they read the
# entry's card (core/method.h MethodCard, ModelCard, DatasetCard) and the fields summary.json
# carries from it. The names come from the registries (`lazystack list`). Scanned: reports/,
# pipeline/, core/, zoo/, datasets/, executor/, cli/, site/; an architecture's name may appear
# under zoo/, a dataset's under datasets/. methods/ (each method's own folder and its own
# vocabulary, e.g. ocl's "mlp" learner), configs (experiments/) and tests are not scanned. Comment lines are skipped; a line that must quote
# such a word for another reason (a file extension "csv") says so: `// names-lint: ok (why)`.
#
#   registered_names.sh LAZYSTACK_BIN SOURCE_ROOT               the check
#   registered_names.sh LAZYSTACK_BIN SOURCE_ROOT --self-test   it fails on planted names
set -uo pipefail
bin=$1
root=$2
fail() { echo "LINT FAIL: $*" >&2; exit 1; }

registered() {  # the names `lazystack list $1` prints, one a line
  "$bin" list "$1" | awk '/^  [a-z0-9]/ {print $1}'
}

# The names each folder owns: methods/ the methods', zoo/ the architectures', datasets/ the
# datasets' (a name registered twice, like "synthetic", is owned by both folders).
declare -A owned
for kind in methods:methods models:zoo datasets:datasets; do
  names=$(registered "${kind%%:*}") || fail "'$bin list ${kind%%:*}' failed"
  [ -n "$names" ] || fail "'$bin list ${kind%%:*}' listed no names"
  owned[${kind#*:}]=$names
done

# check ROOT: prints file:line of each violation; exit 1 when any
check() {
  local tree=$1 found=0 folder names alt hit file line code
  for folder in reports pipeline core zoo datasets executor cli site; do
    [ -d "$tree/$folder" ] || continue
    # Every registered name that this folder does not own.
    names=$(printf '%s\n' "${owned[methods]}" "${owned[zoo]}" "${owned[datasets]}" | sort -u |
      grep -vxF -f <(printf '%s\n' "${owned[$folder]:-}" | grep .))
    alt=$(printf '%s\n' "$names" | sed 's/[.]/\\./g' | paste -sd'|')
    while IFS= read -r hit; do
      file=${hit%%:*}
      line=${hit#*:}
      line=${line%%:*}
      code=${hit#*:*:}
      case "$code" in *"names-lint: ok"*) continue ;; esac
      code=$(printf '%s' "$code" | sed -e 's@//.*$@@')
      printf '%s' "$code" | grep -qE "\"($alt)\"" || continue
      echo "${file#"$tree"/}:$line: quotes a registered name outside its folder:" \
        "$(printf '%s' "$code" | grep -oE "\"($alt)\"" | head -1) (read its card instead)"
      found=1
    done < <(grep -rnE "\"($alt)\"" "$tree/$folder" --include='*.cc' --include='*.h')
  done
  return $found
}

if [ "${3:-}" = "--self-test" ]; then
  work=$(mktemp -d /tmp/lazystack_names_lint_XXXXXX)
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/reports" "$work/pipeline" "$work/zoo" "$work/cli"
  name=$(printf '%s\n' "${owned[methods]}" | head -1)
  arch=$(printf '%s\n' "${owned[zoo]}" | head -1)
  printf 'bool f(const std::string& m) {\n  return m == "%s";\n}\n' "$name" >"$work/reports/planted.cc"
  printf '// "%s" in a comment is fine\nconst char* a = "%s";  // names-lint: ok (test)\n' \
    "$name" "$name" >"$work/pipeline/fine.cc"
  printf 'const char* own = "%s";\n' "$arch" >"$work/zoo/own.cc"        # its own folder
  printf 'const char* arch = "%s";\n' "$arch" >"$work/cli/x.cc"  # another folder
  out=$(check "$work")
  [ $? -ne 0 ] || fail "the check passed a tree with planted names"
  echo "$out"
  echo "$out" | grep -q "^reports/planted.cc:2: " || fail "reports/planted.cc:2 not named"
  echo "$out" | grep -q "^cli/x.cc:1: " || fail "cli/x.cc:1 not named"
  [ "$(echo "$out" | wc -l)" -eq 2 ] || fail "expected exactly the two planted lines"
  echo "self-test: the check names both planted lines and nothing else"
  exit 0
fi

if ! out=$(check "$root"); then
  echo "$out" >&2
  fail "registered names quoted outside their folders (above)"
fi
echo "no registered method, architecture or dataset name quoted outside its folder"
