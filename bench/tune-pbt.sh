#!/usr/bin/env bash
# PBT against fixed hyperparameters at the same total timesteps. The task: PPO on Pendulum-v1 (configs/ppo-pendulum.yaml)
# with the learning rate held constant (anneal_lr false), so a run keeps the learning rate, clip range and GAE λ it
# started with, although what suits the start of training does not suit its end. Population 8 drawn from
# bench/tune/pendulum-pbt.yaml; PBT explores every T/10 timesteps (the bottom quarter copies the top quarter's
# checkpoint and perturbs its values); the fixed side trains the same 8 draws (same search seed) to T unchanged. Both
# use 8 T timesteps. Reports the best final mean return (last 20 episodes), the population's median and the wall time,
# for several search seeds. Results: bench/results/tune-pbt.txt
# Usage: bench/tune-pbt.sh [timesteps per trial, default 300000] [seeds, default 3]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
steps="${1:-300000}"; seeds="${2:-3}"
runs="$(mktemp -d)"
out="$root/bench/results/tune-pbt.txt"
"$root/rlx" env list >/dev/null   # build once, outside the measurements
rlx() { dotnet "$root/.rlx/bin/rlx.dll" "$@"; }   # the build just made, whatever changes in src/ meanwhile

run() {  # label, seed, then rlx tune options
  local label="$1" seed="$2"; shift 2
  local start end
  start=$(date +%s.%N)
  rlx tune ppo --config "$root/configs/ppo-pendulum.yaml" --space "$root/bench/tune/pendulum-pbt.yaml" \
    --set "total_timesteps=$steps" --set anneal_lr=false --num-samples 8 --search-seed "$seed" --max-concurrent 2 \
    --name "$label-$seed" --runs-dir "$runs" "$@" > "$runs/$label-$seed.log"
  end=$(date +%s.%N)
  awk -F, -v label="$label" -v seed="$seed" -v wall="$(echo "$end - $start" | bc)" '
    NR == 2 { best = $3 } NR == 5 { upper = $3 } NR == 6 { lower = $3 }
    NR > 1 { total += $4 }
    END { printf "%s\t%s\t%.1f\t%.1f\t%d\t%.1f\n", label, seed, best, (upper + lower) / 2, total, wall }' "$runs/$label-$seed/results.csv"
}

{
  printf 'schedule\tsearch seed\tbest return\tmedian return\ttimesteps in all\twall s\n'
  for seed in $(seq 0 $((seeds - 1))); do
    run fixed "$seed"
    run pbt "$seed" --scheduler pbt --perturbation-interval $((steps / 10))
  done
} | tee "$out"
grep -h "PBT step" "$runs"/pbt-0.log | head -n 3 | sed 's/^/  /' | tee -a "$out"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; $steps timesteps per trial" | tee -a "$out"
rm -rf "$runs"
