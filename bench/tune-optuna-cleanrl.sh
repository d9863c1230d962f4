#!/usr/bin/env bash
# The Python stack end to end on bench/tune-optuna.sh's task: Optuna 3.1's TPESampler driving CleanRL's
# ppo_continuous_action.py (PyTorch, one thread per trial, 2 trials at a time) on Pendulum-v1 over the same search
# space (bench/tune/pendulum-space.yaml) and budget (N trials of T timesteps), next to rlx tune on the same machine.
# CleanRL and Gymnasium come from their public repositories: CLEANRL_SRC is a checkout of vwxyzjn/cleanrl (the script
# is cleanrl/ppo_continuous_action.py), GYMNASIUM_SRC a directory holding gymnasium/ (Farama-Foundation/Gymnasium);
# bench/tune/cleanrl_shim lets the unchanged script run on Gymnasium 1.x without tyro and tensorboard. Reports the best
# mean return of the last 20 episodes and the wall time. Results: bench/results/tune-optuna-cleanrl.txt
# Usage: CLEANRL_SRC=DIR GYMNASIUM_SRC=DIR bench/tune-optuna-cleanrl.sh [trials, default 40] [timesteps, default 100000]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
trials="${1:-40}"; steps="${2:-100000}"
cleanrl="${CLEANRL_SRC:?set CLEANRL_SRC to a checkout of github.com/vwxyzjn/cleanrl}/cleanrl/ppo_continuous_action.py"
gym="${GYMNASIUM_SRC:?set GYMNASIUM_SRC to a directory holding gymnasium/ (github.com/Farama-Foundation/Gymnasium)}"
[ -f "$cleanrl" ] || { echo "$cleanrl not found" >&2; exit 1; }
[ -d "$gym/gymnasium" ] || { echo "no gymnasium/ in $gym" >&2; exit 1; }
work="$(mktemp -d)"
python=/usr/bin/python3
out="$root/bench/results/tune-optuna-cleanrl.txt"
"$root/rlx" env list >/dev/null   # build once, outside the measurements
{
  printf 'stack\ttrials\tbest return\twall s\n'
  start=$(date +%s.%N)
  dotnet "$root/.rlx/bin/rlx.dll" tune ppo --config "$root/configs/ppo-pendulum.yaml" --space "$root/bench/tune/pendulum-space.yaml" \
    --search tpe --num-samples "$trials" --set "total_timesteps=$steps" --max-concurrent 2 --name rlx --runs-dir "$work" > "$work/rlx.log"
  end=$(date +%s.%N)
  printf 'rlx tune tpe (Rlx PPO)\t%s\t%.1f\t%.1f\n' "$trials" "$(sed -n 2p "$work/rlx/results.csv" | cut -d, -f3)" "$(echo "$end - $start" | bc)"
  "$python" "$root/bench/tune/optuna_rlx.py" --cleanrl "$cleanrl" --shim "$root/bench/tune/cleanrl_shim:$gym" \
    --space "$root/bench/tune/pendulum-space.yaml" --timesteps "$steps" --trials "$trials" --jobs 2 --seed 0 > "$work/optuna.json"
  jq -r '"optuna 3.1 tpe + CleanRL ppo_continuous_action (PyTorch)\t\(.trials)\t\(.best * 10 | round / 10)\t\(.seconds)"' "$work/optuna.json"
} | tee "$out"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; $(date -u +%Y-%m-%d)" | tee -a "$out"
rm -rf "$work"
