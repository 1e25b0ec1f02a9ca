#!/usr/bin/env bash
# A real one-node Slurm on loopback (slurmctld + slurmd, with its own munged), to try job-array
# scripts such as tools/slurm/generate.sbatch before sending them to a cluster, and for the tests.
#
#   sudo scripts/slurm-local.sh up       # idempotent; prints the SLURM_CONF to export
#   export SLURM_CONF=/run/fdsl-slurm-local/slurm.conf
#   sbatch --array=0-3 tools/slurm/generate.sbatch configs/quickstart.yaml /tmp/qs; squeue
#   sudo scripts/slurm-local.sh down     # stops what `up` started, by its pid files, nothing else
#   scripts/slurm-local.sh status
#
# Everything lives under $FDSL_SLURM_DIR (default /run/fdsl-slurm-local): the config, the munge
# key and socket, spool folders, logs and pid files; nothing in /etc is touched, so an existing
# Slurm or munge of the machine is left alone. Needs root (slurmd starts jobs as their users) and
# Debian's slurm-wlm and munge (installed when missing and apt-get can).
# Exit codes: 0 done, 1 a daemon failed to start (its log is shown), 2 usage, 3 cannot run here.
set -euo pipefail

STATE=${FDSL_SLURM_DIR:-/run/fdsl-slurm-local}
CONF=$STATE/slurm.conf
SOCKET=$STATE/munge/munge.socket
export SLURM_CONF=$CONF

say() { echo "slurm-local: $*" >&2; }
cannot() { say "cannot run here: $*"; exit 3; }

# A pid file's process, if it still runs the daemon the file is for (a reused pid is not ours).
running() {
  local file=$STATE/$1.pid pid
  [ -f "$file" ] || return 1
  pid=$(cat "$file" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "$1" || return 1
  echo "$pid"
}

wait_until() {  # wait_until SECONDS COMMAND...: polls the command until it succeeds or time runs out
  local end=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $end ] || return 1
    sleep 0.2
  done
}

node_ready() { sinfo -h -o %t 2>/dev/null | grep -Eq 'idle|mix|alloc'; }

up() {
  [ "$(id -u)" -eq 0 ] || cannot "needs root (slurmd runs jobs as their users); run it with sudo"
  if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null \
     || ! command -v sinfo >/dev/null; then
    command -v apt-get >/dev/null || cannot "slurm-wlm and munge are not installed and there is no apt-get"
    say "installing slurm-wlm and munge"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null 2>&1 \
      || cannot "slurm-wlm and munge are not installed and apt-get could not install them"
  fi
  mkdir -p "$STATE/munge" "$STATE/spool/ctld" "$STATE/spool/d" "$STATE/log"
  chmod 700 "$STATE/munge"
  if [ ! -f "$STATE/munge/munge.key" ]; then
    dd if=/dev/urandom of="$STATE/munge/munge.key" bs=1024 count=1 2>/dev/null
    chmod 400 "$STATE/munge/munge.key"
  fi
  if ! running munged >/dev/null; then
    # Its own munged on its own socket; --force: munged as root (the key and folders are root's).
    /usr/sbin/munged --force --socket="$SOCKET" --key-file="$STATE/munge/munge.key" --pid-file="$STATE/munged.pid" \
      --log-file="$STATE/log/munged.log" --seed-file="$STATE/munge/munged.seed" \
      || { say "munged did not start:"; tail -5 "$STATE/log/munged.log" >&2 || true; exit 1; }
  fi
  local host cpus mem
  host=$(hostname -s)
  cpus=$(nproc)
  mem=$(( $(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo) - 512 ))
  cat >"$CONF.new" <<CONF
# Written by fdsl's scripts/slurm-local.sh: one node on loopback.
ClusterName=fdsl-local
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$SOCKET
CredType=cred/munge
StateSaveLocation=$STATE/spool/ctld
SlurmdSpoolDir=$STATE/spool/d
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
SlurmctldPort=6917
SlurmdPort=6918
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  mv "$CONF.new" "$CONF"
  if ! running slurmctld >/dev/null; then
    /usr/sbin/slurmctld -f "$CONF" || { say "slurmctld did not start:"; tail -15 "$STATE/log/slurmctld.log" >&2 || true; exit 1; }
  fi
  if ! running slurmd >/dev/null; then
    /usr/sbin/slurmd -f "$CONF" -N "$host" || { say "slurmd did not start:"; tail -15 "$STATE/log/slurmd.log" >&2 || true; exit 1; }
  fi
  if ! wait_until 60 node_ready; then
    say "the node did not become idle within 60 s:"
    sinfo -N -l >&2 || true
    tail -15 "$STATE/log/slurmctld.log" "$STATE/log/slurmd.log" >&2 || true
    exit 1
  fi
  sinfo
  echo "slurm-local: up; for sbatch, squeue and srun: export SLURM_CONF=$CONF"
}

down() {
  local d pid stopped=0
  for d in slurmd slurmctld munged; do
    if pid=$(running "$d"); then
      kill "$pid" 2>/dev/null || true
      wait_until 30 sh -c "! kill -0 $pid" || kill -9 "$pid" 2>/dev/null || true
      stopped=$((stopped + 1))
    fi
    rm -f "$STATE/$d.pid"
  done
  echo "slurm-local: down ($stopped daemons stopped)"
}

status() {
  local d pid ok=0
  for d in munged slurmctld slurmd; do
    if pid=$(running "$d"); then echo "$d: running (pid $pid)"; else echo "$d: not running"; ok=1; fi
  done
  if [ $ok -eq 0 ] && sinfo >/dev/null 2>&1; then
    sinfo
    echo "export SLURM_CONF=$CONF"
  fi
  return $ok
}

case ${1:-status} in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: slurm-local.sh up | down | status" >&2; exit 2 ;;
esac
