#!/usr/bin/env bash
# Multi-agent training bars. Cases:
#   spread            shared-policy PPO on simple_spread_v3 for SPREAD_STEPS agent decisions (default 120M = 40M environment
#                     steps, the budget of the EPyMARL benchmark's on-policy runs); greedy mean return per agent against
#                     random actions, each also in the published MPE convention (see docs/multi-agent.md)
#   spread-independent  the same budget with a policy per agent (independent learners, IPPO)
#   connect4          self-play PPO on connect_four_v3 against its own snapshots
#   connect4-players  the same with random, minimax-1 and minimax-2 as frozen opponents in the pool
#   connect4-cnn      connect4-players with the MinAtar CNN, 16M decisions
#   connect4-mixed    connect4-cnn with opponent_uniform_share=0.3: 30 % of episodes draw their opponent uniformly
#   connect4-league   the same with one main exploiter (a league)
#   connect4-ladder   connect4-cnn trained in LADDER_CHUNKS (8) resumed chunks of STEPS/8 (default 8M in all), each chunk's
#                     checkpoint kept, then all of them and the built-in players rated by rlx eval --ladder
#   connect4-board    board_cnn, lr 1e-3 constant, 10 epochs; random, tactical-2, tactical-4, minimax-1 and minimax-2 in a
#                     pool of 16 snapshots, half the opponents drawn uniformly; 8M decisions in 4 rated chunks
#   connect4-board-random  the same updates; random, tactical-1, tactical-2, tactical-4 and minimax-2 with 4 snapshots, 70 %
#                     of the opponents drawn uniformly (random-like play in about 40 % of the games); 6M decisions, rated
#                     every 250 iterations (1,024,000 decisions)
#   connect4-board-all  connect4-board-random with minimax-1 among the players
#   connect4-board-openings  connect4-board-all with env_config.random_opening_plies=2 (every training game opens with 0, 1 or
#                     2 random moves) and the learning rate annealed from 1e-3 to 0; 12,288,000 decisions, rated every
#                     2,048,000 with LADDER_GAMES=2000 per pair
# Each connect4 case plays every kept checkpoint against random, minimax-1 and minimax-2 (200 games each, half moving
# first) and prints the learner's Elo when each snapshot joined the pool; the ladder cases play random, tactical-2,
# minimax-1 and minimax-2 (GAMES=400 each), rate the chunks' checkpoints and those players in one round robin
# (LADDER_GAMES=1000 per pair, each pair of games opened with LADDER_PLIES=2 random moves so that greedy checkpoints do not
# replay one game per seat) and play the final checkpoint against random play 2,000 times.
# Results: bench/results/multi-agent.txt.
# Usage: bench/multi-agent.sh [case ...] (default: all)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/bench/results/multi-agent.txt"
runs="$(mktemp -d)"
mkdir -p "$(dirname "$out")"
"$root/rlx" env list >/dev/null   # build once, outside the measurements

summary() {  # run directory
  jq -rs '"trained \(last.timesteps_total) decisions in \(last.time_total_s | round) s (\(last.timesteps_total / last.time_total_s | round)/s)"' "$1/result.jsonl"
}

connect4() {  # label, extra rlx train arguments
  local label="$1"; shift
  "$root/rlx" train ppo --env connect_four_v3 --json --runs-dir "$runs" --name "$label" --checkpoint-every 250 \
    --set self_play=true --set num_envs_per_runner=64 --set rollout_fragment_length=64 --set hiddens=256,256 \
    --set lr=0.0003 --set snapshot_interval=25 --set opponent_sampling=prioritized --set total_timesteps="${STEPS:-8000000}" \
    --stop timesteps="${STEPS:-8000000}" "$@" > /dev/null
  echo "case $label"
  summary "$runs/$label"
  echo "learner Elo when each snapshot joined the pool (iteration: rating):"
  jq -rs 'map(select(.training_iteration % 250 == 0)) | map("\(.["self_play/newest_snapshot_iteration"]): \(.["self_play/newest_snapshot_rating"] | round)") | join(", ")' "$runs/$label/result.jsonl"
  for checkpoint in "$runs/$label"/checkpoints/checkpoint_*; do
    echo "$(basename "$checkpoint"):"
    "$root/rlx" eval "$checkpoint" --opponent random --opponent minimax-1 --opponent minimax-2 --games 200 | grep '^vs ' | sed 's/^/  /'
  done
}

