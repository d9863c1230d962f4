#!/usr/bin/env bash
# ASHA against the full grid: the same 48 PPO configurations on Pendulum-v1 (bench/tune/pendulum-grid.yaml over
# configs/ppo-pendulum.yaml), T timesteps each, 2 at a time — once every trial to its end (FIFO), then under ASHA
# with η = 3 and its first rung at T/8 (rungs T/8, 3T/8) or T/4 (rungs T/4, 3T/4), and with η = 2 from T/4 (rungs T/4,
# T/2). Every trial trains
# deterministically from its config and seed, so a configuration ASHA keeps to the end scores exactly what it scores
# in the grid. Reports the best final mean return
# (last 20 episodes), the timesteps trained in all and the wall time. Results: bench/results/tune-asha.txt
# Usage: bench/tune-asha.sh [timesteps per trial, default 200000]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
steps="${1:-200000}"
runs="$(mktemp -d)"
out="$root/bench/results/tune-asha.txt"
"$root/rlx" env list >/dev/null   # build once, outside the measurements
rlx() { dotnet "$root/.rlx/bin/rlx.dll" "$@"; }   # the build just made, whatever changes in src/ meanwhile

run() {  # label, then rlx tune options
  local label="$1"; shift
  local start end
  start=$(date +%s.%N)
  rlx tune ppo --config "$root/configs/ppo-pendulum.yaml" --space "$root/bench/tune/pendulum-grid.yaml" \
    --set "total_timesteps=$steps" --max-concurrent 2 --name "$label" --runs-dir "$runs" "$@" > "$runs/$label.log"
  end=$(date +%s.%N)
  awk -F, -v label="$label" -v wall="$(echo "$end - $start" | bc)" '
    NR == 2 { best = $3; trial = $1 }
    NR > 1 { total += $4; if ($2 == "terminated") finished++ }
    END { printf "%s\t%d\t%d\t%.1f (%s)\t%d\t%.1f\n", label, NR - 1, finished, best, trial, total, wall }' "$runs/$label/results.csv"
}

{
  printf 'scheduler\ttrials\ttrained to the end\tbest return\ttimesteps in all\twall s\n'
  run grid-fifo
  run asha-grace-T8 --scheduler asha --grace-period $((steps / 8)) --reduction-factor 3
  run asha-grace-T4 --scheduler asha --grace-period $((steps / 4)) --reduction-factor 3
  run asha-grace-T4-eta2 --scheduler asha --grace-period $((steps / 4)) --reduction-factor 2
} | tee "$out"
# Trials are numbered alike in all three (the same grid order): where ASHA's best stands in the grid, and what ASHA
# did with the grid's best.
grid_best=$(sed -n 2p "$runs/grid-fifo/results.csv" | cut -d, -f1)
{
  echo "the grid's top 5: $(awk -F, 'NR > 1 && NR <= 6 { printf "%s %.1f  ", $1, $3 }' "$runs/grid-fifo/results.csv")"
  for label in asha-grace-T8 asha-grace-T4 asha-grace-T4-eta2; do
    best=$(sed -n 2p "$runs/$label/results.csv" | cut -d, -f1)
    rank=$(awk -F, -v t="$best" 'NR > 1 && $1 == t { print NR - 1 }' "$runs/grid-fifo/results.csv")
    echo "$label: its best ($best) is number $rank of 48 in the grid; the grid's best ($grid_best) $(jq -r --arg t "$grid_best" '.trials[] | select(.name == $t) | "\(.status) at \(.timesteps_total) timesteps\(if .status == "stopped" then ": " + .end_reason else "" end)"' "$runs/$label/experiment.json")"
  done
} | tee -a "$out"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; $steps timesteps per trial" | tee -a "$out"
rm -rf "$runs"
