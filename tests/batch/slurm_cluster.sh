#!/usr/bin/env bash
# A throw-away single-node Slurm cluster (slurmctld + slurmd, authenticated by munge) for the
# batch tests, with all state in one folder. No systemd, no cgroups, no accounting database.
#
#   slurm_cluster.sh up STATE_DIR     writes the configuration, starts munged, slurmctld and
#                                     slurmd; prints `export SLURM_CONF=... PCANNO_SLURM_...` lines
#   slurm_cluster.sh down STATE_DIR   cancels the cluster's jobs, stops the daemons it started
#                                     (by their recorded PIDs) and removes the folder
#
# Exit 3 (one line on stderr) when this machine cannot run it: not root, or the Debian packages
# slurmctld, slurmd, slurm-client and munge are missing.
set -euo pipefail

usage() { echo "usage: $0 up|down STATE_DIR" >&2; exit 2; }
[[ $# -eq 2 ]] || usage
cmd=$1
state=$2

if [[ $(id -u) -ne 0 ]]; then
  echo "slurm_cluster.sh: needs root (slurmd runs jobs as their user; SlurmUser=root)" >&2
  exit 3
fi
for tool in slurmctld slurmd munged sbatch scontrol squeue scancel; do
  if ! command -v "$tool" >/dev/null 2>&1 && [[ ! -x /usr/sbin/$tool ]]; then
    echo "slurm_cluster.sh: $tool is missing (apt-get install slurmctld slurmd slurm-client munge)" >&2
    exit 3
  fi
done
PATH=/usr/sbin:$PATH

# The daemons delete their pid files while exiting, so the PIDs are recorded here at start.
stop_recorded() {
  local name pid
  for name in slurmd slurmctld munged; do
    [[ -f $state/pids/$name ]] || continue
    pid=$(cat "$state/pids/$name")
    kill -TERM "$pid" 2>/dev/null || true
  done
  for name in slurmd slurmctld munged; do
    [[ -f $state/pids/$name ]] || continue
    pid=$(cat "$state/pids/$name")
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
}

# Waits until FILE holds a PID (the daemon wrote it), then records it as pids/NAME.
record_pid() {
  local name=$1 file=$2
  for _ in $(seq 100); do
    if [[ -s $file ]]; then
      cp "$file" "$state/pids/$name"
      return 0
    fi
    sleep 0.05
  done
  echo "slurm_cluster.sh: $name did not start (see $state/log)" >&2
  return 1
}

up() {
  mkdir -p "$state"/{munge,spool/ctld,spool/d,log,pids,cgroup,jobs}
  chmod 755 "$state"
  # munge: its own key, socket and pid; the socket folder world-executable, not group/world
  # writable.
  chmod 755 "$state/munge"
  dd if=/dev/urandom of="$state/munge/munge.key" bs=1024 count=1 status=none
  chmod 0400 "$state/munge/munge.key"
  munged --key-file="$state/munge/munge.key" --socket="$state/munge/munge.socket" \
    --pid-file="$state/munge/munged.pid" --log-file="$state/log/munged.log" \
    --seed-file="$state/munge/munged.seed" --force
  record_pid munged "$state/munge/munged.pid"

  local node cpus memory port_ctld port_d
  node=$(uname -n)
  cpus=$(nproc)
  memory=$(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' | head -n 1)
  # Two free ports for the controller and the node daemon.
  port_ctld=$((20000 + RANDOM % 10000))
  port_d=$((port_ctld + 1))
  # Tests may run more array tasks at once than there are cores: declare four CPUs at least
  # (config_overrides makes slurmd take the declared count).
  ((cpus < 4)) && cpus=4
  cat >"$state/cgroup.conf" <<EOF
CgroupPlugin=cgroup/v1
CgroupMountpoint=$state/cgroup
EOF
  cat >"$state/slurm.conf" <<EOF
ClusterName=pcanno-test
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$port_ctld
SlurmdPort=$port_d
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$state/munge/munge.socket,cred_expire=10
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$state/log/jobcomp.txt
MinJobAge=3600
ReturnToService=2
SlurmdParameters=config_overrides
MailProg=/bin/true
SchedulerParameters=batch_sched_delay=0,sched_interval=2,bf_interval=2
StateSaveLocation=$state/spool/ctld
SlurmdSpoolDir=$state/spool/d
SlurmctldPidFile=$state/pids/slurmctld.pidfile
SlurmdPidFile=$state/pids/slurmd.pidfile
SlurmctldLogFile=$state/log/slurmctld.log
SlurmdLogFile=$state/log/slurmd.log
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=${memory:-1024} State=UNKNOWN
PartitionName=batch Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF=$state/slurm.conf
  slurmctld -i
  record_pid slurmctld "$state/pids/slurmctld.pidfile"
  slurmd
  record_pid slurmd "$state/pids/slurmd.pidfile"
  # Ready when the node takes jobs.
  local ready=0
  for _ in $(seq 100); do
    if sinfo -h -o %t 2>/dev/null | grep -Eq '^(idle|mix|alloc)'; then
      ready=1
      break
    fi
    sleep 0.1
  done
  if ((!ready)); then
    echo "slurm_cluster.sh: the node did not come up (see $state/log)" >&2
    return 1
  fi
  echo "export SLURM_CONF=$state/slurm.conf PCANNO_SLURM_STATE=$state PCANNO_SLURM_PARTITION=batch"
}

down() {
  [[ -d $state ]] || return 0
  if [[ -f $state/slurm.conf ]]; then
    export SLURM_CONF=$state/slurm.conf
    # scontrol shutdown would leave running jobs alive: cancel them first.
    scancel --full --quiet --user "$(id -un)" 2>/dev/null || true
    sleep 0.3
  fi
  stop_recorded
  # Leftover job steps of this cluster: processes whose environment names its configuration.
  local pid
  for pid in $(pgrep -f "slurmstepd" 2>/dev/null || true); do
    if tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx "SLURM_CONF=$state/slurm.conf"; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$state"
}

case $cmd in
  up)
    if ! up; then
      # The daemons stop; the folder stays for its logs until `down`.
      stop_recorded
      tail -n 5 "$state"/log/*.log >&2 2>/dev/null || true
      exit 1
    fi
    ;;
  down) down ;;
  *) usage ;;
esac
