#!/usr/bin/env bash
# Self-play PPO on Connect Four (connect_four_v3): trains against a prioritised pool of the policy's own snapshots,
# then plays every kept checkpoint against random, minimax-1 and minimax-2 (200 games each, half moving first) and
# prints the learner's Elo at each snapshot (from the result rows). The bars: >= 99% wins against random, >= 90%
# against minimax-2, a rating that rises over snapshots.
# Results: bench/results/selfplay-connect4.txt. Usage: bench/selfplay-connect4.sh [RUN_DIR] (evaluates an existing
# run made with the same command instead of training a new one).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/bench/results/selfplay-connect4.txt"
mkdir -p "$(dirname "$out")"
"$root/rlx" env list >/dev/null   # build once, outside the measurements
run="${1:-}"
if [ -z "$run" ]; then
  runs="$(mktemp -d)"
  run="$runs/selfplay-c4"
  "$root/rlx" train ppo --env connect_four_v3 --json --runs-dir "$runs" --name selfplay-c4 --checkpoint-every 250 \
    --set self_play=true --set num_envs_per_runner=64 --set rollout_fragment_length=64 --set hiddens=256,256 \
    --set lr=0.0003 --set ent_coef=0.02 --set opponent_pool_size=32 --set snapshot_interval=25 \
    --set opponent_sampling=prioritized --set total_timesteps=8000000 --stop timesteps=8000000 > /dev/null
fi
{
  echo "# $(date -u +%F) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; run $(basename "$run")"
  jq -rs '"trained \(last.timesteps_total) decisions in \(last.time_total_s | round) s (\(last.timesteps_total / last.time_total_s | round)/s)"' "$run/result.jsonl"
  echo "learner Elo when each snapshot joined the pool (iteration: rating):"
  jq -rs 'map(select(.training_iteration % 250 == 0)) | map("\(.["self_play/newest_snapshot_iteration"]): \(.["self_play/newest_snapshot_rating"] | round)") | join(", ")' "$run/result.jsonl"
  for checkpoint in "$run"/checkpoints/checkpoint_*; do
    echo "$(basename "$checkpoint"):"
    "$root/rlx" eval "$checkpoint" --opponent random --opponent minimax-1 --opponent minimax-2 --games 200 | grep '^vs ' | sed 's/^/  /'
  done
} | tee -a "$out"
