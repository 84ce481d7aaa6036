#!/usr/bin/env bash
# A real single-node Slurm cluster on localhost, for the end-to-end test of
# `lazystack run --executor slurm` and for trying the executor on a laptop.
#
#   scripts/slurm-local.sh start     start munged (if none answers), slurmctld and slurmd
#   scripts/slurm-local.sh status    daemons alive? the node's state (sinfo)
#   scripts/slurm-local.sh stop      cancel every job, stop the daemons (by their pid files)
#
# Everything the cluster writes (slurm.conf, state, spool, pid and log files) lives in one
# folder: $LAZYSTACK_SLURM_DIR, default /tmp/lazystack-slurm (except munged's pid and log
# files, in /run/munge and /var/log/munge: it runs as user munge). Client commands (sbatch, squeue,
# scontrol, sinfo, srun) and `lazystack run --executor slurm` find the cluster through
#   export SLURM_CONF=$LAZYSTACK_SLURM_DIR/slurm.conf
# which `start` prints. Ports: $LAZYSTACK_SLURM_PORT (slurmctld) and the next one (slurmd),
# default 6817/6818; give another port and folder to run a second cluster beside the first.
#
# Needs root and the Debian packages slurmctld, slurmd, slurm-client and munge
# (scripts/install-deps.sh). Slurm runs without cgroups, accounting or systemd (see the
# settings below): one task is one CPU of this machine.
set -euo pipefail

cmd=${1:-}
dir=${LAZYSTACK_SLURM_DIR:-/tmp/lazystack-slurm}
port=${LAZYSTACK_SLURM_PORT:-6817}
conf="$dir/slurm.conf"
tag=$(printf '%s' "$dir" | md5sum | cut -c1-12)
munged_pid="/run/munge/lazystack-$tag.pid"
munged_log="/var/log/munge/lazystack-$tag.log"
export SLURM_CONF="$conf"

die() { echo "slurm-local: error: $*" >&2; exit 1; }
say() { echo "slurm-local: $*"; }

# The pid in file $1 if that process is alive, else nothing.
live_pid() {
  local pid
  [ -s "$1" ] || return 1
  pid=$(cat "$1")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# Stops the process whose pid is in file $1: SIGTERM, then SIGKILL after 10 s.
stop_pidfile() {
  local pid
  pid=$(live_pid "$1") || { rm -f "$1"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$1"; return 0; }
    sleep 0.1
  done
  say "pid $pid ($1) ignored SIGTERM for 10 s; SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$1"
}

munge_works() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }

start_munge() {
  if munge_works; then return 0; fi
  if [ ! -s /etc/munge/munge.key ]; then
    mkdir -p /etc/munge
    mungekey --create --keyfile /etc/munge/munge.key >/dev/null
  fi
  chown munge:munge /etc/munge/munge.key
  chmod 0400 /etc/munge/munge.key
  mkdir -p /run/munge /var/lib/munge /var/log/munge
  chown munge:munge /run/munge /var/lib/munge /var/log/munge
  chmod 0755 /run/munge
  # munged runs as munge, which may not enter $dir (mktemp -d makes it 0700): its pid and log
  # files go to munge's own folders, named after $dir. It forks into the background; the pid
  # file tells `stop` that munged is ours to stop.
  runuser -u munge -- /usr/sbin/munged --pid-file="$munged_pid" --log-file="$munged_log" ||
    die "munged did not start (see $munged_log)"
  for _ in $(seq 1 50); do
    munge_works && break
    sleep 0.1
  done
  munge_works || die "munge does not answer after starting munged (see $munged_log)"
}

write_conf() {
  local node
  # The node as slurmd sees this machine (CPUs, sockets, memory), renamed to localhost:
  # claiming more CPUs than the machine has would mark the node invalid.
  node=$(slurmd -C | head -n 1 | sed -E 's/^NodeName=[^ ]+/NodeName=localhost NodeAddr=127.0.0.1/')
  case "$node" in NodeName=localhost*) ;; *) die "unexpected 'slurmd -C' output: $node" ;; esac
  cat >"$conf" <<EOF
