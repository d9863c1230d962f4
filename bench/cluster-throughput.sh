#!/usr/bin/env bash
# Cluster-path benchmarks on this machine:
#  1. env steps/s of CartPole-v1 sampled by 2 asynchronous runners (8 envs x 256 steps per fragment),
#     as threads of one process (local path) and as runners on 2 worker processes streaming fragments to
#     the driver (on this machine the head competes with the runners for the same 2 cores), with a 64-64
#     and a 256-256 policy (more computation per byte sent); the 64-64 policy with 4096-step fragments
#     (1.2 MB each); then 1 runner each way, which leaves the second core to the head and the driver.
#     Each row is the median of three alternating local/cluster rounds, with the CPU the head and the
#     driver used in that cluster round;
#  2. fragment round trip: a synchronous Sample() of one step from one runner on a worker (weights out
#     through the head, step, fragment back on the runner's stream), p50/p99 over 2000 calls;
#  3. a slow env (SlowCartPole-v0: every step sleeps 10-50 ms) with 1024 envs across 4 worker processes
#     (1024 runners of one env each, 256 per worker), against the ideal 1024 / 30 ms = 34,133 steps/s, with
#     32- and 128-step fragments (one message per ~1 s or ~4 s of a runner's stepping).
# Results: bench/results/cluster-throughput.txt
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/bench/results/cluster-throughput.txt"
seconds="${1:-15}"
export RLX_SESSION_DIR="$(mktemp -d)"
trap '"$root/rlx" stop >/dev/null 2>&1 || true; rm -rf "$RLX_SESSION_DIR"' EXIT
"$root/rlx" env list >/dev/null
dotnet build "$root/bench/Rlx.ClusterBench" -c Release --nologo -v quiet -clp:ErrorsOnly >/dev/null
bench="dotnet $root/bench/Rlx.ClusterBench/bin/Release/net10.0/Rlx.ClusterBench.dll"
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_cluster() {  # workers, cpus per worker
  port="$(free_port)"
  "$root/rlx" start --head --port "$port" --dashboard-port 0 >/dev/null
  for _ in $(seq "$1"); do "$root/rlx" start --address "127.0.0.1:$port" --num-cpus "$2" >/dev/null; done
  address="127.0.0.1:$port"
  head_pid="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["head_pid"])' "$RLX_SESSION_DIR/session_latest/cluster.json")"
}

{
  echo "# rlx cluster benchmarks, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, ${seconds} s windows"
  start_cluster 2 2
  for config in "2 64 256" "2 256 256" "2 64 4096" "1 64 256" "1 256 256"; do
    read -r runners hidden steps <<<"$config"
    # Three alternating rounds, medians: the machine's speed drifts by 10-20 % within minutes.
    local_rates=() cluster_rounds=()
    for _ in 1 2 3; do
      local_rates+=("$($bench throughput local "$runners" 8 "$steps" "$seconds" CartPole-v1 "$hidden")")
      cluster_rounds+=("$($bench throughput "$address" "$runners" 8 "$steps" "$seconds" CartPole-v1 "$hidden" "$head_pid")")
    done
    local_rate="$(median "${local_rates[@]}")"
    # The median cluster round, with the cores its head and driver used.
    read -r cluster_rate head_cores driver_cores <<<"$(printf '%s\n' "${cluster_rounds[@]}" | sort -n | sed -n 2p)"
    echo "CartPole-v1, ${hidden}-${hidden} policy, ${runners} async runner(s) x 8 envs x ${steps} steps: local ${local_rate} steps/s, cluster ${cluster_rate} steps/s ($(python3 -c "print(f'{100*$cluster_rate/$local_rate:.0f}')")% of local; head ${head_cores} cores = $(python3 -c "print(f'{100*$head_cores/$(nproc):.0f}')")% of the machine, driver ${driver_cores} cores; rounds: local ${local_rates[*]}, cluster $(printf '%s\n' "${cluster_rounds[@]}" | cut -d' ' -f1 | tr '\n' ' ' | sed 's/ $//'))"
  done
  read -r p50 p99 <<<"$($bench roundtrip "$address" 2000)"
  echo "fragment round trip (sync Sample of 1 step on a worker): p50 ${p50} ms, p99 ${p99} ms"
  "$root/rlx" stop >/dev/null
  start_cluster 4 256
  for fragment in 32 128; do
    slow_rate="$($bench throughput "$address" 1024 1 "$fragment" "$((seconds * 2))" SlowCartPole-v0)"
    echo "SlowCartPole-v0 (10-50 ms per step), 1024 envs on 4 workers, ${fragment}-step fragments: ${slow_rate} steps/s = $(python3 -c "print(f'{100*$slow_rate/34133.3:.0f}')")% of the ideal 34,133"
  done
  "$root/rlx" stop >/dev/null
} | tee "$out"
