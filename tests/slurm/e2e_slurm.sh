#!/usr/bin/env bash
# End to end through a real single-node Slurm cluster (scripts/slurm-local.sh): a tiny config
# run with `--executor slurm`, one task killed and the run resubmitted, a one-experiment suite,
# the results compared with a local run of the same config (cost: macs: equal apart from timings
# and provenance), a run whose member record says another machine profiled it (the run warns),
# the cluster stopped.
# Needs root and the Debian Slurm packages (scripts/install-deps.sh); a cluster that does not
# start fails the test (it never skips).
set -uo pipefail
py=/usr/bin/python3  # Debian's, with python3-h5py (install-deps.sh)
bin=$(readlink -f "$1")  # absolute: the test changes directory
src=$(readlink -f "$2")
work=$(mktemp -d /tmp/lazystack-slurm-e2e.XXXXXX)
cfg="$src/tests/slurm/tiny_slurm.yaml"
fail() { echo "E2E SLURM FAIL: $*" >&2; exit 1; }

# A cluster of our own: its own folder and two free ports (another cluster may be running).
export LAZYSTACK_SLURM_DIR="$work/slurm"
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=$((20000 + ($$ % 5000) * 2))
for _ in $(seq 1 50); do
  port_free "$port" && port_free $((port + 1)) && break
  port=$((port + 2))
done
export LAZYSTACK_SLURM_PORT=$port
export SLURM_CONF="$LAZYSTACK_SLURM_DIR/slurm.conf"
cleanup() {
  "$src/scripts/slurm-local.sh" stop >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
trap "exit 1" INT TERM  # a timeout stops the cluster too

echo "== start the local cluster (port $port)"
if ! "$src/scripts/slurm-local.sh" start >"$work/start.log" 2>&1; then
  cat "$work/start.log" >&2
  fail "the local Slurm cluster did not start (scripts/slurm-local.sh start; needs root and the
Debian packages slurmctld slurmd slurm-client munge: scripts/install-deps.sh)"
fi
sinfo -h -N -o '%T' | grep -qE 'idle|mixed' || fail "node not idle after start: $(sinfo -N 2>&1)"

cd "$work" || fail "cd $work"
common=(--set "cache_dir=$work/cache" --set "results_dir=$work/results" --poll 0.25)
exp="$work/results/tiny_slurm"

echo "== submit with --no-wait, kill one method task, wait: the run does not complete"
"$bin" run "$cfg" --executor slurm "${common[@]}" --no-wait >"$work/submit1.log" 2>&1 ||
  { cat "$work/submit1.log"; fail "submission (--no-wait)"; }
