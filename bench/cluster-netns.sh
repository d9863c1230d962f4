#!/usr/bin/env bash
# The cluster across hosts with their own addresses and links: a head (and the learner) on host 0 and 4 workers on
# hosts 1-4, each a network namespace on one bridge with its link limited to RATE (default 1gbit, tc tbf, both
# directions; needs root and iproute2: scripts/netns.sh). Measures, with 4 asynchronous runners (one per worker,
# 8 envs x 256 steps per fragment): env steps/s and the learner's intake in MB/s for CartPole-v1 (36 bytes per
# step) and MinAtar/Breakout-v1 (1.6 KB per step), the time from `rlx start` to a ready head and to a joined
# worker, and the fragment round trip between hosts. DELAY_MS=N adds N ms to every packet from host to host
# (scripts/netns.sh joins the hosts through scripts/delayline then). Results appended to bench/results/cluster-netns.txt
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/bench/results/cluster-netns.txt"
seconds="${1:-15}" rate="${RATE:-1gbit}" prefix=rlxb port=5800
if ! bash "$root/scripts/netns.sh" check; then
  echo "bench/cluster-netns.sh needs root and iproute2 (ip netns, tc) to emulate hosts." >&2
  exit 2
fi
"$root/rlx" env list >/dev/null
dotnet build "$root/bench/Rlx.ClusterBench" -c Release --nologo -v quiet -clp:ErrorsOnly >/dev/null
bench="dotnet $root/bench/Rlx.ClusterBench/bin/Release/net10.0/Rlx.ClusterBench.dll"
rlx="dotnet $root/.rlx/bin/rlx.dll"
export RLX_SESSION_DIR="$(mktemp -d)"
on() { local host="$1"; shift; ip netns exec "$prefix$host" "$@"; }
cleanup() { on 0 $rlx stop >/dev/null 2>&1 || true; bash "$root/scripts/netns.sh" down "$prefix"; rm -rf "$RLX_SESSION_DIR"; }
trap cleanup EXIT
bash "$root/scripts/netns.sh" up "$prefix" 5 "$rate"
ms() { python3 -c "import sys; print(f'{(float(sys.argv[2]) - float(sys.argv[1])) * 1000:.0f}')" "$1" "$2"; }

{
  delay="${DELAY_MS:+, ${DELAY_MS} ms one-way delay (scripts/delayline)}"
  echo "# rlx cluster across 5 emulated hosts (network namespaces, ${rate} links${delay}), $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores shared by all hosts, ${seconds} s windows"
  t0="$(date +%s.%N)"
  on 0 $rlx start --head --port "$port" --node-ip-address 10.88.0.1 --dashboard-port 0 >/dev/null
  t1="$(date +%s.%N)"
  token="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$RLX_SESSION_DIR/session_latest/cluster.json")"
  for host in 1 2 3 4; do
    on "$host" $rlx start --address "10.88.0.1:$port" --token "$token" --num-cpus 1 >/dev/null
  done
  t2="$(date +%s.%N)"
  echo "rlx start --head to a ready head: $(ms "$t0" "$t1") ms; 4 workers started one after another and joined: $(ms "$t1" "$t2") ms ($(python3 -c "print(f'{($t2 - $t1) * 250:.0f}')") ms each)"
  address="10.88.0.1:$port"
  export RLX_TOKEN="$token"
  for env in CartPole-v1 MinAtar/Breakout-v1; do
    read -r steps mbps <<<"$(on 0 $bench intake "$address" 4 8 256 "$seconds" "$env" 64)"
    echo "$env, 64-64 policy, 4 async runners (one per worker host) x 8 envs x 256 steps, learner on the head's host: ${steps} env steps/s, intake ${mbps} MB/s"
  done
  read -r p50 p99 <<<"$(on 0 $bench roundtrip "$address" 1000)"
  echo "fragment round trip between hosts (sync Sample of 1 step: weights out through the head, fragment back on the stream): p50 ${p50} ms, p99 ${p99} ms"
} | tee -a "$out"
