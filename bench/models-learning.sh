#!/usr/bin/env bash
# Learning bars of the model issue, each a full training run from the command line: PPO + LSTM on
# CartPoleNoVel-v1 (mean return >= 475), PPO + LSTM on MiniGrid-MemoryS7-v0 (success >= 0.9; memory-mlp is the
# memoryless control), PPO on
# MiniGrid-DoorKey-8x8-v0 (solved: mean return >= 0.9); PPO + minatar_cnn on MinAtar/Breakout-v1 against the
# published range is bench/minatar-ppo.sh. Prints, per case, the steps and seconds at which the bar was first met
# (or "not reached") by the mean training return of the last 20 episodes and by the greedy evaluation (10 episodes
# every 20 iterations), the final mean training return, the throughput, and the final policy's greedy mean return
# over 200 episodes (rlx eval).
# Results: bench/results/models-learning.txt. Usage: bench/models-learning.sh [case ...] (default: all)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/bench/results/models-learning.txt"
runs="$(mktemp -d)"
mkdir -p "$(dirname "$out")"
"$root/rlx" env list >/dev/null   # build once, outside the measurements

run() {  # label, bar, then rlx train arguments
  local label="$1" bar="$2"; shift 2
  local log="$runs/$label.jsonl"
  "$root/rlx" train ppo --json --name "$label" --runs-dir "$runs" "$@" > "$log" 2>/dev/null || true
  local final
  final="$("$root/rlx" eval "$runs/$label" --episodes 200 2>/dev/null | sed -n 's/^mean return \([^ ]*\).*/\1/p')"
  jq -rs --arg name "$label" --argjson bar "$bar" --arg final "${final:-failed}" '
    def first_at(key): (map(select(.[key] != null and .[key] >= $bar)) | first)
      | if . then "\(.timesteps_total) steps, \(.time_total_s | round) s" else "not reached" end;
    last as $fin
    | "\($name)\t\($bar)\t\(first_at("episode_return_mean"))\t\(first_at("evaluation/episode_return_mean"))\t\($fin.timesteps_total)\t\($fin.episode_return_mean)\t\($fin.timesteps_total / $fin.time_total_s | round)\t\($final)"' "$log"
}

# MemoryS7 with the one-hot view (MiniGrid's OneHotPartialObsWrapper), running observation normalisation, which
# makes the rare cue features stand out, and ent_coef 0.05; the LSTM for each seed of MEMORY_SEEDS (default 1 2 3);
# memory-mlp is the same without memory, the control.
memory=(--set env_config.observation=onehot_image --set normalize_observations=true --set ent_coef=0.05
  --set num_envs_per_runner=16 --set total_timesteps=2000000 --set evaluation_interval=20)
cases=("$@")
[ ${#cases[@]} -eq 0 ] && cases=(novel memory memory-mlp doorkey)
{
  echo "# $(date -u +%F) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
  printf 'case\tbar\ttraining mean first reached\tgreedy evaluation first reached\tsteps\tfinal mean return\tsteps/s\tgreedy 200 episodes at the end\n'
  for c in "${cases[@]}"; do
    case "$c" in
      novel) run cartpolenovel-lstm 475 --env CartPoleNoVel-v1 --set model=lstm --set normalize_rewards=true --set total_timesteps=1000000 --set evaluation_interval=20 ;;
      memory) for seed in ${MEMORY_SEEDS:-1 2 3}; do
          run "memorys7-lstm-seed$seed" 0.9 --env MiniGrid-MemoryS7-v0 "${memory[@]}" --set model=lstm --set seed="$seed"
        done ;;
      memory-mlp) run memorys7-mlp 0.9 --env MiniGrid-MemoryS7-v0 "${memory[@]}" --set model=mlp ;;
      doorkey) run doorkey8x8 0.9 --env MiniGrid-DoorKey-8x8-v0 --set num_envs_per_runner=16 --set total_timesteps=2000000 --set evaluation_interval=20 ;;
      *) echo "unknown case $c (novel, memory, memory-mlp, doorkey)" >&2; exit 2 ;;
    esac
  done
} | tee -a "$out"