# Written by scripts/slurm-local.sh: a one-node cluster on localhost.
ClusterName=lazystack-local
SlurmctldHost=localhost
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
# No cgroups here (with proctrack/cgroup jobs never launch yet are recorded COMPLETED).
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
# One task = one CPU; memory is not a consumable (else a job without --mem takes the node).
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
# Schedule dependents at once (default: 3 s between scheduling waves).
SchedulerParameters=batch_sched_delay=0
# A job whose afterok dependency failed is cancelled, not left pending forever.
DependencyParameters=kill_invalid_depend
ReturnToService=2
$node
PartitionName=local Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
}

node_state() { sinfo -h -N -o '%T' 2>/dev/null | head -n 1; }

start() {
  [ "$(id -u)" -eq 0 ] || die "needs root (slurmd runs jobs as any user; munged's key is root-owned)"
  for b in slurmctld slurmd sbatch squeue sinfo scontrol munge unmunge munged mungekey; do
    command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] ||
      die "'$b' not found: install the Debian packages slurmctld slurmd slurm-client munge (scripts/install-deps.sh)"
  done
  if live_pid "$dir/slurmctld.pid" >/dev/null && live_pid "$dir/slurmd.pid" >/dev/null; then
    say "already running in $dir"
    echo "export SLURM_CONF=$conf"
    return 0
  fi
  stop_daemons
  mkdir -p "$dir/state" "$dir/spool" "$dir/log"
  start_munge
  write_conf
  slurmctld -f "$conf" || die "slurmctld did not start; last lines of $dir/log/slurmctld.log:
$(tail -n 20 "$dir/log/slurmctld.log" 2>/dev/null)"
  slurmd -f "$conf" -N localhost || die "slurmd did not start; last lines of $dir/log/slurmd.log:
$(tail -n 20 "$dir/log/slurmd.log" 2>/dev/null)"
  local state=""
  for _ in $(seq 1 300); do  # up to 30 s
    state=$(node_state)
    case "$state" in idle | mixed | allocated) break ;; esac
    sleep 0.1
  done
  case "$state" in
    idle | mixed | allocated) ;;
    *)
      echo "slurm-local: the node is '${state:-unknown}' after 30 s; slurmctld.log:" >&2
      tail -n 15 "$dir/log/slurmctld.log" >&2 || true
      echo "slurm-local: slurmd.log:" >&2
      tail -n 15 "$dir/log/slurmd.log" >&2 || true
      stop_daemons
      exit 1
      ;;
  esac
  say "cluster up in $dir (node localhost: $state)"
  echo "export SLURM_CONF=$conf"
}

stop_daemons() {
  stop_pidfile "$dir/slurmd.pid"
  stop_pidfile "$dir/slurmctld.pid"
}

stop() {
  if live_pid "$dir/slurmctld.pid" >/dev/null; then
    scancel --full --quiet --user "$(id -un)" 2>/dev/null || true
  fi
  stop_daemons
  if [ -s "$munged_pid" ]; then stop_pidfile "$munged_pid"; fi
  say "stopped ($dir)"
}

status() {
  local ok=0 pid f
  for d in slurmctld slurmd munged; do
    f="$dir/$d.pid"
    [ "$d" = munged ] && f=$munged_pid
    if pid=$(live_pid "$f"); then echo "$d: running (pid $pid)"; else
      if [ "$d" = munged ] && munge_works; then echo "munged: running (not started here)"; else
        echo "$d: not running"
        [ "$d" = munged ] || ok=1
      fi
    fi
  done
  if [ $ok -eq 0 ]; then
    echo "export SLURM_CONF=$conf"
    sinfo -N -l 2>&1 || ok=1
  fi
  return $ok
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *)
    echo "usage: $0 start|stop|status   (folder: \$LAZYSTACK_SLURM_DIR, default /tmp/lazystack-slurm)" >&2
    exit 2
    ;;
esac
