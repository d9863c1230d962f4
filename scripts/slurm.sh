#!/usr/bin/env bash
# A real Slurm cluster on this machine, for testing deploy/slurm: emulated hosts (scripts/netns.sh) with
# slurmctld on host 0 and one slurmd on each of hosts 1 .. NODES, each host with its own hostname (PREFIX<I>) and
# address (10.88.0.<I+1>), names resolving on every host as on a real cluster; munge authenticates them. Needs root
# and Debian's slurm-wlm and munge (`install` gets them).
#
#   scripts/slurm.sh install                 installs slurm-wlm and munge with apt-get when missing
#   scripts/slurm.sh check                   exits 0 when the cluster can be made here (root, namespaces, Slurm)
#   scripts/slurm.sh up PREFIX NODES DIR     makes the hosts and starts the daemons (state, logs and slurm.conf in
#                                            DIR); returns once every node is idle. Use the cluster with
#                                            SLURM_CONF=DIR/slurm.conf, from host 0: ip netns exec PREFIX0 sbatch ...
#   scripts/slurm.sh down PREFIX DIR         stops the daemons and removes the hosts
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

munge_dir() { echo "/run/rlx-slurm/$1/munge"; }
daemons_missing() { ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; }

up() {
  local prefix="$1" nodes="$2" dir="$3"
  down "$prefix" "$dir"
  "$here/netns.sh" up "$prefix" "$((nodes + 1))"
  mkdir -p "$dir/ctld"
  dir="$(cd "$dir" && pwd)"
  local munge; munge="$(munge_dir "$prefix")"
  mkdir -p "$munge"

  # Every host resolves every host's name, and its own hostname is its node name (a UTS namespace per daemon).
  local hosts="127.0.0.1 localhost"$'\n'
  for i in $(seq 0 "$nodes"); do hosts+="10.88.0.$((i + 1)) ${prefix}${i}"$'\n'; done
  for i in $(seq 0 "$nodes"); do mkdir -p "/etc/netns/${prefix}${i}"; printf '%s' "$hosts" > "/etc/netns/${prefix}${i}/hosts"; done

  # munge: a key of this cluster's own and a socket of its own (in /run, where the munge user can reach it), so a
  # munged the machine may run is left alone.
  dd if=/dev/urandom of="$munge/munge.key" bs=1024 count=1 status=none
  chown -R munge:munge "$munge"; chmod 755 "$munge"; chmod 400 "$munge/munge.key"
  runuser -u munge -- munged --socket="$munge/munge.socket" --key-file="$munge/munge.key" \
    --pid-file="$munge/munged.pid" --log-file="$munge/munged.log" --seed-file="$munge/munged.seed"

  {
    echo "ClusterName=${prefix}"
    echo "SlurmctldHost=${prefix}0(10.88.0.1)"
    echo "SlurmUser=root"
    echo "AuthType=auth/munge"
    echo "AuthInfo=socket=$munge/munge.socket"
    echo "CredType=cred/munge"
    echo "StateSaveLocation=$dir/ctld"
    echo "SlurmdSpoolDir=$dir/slurmd-%n"
    echo "SlurmctldPidFile=$dir/slurmctld.pid"
    echo "SlurmdPidFile=$dir/slurmd-%n.pid"
    echo "SlurmctldLogFile=$dir/slurmctld.log"
    echo "SlurmdLogFile=$dir/slurmd-%n.log"
    echo "ProctrackType=proctrack/linuxproc"
    echo "TaskPlugin=task/none"
    echo "JobAcctGatherType=jobacct_gather/none"
    echo "AccountingStorageType=accounting_storage/none"
    echo "SelectType=select/cons_tres"
    echo "SelectTypeParameters=CR_CPU"
    echo "MpiDefault=none"
    echo "ReturnToService=2"
    echo "SlurmdParameters=config_overrides"
    for i in $(seq 1 "$nodes"); do echo "NodeName=${prefix}${i} NodeAddr=10.88.0.$((i + 1)) CPUs=2 State=UNKNOWN"; done
    echo "PartitionName=rlx Nodes=ALL Default=YES MaxTime=INFINITE State=UP"
  } > "$dir/slurm.conf"

  # Each daemon enters its host's network namespace (but keeps this machine's /sys, where slurmd finds the cgroup
  # file systems that `ip netns exec` would hide), with a hostname and an /etc/hosts of its own.
  start_in() {  # host index, daemon command...
    local ns="${prefix}$1"; shift
    setsid nsenter --net="/run/netns/$ns" unshare --uts --mount -- \
      bash -c "mount --bind /etc/netns/$ns/hosts /etc/hosts && hostname $ns && exec $*" > "$dir/$ns.out" 2>&1 < /dev/null &
  }
  start_in 0 slurmctld -D -i -f "$dir/slurm.conf"
  for i in $(seq 1 "$nodes"); do
    mkdir -p "$dir/slurmd-${prefix}${i}"
    start_in "$i" slurmd -D -f "$dir/slurm.conf"
  done

  # Ready when every node is idle.
  for _ in $(seq 120); do
    idle=$(SLURM_CONF="$dir/slurm.conf" ip netns exec "${prefix}0" sinfo -h -N -t idle -o %N 2>/dev/null | sort -u | wc -l || true)
    [[ "$idle" -ge "$nodes" ]] && return 0
    sleep 0.5
  done
  echo "Slurm did not come up within 60 s; its logs:" >&2
  tail -n 20 "$dir"/*.log "$dir"/*.out >&2 || true
  exit 1
}

down() {
  local prefix="$1" dir="$2"
  "$here/netns.sh" down "$prefix"   # kills every process in the hosts (slurmctld, slurmd, jobs)
  local munge; munge="$(munge_dir "$prefix")"
  if [[ -s "$munge/munged.pid" ]]; then kill "$(cat "$munge/munged.pid")" 2>/dev/null || true; fi
  rm -rf "$munge"
  rm -rf /etc/netns/"${prefix}"[0-9]*
}

case "${1:-}" in
  install)
    daemons_missing || exit 0
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge
    ;;
  check)
    [[ "$(id -u)" == 0 ]] && ! daemons_missing && command -v unshare >/dev/null && "$here/netns.sh" check
    ;;
  up) up "$2" "$3" "$4" ;;
  down) down "$2" "$3" ;;
  *) sed -n '2,13p' "$0"; exit 2 ;;
esac