grep -q "task wait" "$work/submit1.log" || { cat "$work/submit1.log"; fail "--no-wait printed no wait command"; }
run1=$(ls -d "$exp"/*.partial 2>/dev/null | head -n 1)
[ -d "$run1" ] || { cat "$work/submit1.log"; fail "no .partial run folder after submission"; }
methods_job=$("$py" -c "import json,sys; print(json.load(open(sys.argv[1]))['jobs']['methods'])" "$run1/tasks/plan.json")
[ -n "$methods_job" ] || fail "plan.json has no method job id"
# Method task 3 is (seed 0, cost-cascade) (plan.json "methods"); it waits on the member tasks.
"$py" - "$run1/tasks/plan.json" <<'EOF' || fail "plan.json: method task 3 is not (seed 0, cost-cascade)"
import json, sys
m = json.load(open(sys.argv[1]))["methods"]
sys.exit(0 if len(m) == 8 and m[3] == {"seed": 0, "method": "cost-cascade"} else 1)
EOF
scancel "${methods_job}_3" || fail "scancel ${methods_job}_3"
"$bin" task wait "$run1" --poll 0.25 >"$work/wait1.log" 2>&1
code=$?
[ $code -ne 0 ] || { cat "$work/wait1.log"; fail "a run with a killed task reported success"; }
grep -q "method 3 'cost-cascade' seed 0" "$work/wait1.log" || { cat "$work/wait1.log"; fail "the killed task is not named"; }
grep -q "Resubmit" "$work/wait1.log" || { cat "$work/wait1.log"; fail "no resubmit advice"; }
[ -d "$run1" ] || fail "the incomplete run lost its .partial folder"
[ ! -e "$run1/tasks/finish.json" ] || fail "the finish task ran despite a killed dependency"
[ ! -e "$exp/latest" ] || fail "latest points at an incomplete run"
[ "$(ls "$run1"/tasks/members/*.json | wc -l)" -eq 3 ] || fail "member tasks did not all finish"
[ "$(ls "$run1"/tasks/methods/*.json | wc -l)" -eq 7 ] || fail "expected 7 of 8 method records"
[ ! -e "$run1/tasks/methods/3.json" ] || fail "the killed task wrote its record"

echo "== resubmit the same command: the run completes, finished tasks do nothing"
"$bin" run "$cfg" --executor slurm "${common[@]}" >"$work/submit2.log" 2>&1 ||
  { cat "$work/submit2.log"; fail "resubmission"; }
grep -q "running, 0 done" "$work/submit2.log" || grep -q "pending, 0 running" "$work/submit2.log" ||
  { cat "$work/submit2.log"; fail "no progress lines"; }
run=$(readlink -f "$exp/latest")
[ -d "$run" ] || fail "no latest run after resubmission"
case "$run" in *.partial) fail "latest is a .partial folder" ;; esac
[ "$run" != "$run1" ] || fail "resubmission reused the failed run folder"
for s in 0 1; do
  for f in summary.json points.csv config.resolved.yaml results.h5 tables/headline.md; do
    [ -s "$run/seed-$s/$f" ] || fail "missing seed-$s/$f"
  done
done
for i in 0 1 2; do
  [ -s "$run/logs/member-$i.log" ] || fail "missing logs/member-$i.log"
  grep -q ": from cache (" "$run/logs/member-$i.log" || { cat "$run/logs/member-$i.log"; fail "member task $i did not reuse the cache"; }
done
for k in 0 1 2 3 4 5 6 7; do
  [ -s "$run/logs/method-$k.log" ] || fail "missing logs/method-$k.log"
  grep -q "done in" "$run/logs/method-$k.log" || { cat "$run/logs/method-$k.log"; fail "method task $k did not finish"; }
done
grep -q "cost-cascade: fit" "$run/logs/method-3.log" || { cat "$run/logs/method-3.log"; fail "the killed task's method was not computed on resubmission"; }
grep -q "cost-cascade: reused cached result" "$run/logs/method-7.log" ||
  [ "$(grep -c 'cost-cascade: fit' "$run"/logs/method-*.log | awk -F: '{s+=$2} END {print s}')" -eq 1 ] ||
  fail "cost-cascade recomputed by more than the resubmitted task"
grep -q "reused cached result" "$run/logs/method-0.log" || fail "method task 0 (cached) was recomputed"
[ -s "$run/logs/finish.log" ] || fail "missing logs/finish.log"
"$py" - "$run" <<'EOF' || fail "provenance of the Slurm run"
import json, sys
for seed in (0, 1):
    p = json.load(open(f"{sys.argv[1]}/seed-{seed}/summary.json"))["provenance"]
    assert p["executor"] == "slurm", p
    jobs = p["jobs"]
    ids = jobs["members"] + jobs["methods"] + [jobs["finish"]]
    assert len(jobs["members"]) == 3 and len(jobs["methods"]) == 8, jobs
    assert len(set(ids)) == 12 and all(i for i in ids), jobs
    assert set(p["members_measured_on"]) == {"softmax", "mlp", "hog-knn"}, p
    assert "mixed_hardware" not in p, p
EOF

echo "== a suite: its experiments' tasks and the suite job, submitted at once"
"$bin" run "$src/tests/slurm/tiny_suite.yaml" --executor slurm --set "cache_dir=$work/cache" \
  --poll 0.25 >"$work/suite.log" 2>&1 || { cat "$work/suite.log"; fail "suite through Slurm"; }
grep -q "suite 1/1 done" "$work/suite.log" || { cat "$work/suite.log"; fail "the suite job is not reported done"; }
suite_dir="$work/results/tiny_suite"
[ -s "$suite_dir/runs.json" ] || fail "suite: no runs.json"
[ -s "$suite_dir/tables/summary.md" ] || fail "suite: no cross-dataset table"
ls "$suite_dir"/slurm/*/suite.log >/dev/null 2>&1 || fail "suite: no suite job log"
"$py" - "$suite_dir/runs.json" <<'EOF2' || fail "suite: runs.json does not name a complete Slurm run"
import json, os, sys
runs = json.load(open(sys.argv[1]))
assert list(runs) == ["tiny_slurm"], runs
d = runs["tiny_slurm"]
assert os.path.isdir(d) and not d.endswith(".partial"), d
p = json.load(open(os.path.join(d, "summary.json")))["provenance"]
assert p["executor"] == "slurm" and len(p["jobs"]["methods"]) == 4, p
EOF2

echo "== a local run of the same config (own cache): the same results"
"$bin" run "$cfg" --set "cache_dir=$work/cache-local" --set "results_dir=$work/results-local" \
  >"$work/local.log" 2>&1 || { cat "$work/local.log"; fail "local run"; }
local_run=$(readlink -f "$work/results-local/tiny_slurm/latest")
"$py" - "$run" "$local_run" <<'EOF' || fail "the Slurm run's summaries differ from the local run's"
import json, re, sys
# Timings (training, fit and sweep seconds, measured latencies and decision overhead), the run
# id, provenance, cache paths and the logit checksums (they cover the measured latency repeats)
# differ between two runs; everything else must be equal.
SKIP = re.compile(r"seconds|latency|overhead|_ns$|^created$|^run_id$|^from_cache$|^logits_path$"
                  r"|^logits_checksum$|^provenance$")
def strip(x):
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items() if not SKIP.search(k)}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x
for seed in (0, 1):
    a, b = (strip(json.load(open(f"{d}/seed-{seed}/summary.json"))) for d in sys.argv[1:3])
    if a != b:
        for k in sorted(set(a) | set(b)):
            if a.get(k) != b.get(k):
                print(f"seed {seed}: '{k}' differs:\n  slurm {a.get(k)}\n  local {b.get(k)}")
        sys.exit(1)
    assert len(a["methods"]) == 4 and all(m["error"] is None for m in a["methods"].values())