ladder() {  # label, extra rlx train arguments: trained in resumed chunks (resuming is exact), each chunk's checkpoint
  # kept, played against random, tactical-2, minimax-1 and minimax-2, and rated with those players in one round robin.
  # Chunks end at LADDER_STOPS (decisions, space-separated) if set, else at STEPS·i/LADDER_CHUNKS.
  local label="$1"; shift
  local total="${STEPS:-8000000}" chunks="${LADDER_CHUNKS:-8}" kept="$runs/$label-checkpoints" stops=()
  if [ -n "${LADDER_STOPS:-}" ]; then read -ra stops <<< "$LADDER_STOPS"; total="${stops[-1]}"; chunks="${#stops[@]}"
  else for ((i = 1; i <= chunks; i++)); do stops+=($((total * i / chunks))); done; fi
  mkdir -p "$kept"
  for stop in "${stops[@]}"; do
    if [ "$stop" = "${stops[0]}" ]; then
      "$root/rlx" train ppo --env connect_four_v3 --json --runs-dir "$runs" --name "$label" --set self_play=true \
        --set num_envs_per_runner=64 --set rollout_fragment_length=64 --set snapshot_interval=25 \
        --set opponent_sampling=prioritized --set total_timesteps="$total" --stop timesteps="$stop" "$@" > /dev/null
    else
      "$root/rlx" train --resume "$runs/$label" --json --stop timesteps="$stop" > /dev/null
    fi
    local newest; newest="$(ls -d "$runs/$label/checkpoints"/checkpoint_* | tail -1)"
    cp -r "$newest" "$kept/$(printf '%09d' "$stop")"
  done
  echo "case $label ($total decisions in $chunks chunks)"
  summary "$runs/$label"
  for c in "$kept"/*; do
    echo "$(basename "$c"):"
    "$root/rlx" eval "$c" --opponent random --opponent tactical-2 --opponent minimax-1 --opponent minimax-2 --games "${GAMES:-400}" | grep '^vs ' | sed 's/^/  /'
  done
  local others=()
  for c in "$kept"/*; do others+=(--opponent "$(basename "$c")"); done
  (cd "$kept" && "$root/rlx" eval "${others[1]}" "${others[@]:2}" --opponent random --opponent tactical-2 --opponent minimax-1 \
    --opponent minimax-2 --ladder --games "${LADDER_GAMES:-1000}" --random-plies "${LADDER_PLIES:-2}")
  echo "final checkpoint against random play over 2,000 games:"
  "$root/rlx" eval "$newest" --opponent random --games 2000 | grep '^vs ' | sed 's/^/  /'
}

# Updates of the connect4-board cases: lr 1e-3 constant, 10 epochs per batch.
board=(--set model=board_cnn --set lr=0.001 --set anneal_lr=false --set update_epochs=10)

cases=("$@")
[ ${#cases[@]} -eq 0 ] && cases=(spread connect4 connect4-players)
{
  echo "# $(date -u +%F) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
  for c in "${cases[@]}"; do
    case "$c" in
      spread|spread-independent)
        independent=()
        [ "$c" = spread-independent ] && independent=(--set policy_mapping=agent_0=a0,agent_1=a1,agent_2=a2)
        steps="${SPREAD_STEPS:-120000000}"
        "$root/rlx" train ppo --env simple_spread_v3 --json --runs-dir "$runs" --name "$c" --set num_envs_per_runner=32 \
          --set lr=0.0005 --set ent_coef=0 --set gamma=0.95 --set total_timesteps="$steps" --stop timesteps="$steps" "${independent[@]}" > /dev/null
        echo "case $c"
        summary "$runs/$c"
        # Published MPE returns count the shared team reward once, with a self-collision of -1 per agent and step:
        # 3 agents' returns summed here (local_ratio 0.5) convert as 2 * sum - 75 = 6 * mean per agent - 75.
        "$root/rlx" eval "$runs/$c" --episodes 1000 | awk '/mean return per agent/ { print; for (i = 1; i <= NF; i++) if ($i == "agent") { printf "  published convention: %.1f\n", 6 * $(i + 1) - 75; break } }' ;;
      connect4) connect4 connect4 --set opponent_pool_size=32 --set ent_coef=0.02 ;;
      connect4-players) connect4 connect4-players --set opponent_pool_size=16 --set opponent_players=random,minimax-1,minimax-2 ;;
      connect4-cnn) STEPS=16000000 connect4 connect4-cnn --set model=minatar_cnn --set opponent_pool_size=16 \
        --set opponent_players=random,minimax-1,minimax-2 ;;
      connect4-mixed) STEPS=16000000 connect4 connect4-mixed --set model=minatar_cnn --set opponent_pool_size=16 \
        --set opponent_players=random,minimax-1,minimax-2 --set opponent_uniform_share=0.3 ;;
      connect4-ladder) ladder connect4-ladder --set opponent_pool_size=16 --set model=minatar_cnn --set lr=0.0003 --set opponent_players=random,minimax-1,minimax-2 ;;
      connect4-board) LADDER_STOPS="${LADDER_STOPS:-2048000 4096000 6144000 8000000}" ladder connect4-board "${board[@]}" \
        --set opponent_pool_size=16 --set opponent_players=random,tactical-2,tactical-4,minimax-1,minimax-2 --set opponent_uniform_share=0.5 ;;
      connect4-board-random|connect4-board-all|connect4-board-openings)
        players=random,tactical-1,tactical-2,tactical-4,minimax-1,minimax-2 stops="1024000 2048000 3072000 4096000 5120000 6000000" openings=()
        [ "$c" = connect4-board-random ] && players=random,tactical-1,tactical-2,tactical-4,minimax-2
        ladder_games=1000
        [ "$c" = connect4-board-openings ] && stops="$(seq -s ' ' 2048000 2048000 12288000)" ladder_games=2000 \
          openings=(--set env_config.random_opening_plies=2 --set anneal_lr=true)
        LADDER_GAMES="${LADDER_GAMES:-$ladder_games}" LADDER_STOPS="${LADDER_STOPS:-$stops}" ladder "$c" "${board[@]}" \
          --set opponent_players="$players" --set opponent_pool_size=4 --set opponent_uniform_share=0.7 "${openings[@]}" ;;
      connect4-league) STEPS=16000000 connect4 connect4-league --set model=minatar_cnn --set opponent_pool_size=16 \
        --set opponent_players=random,minimax-1,minimax-2 --set main_exploiters=1 ;;
      *) echo "unknown case $c (spread, spread-independent, connect4, connect4-players, connect4-cnn, connect4-mixed, connect4-league, connect4-ladder, connect4-board, connect4-board-random, connect4-board-all, connect4-board-openings)" >&2; exit 2 ;;
    esac
  done
} | tee -a "$out"
