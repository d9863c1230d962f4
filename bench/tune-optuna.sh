#!/usr/bin/env bash
# rlx tune (TPE) side by side with Optuna 3.1's TPESampler on the same search space and budget: PPO on
# Pendulum-v1 (configs/ppo-pendulum.yaml as the base, bench/tune/pendulum-space.yaml searched), N trials of
# T timesteps each, 2 at a time, for several search seeds. Optuna runs each trial as an `rlx train` process, so
# both sides train the same way and the comparison is of the searches and their overheads. Reports the best
# final mean return (last 20 episodes) and the wall time of each experiment.
# Needs python3-optuna (apt-get install -y python3-optuna). Results: bench/results/tune-optuna.txt
# Usage: bench/tune-optuna.sh [trials, default 40] [timesteps per trial, default 100000] [seeds, default 3]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
trials="${1:-40}"; steps="${2:-100000}"; seeds="${3:-3}"
python=/usr/bin/python3
"$python" -c "import optuna" 2>/dev/null || { echo "python3-optuna is missing: apt-get install -y python3-optuna" >&2; exit 1; }
runs="$(mktemp -d)"
out="$root/bench/results/tune-optuna.txt"
"$root/rlx" env list >/dev/null   # build once, outside the measurements
rlx() { dotnet "$root/.rlx/bin/rlx.dll" "$@"; }   # the build just made, whatever changes in src/ meanwhile
{
  printf 'searcher\tseed\ttrials\tbest return\twall s\n'
  for seed in $(seq 0 $((seeds - 1))); do
    start=$(date +%s.%N)
    rlx tune ppo --config "$root/configs/ppo-pendulum.yaml" --space "$root/bench/tune/pendulum-space.yaml" \
      --search tpe --num-samples "$trials" --set "total_timesteps=$steps" --max-concurrent 2 --search-seed "$seed" \
      --name "rlx-$seed" --runs-dir "$runs" > "$runs/rlx-$seed.log"
    end=$(date +%s.%N)
    best=$(sed -n 2p "$runs/rlx-$seed/results.csv" | cut -d, -f3)
    printf 'rlx tune tpe\t%s\t%s\t%.1f\t%.1f\n' "$seed" "$trials" "$best" "$(echo "$end - $start" | bc)"
    "$python" "$root/bench/tune/optuna_rlx.py" --rlx "dotnet $root/.rlx/bin/rlx.dll" --space "$root/bench/tune/pendulum-space.yaml" \
      --config "$root/configs/ppo-pendulum.yaml" --timesteps "$steps" --trials "$trials" --jobs 2 --seed "$seed" > "$runs/optuna-$seed.json"
    jq -r --arg seed "$seed" '"optuna 3.1 tpe + rlx train\t\($seed)\t\(.trials)\t\(.best * 10 | round / 10)\t\(.seconds)"' "$runs/optuna-$seed.json"
  done
} | tee "$out"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores" | tee -a "$out"
rm -rf "$runs"
