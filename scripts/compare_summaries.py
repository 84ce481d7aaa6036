#!/usr/bin/env python3
"""Compare two runs' summary.json apart from timings and provenance (CONTRIBUTING.md: results
of `make run` must not change unless a change means them to).

  scripts/compare_summaries.py A/summary.json B/summary.json [--ignore KEY ...]

Prints every path whose value differs, is only in A, or only in B, then the count; exits 1
when there is any difference, 0 when there is none, 2 on bad arguments. Ignored:
provenance, run_id, from_cache, and keys that hold measured time: any key with "seconds" in
it (fit_seconds, fit_seconds_per_beta, ...) and overhead_ns (a method's measured decision
time per sample), with everything under them; and every KEY given with --ignore (e.g. --ignore logits_path when
the two runs used different caches).
"""
import json
import sys

IGNORED_KEYS = {"provenance", "run_id", "from_cache"}


def ignored(key):
    return key in IGNORED_KEYS or "seconds" in key or key == "overhead_ns"


def parse_args(argv):
    files, i = [], 0
    while i < len(argv):
        if argv[i] == "--ignore" and i + 1 < len(argv):
            IGNORED_KEYS.add(argv[i + 1])
            i += 2
        elif argv[i].startswith("-"):
            print(f"compare_summaries.py: unknown option {argv[i]}\n{__doc__}", file=sys.stderr)
            sys.exit(2)
        else:
            files.append(argv[i])
            i += 1
    if len(files) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    return files


def walk(a, b, path, out):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if ignored(k):
                continue
            p = f"{path}.{k}" if path else k
            if k not in a:
                out.append(("only in B", p, None, b[k]))
            elif k not in b:
                out.append(("only in A", p, a[k], None))
            else:
                walk(a[k], b[k], p, out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(("length", path, len(a), len(b)))
        for i, (x, y) in enumerate(zip(a, b)):
            walk(x, y, f"{path}[{i}]", out)
    elif a != b:
        out.append(("differs", path, a, b))


def main():
    file_a, file_b = parse_args(sys.argv[1:])
    a = json.load(open(file_a))
    b = json.load(open(file_b))
    out = []
    walk(a, b, "", out)
    for kind, path, x, y in out:
        print(f"{kind:9} {path}: {json.dumps(x)[:100]} -> {json.dumps(y)[:100]}")
    print(f"{len(out)} difference(s)")
    return 1 if out else 0


if __name__ == "__main__":
    sys.exit(main())
