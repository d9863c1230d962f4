#!/usr/bin/env bash
# DQN (CartPole-v1, CleanRL dqn.py defaults, 500k steps) and SAC (Pendulum-v1, CleanRL
# sac_continuous_action.py defaults) throughput with learning, via `rlx train --json`.
# Steps/s are measured over the rows after learning has started (time_this_iter_s), so the random
# warm-up phase does not inflate them. Results: bench/results/offpolicy-throughput.txt
# Usage: bench/offpolicy-throughput.sh [sac timesteps, default 15000]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sac_steps="${1:-15000}"
runs="$(mktemp -d)"
out="$root/bench/results/offpolicy-throughput.txt"
mkdir -p "$(dirname "$out")"
"$root/rlx" env list >/dev/null

measure() {  # label, learning_starts, rlx train arguments...
  local label="$1" starts="$2"; shift 2
  "$root/rlx" train "$@" --json --name "$label" --runs-dir "$runs" > "$runs/$label.jsonl" 2>/dev/null
  jq -rs --arg name "$label" --argjson starts "$starts" '
    (map(select(.timesteps_total > $starts + 1000))) as $learning
    | ($learning | map(.time_this_iter_s) | add) as $secs
    | ($learning | length) as $n
    | last as $fin
    | "\($name)\t\($fin.timesteps_total)\t\($fin.time_total_s | . * 10 | round / 10)\t\(($fin.timesteps_total / $fin.time_total_s) | round)\t\((($learning | map(.timesteps_total) | max) - ($learning | map(.timesteps_total) | min) + ($fin.timesteps_total - ($learning[-2].timesteps_total // 0))) / $secs | round)\t\($fin.episode_return_mean)"' "$runs/$label.jsonl"
}

{
  printf 'run\tsteps\tseconds\tsteps/s overall\tsteps/s while learning\tfinal return\n'
  measure dqn-cartpole 10000 dqn --env CartPole-v1 --stop timesteps=500000
  measure sac-pendulum 5000 sac --env Pendulum-v1 --stop "timesteps=$sac_steps"
} | tee "$out"
rm -rf "$runs"
