#!/usr/bin/env bash
# End-to-end PPO training throughput on CartPole-v1 (env steps/s including learning), with CleanRL's
# hyperparameters (4 envs x 128 steps, 4 minibatches, 4 epochs, 64-64 tanh MLPs, 500k steps), plus
# wider runner layouts. Reports steps/s, seconds until the mean return of the last 20 episodes first
# reaches 475, and peak resident memory. Results: bench/results/ppo-throughput.txt
# Usage: bench/ppo-throughput.sh [timesteps, default 500000]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
steps="${1:-500000}"
runs="$(mktemp -d)"
out="$root/bench/results/ppo-throughput.txt"
mkdir -p "$(dirname "$out")"
"$root/rlx" env list >/dev/null   # build once, outside the measurements

measure() {  # label, then rlx train arguments
  local label="$1"; shift
  local log="$runs/$label.jsonl" mem="$runs/$label.mem"
  /usr/bin/time -f "%M" -o "$mem" "$root/rlx" train ppo --env CartPole-v1 --stop "timesteps=$steps" --json \
    --name "$label" --runs-dir "$runs" "$@" > "$log" 2>/dev/null
  jq -rs --arg name "$label" --arg mem "$(cat "$mem")" '
    (map(select(.episode_return_mean != null and .episode_return_mean >= 475)) | first) as $hit
    | last as $fin
    | "\($name)\t\($fin.timesteps_total)\t\($fin.time_total_s | . * 100 | round / 100)\t\($fin.timesteps_total / $fin.time_total_s | round)\t\(if $hit then "\($hit.timesteps_total) steps, \($hit.time_total_s | . * 100 | round / 100) s" else "not reached" end)\t\($fin.episode_return_mean)\t\($mem | tonumber / 1024 | round) MiB"' "$log"
}

{
  printf 'layout\tsteps\tseconds\tsteps/s\tfirst mean return >= 475\tfinal return\tpeak RSS\n'
  measure cleanrl-1x4 --set num_env_runners=1 --set num_envs_per_runner=4
  measure cleanrl-2x2 --set num_env_runners=2 --set num_envs_per_runner=2
  measure wide-2x8 --set num_env_runners=2 --set num_envs_per_runner=8
  measure wide-2x32 --set num_env_runners=2 --set num_envs_per_runner=32
} | tee "$out"
rm -rf "$runs"