print("summaries equal apart from timings and provenance")
EOF
"$py" - "$work/cache/logits/digits" "$work/cache-local/logits/digits" <<'EOF' || fail "logits differ"
import glob, os, sys, h5py, numpy as np
a, b = (sorted(glob.glob(f"{d}/*.h5")) for d in sys.argv[1:3])
assert [os.path.basename(p) for p in a] == [os.path.basename(p) for p in b] and len(a) == 3, (a, b)
for x, y in zip(a, b):
    with h5py.File(x) as f, h5py.File(y) as g:
        for d in ("val/logits", "test/logits", "val/labels", "test/labels"):
            assert np.array_equal(f[d][()], g[d][()]), (x, d)
print("logit caches equal")
EOF

echo "== a member profiled on another machine: the run says so (summary.json, task wait)"
# Submitted held; once the member tasks are done, member 1's record is rewritten as if its task
# had run on another node, then the method and finish tasks are released.
"$bin" run "$cfg" --executor slurm "${common[@]}" --set cost=latency_ms --slurm-opt "--hold" \
  --no-wait >"$work/submit3.log" 2>&1 || { cat "$work/submit3.log"; fail "held submission"; }
run3_id=$(sed -nE 's/.*\[slurm\] tiny_slurm: run ([^:]+):.*/\1/p' "$work/submit3.log")
run3="$exp/$run3_id.partial"
[ -n "$run3_id" ] && [ -d "$run3" ] || { cat "$work/submit3.log"; fail "no run folder of the held submission"; }
jobs3=$("$py" -c "import json,sys; j=json.load(open(sys.argv[1]))['jobs']; print(j['members'], j['methods'], j['finish'])" "$run3/tasks/plan.json")
read -r members3 methods3 finish3 <<<"$jobs3"
scontrol release "$members3" || fail "scontrol release $members3"
for _ in $(seq 1 480); do
  [ "$(ls "$run3"/tasks/members/*.json 2>/dev/null | wc -l)" -eq 3 ] && break
  sleep 0.25
done
[ "$(ls "$run3"/tasks/members/*.json 2>/dev/null | wc -l)" -eq 3 ] || fail "member tasks of the held run did not finish"
"$py" - "$run3/tasks/members/1.json" <<'EOF' || fail "rewriting member 1's record"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["name"] == "mlp" and r["error"] is None, r
r.update(hardware="x86_64 Some Other CPU 64c", compute_threads=64, host="node-b")
json.dump(r, open(sys.argv[1], "w"))
EOF
scontrol release "$methods3" "$finish3" || fail "scontrol release $methods3 $finish3"
"$bin" task wait "$run3" --poll 0.25 >"$work/wait3.log" 2>&1 || { cat "$work/wait3.log"; fail "the mixed-hardware run"; }
grep -q "warning: zoo members were profiled on 2 different machines" "$work/wait3.log" ||
  { cat "$work/wait3.log"; fail "task wait does not say the members were profiled on different machines"; }
grep -q "profiled on 2 different machines" "$exp/$run3_id/logs/finish.log" || fail "no warning in finish.log"
"$py" - "$exp/$run3_id" <<'EOF' || fail "provenance.mixed_hardware of the mixed-hardware run"
import json, sys
for seed in (0, 1):
    p = json.load(open(f"{sys.argv[1]}/seed-{seed}/summary.json"))["provenance"]
    note = p["mixed_hardware"]
    assert "2 different machines" in note and "Some Other CPU 64c, 64 threads: mlp" in note, note
    assert "cost: macs, params or given" in note, note
    assert p["members_measured_on"]["mlp"]["host"] == "node-b", p
EOF

echo "== stop the cluster"
"$src/scripts/slurm-local.sh" stop >"$work/stop.log" 2>&1 || { cat "$work/stop.log"; fail "stop"; }
for p in slurmctld slurmd; do
  [ ! -e "$LAZYSTACK_SLURM_DIR/$p.pid" ] || fail "$p.pid left after stop"
done
sinfo >/dev/null 2>&1 && fail "the controller still answers after stop"
echo "E2E SLURM OK"
