#!/usr/bin/env bash
# PPO with the MinAtar CNN (model=minatar_cnn) on MinAtar/Breakout-v1, with the hyperparameters published for
# Breakout-MinAtar by gymnax-blines (agents/Breakout-MinAtar/ppo.yaml; see docs/benchmarks-minatar-ppo.md for the
# sources and for what could not be mapped). Reports env steps/s, the training return (mean of the last 20
# episodes) at 10%, 25%, 50% and 100% of the step budget, and the final return against the published range.
# Results: bench/results/minatar-ppo.txt
#
# Usage: bench/minatar-ppo.sh [timesteps, default 10000000 (the published budget)] [max seconds, default none]
# When the time limit ends the run first, the report gives the step count reached and the time the whole budget
# would take at the measured rate.
# Environment: RUNNERS (default 1) x ENVS_PER_RUNNER (default 64) = the published 64 envs; SEED (1);
# STICKY (default 0: gymnax's Breakout has no sticky actions; MinAtar's own default is 0.1);
# KEEP_RUN=DIR keeps the run directory (result.jsonl has every iteration) under DIR; MODEL=mlp trains the published
# network instead (2 x 256 ReLU, separate actor and critic), MODEL=mlp_tanh the same with CleanRL's tanh; LR (5e-4).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
budget="${1:-10000000}"
max_seconds="${2:-}"
runners="${RUNNERS:-1}"
envs="${ENVS_PER_RUNNER:-64}"
seed="${SEED:-1}"
sticky="${STICKY:-0}"
lr="${LR:-5e-4}"
case "${MODEL:-minatar_cnn}" in
  minatar_cnn) model=(--set model=minatar_cnn) ;;
  mlp) model=(--set model=mlp --set hiddens=256,256 --set activation=relu) ;;
  mlp_tanh) model=(--set model=mlp --set hiddens=256,256) ;;
  *) echo "MODEL must be minatar_cnn, mlp or mlp_tanh" >&2; exit 2 ;;
esac
runs="${KEEP_RUN:-$(mktemp -d)}"
mkdir -p "$runs"
name="minatar-ppo-$(date +%Y%m%d-%H%M%S)"
out="$root/bench/results/minatar-ppo.txt"
mkdir -p "$(dirname "$out")"
"$root/rlx" env list >/dev/null   # build once, outside the measurement

stop=(--stop "timesteps=$budget")
if [ -n "$max_seconds" ]; then stop+=(--stop "time=$max_seconds"); fi

# gymnax-blines Breakout-MinAtar PPO, mapped onto Rlx's keys.
"$root/rlx" train ppo --env MinAtar/Breakout-v1 --seed "$seed" --json --name "$name" --runs-dir "$runs" "${stop[@]}" \
  "${model[@]}" \
  --set num_env_runners="$runners" --set num_envs_per_runner="$envs" \
  --set rollout_fragment_length=128 \
  --set num_minibatches=8 --set update_epochs=4 \
  --set lr="$lr" --set anneal_lr=false \
  --set gamma=0.999 --set gae_lambda=0.95 \
  --set clip_coef=0.2 --set clip_vloss=true --set norm_adv=true \
  --set ent_coef=0.01 --set vf_coef=0.5 --set max_grad_norm=0.5 --set adam_eps=1e-5 \
  --set total_timesteps="$budget" \
  --set max_episode_steps=1000 --set bootstrap_truncated=false \
  --set env_config.sticky_action_prob="$sticky" \
  > "$runs/$name.jsonl" 2> "$runs/$name.err" || { tail -5 "$runs/$name.err" >&2; exit 1; }

# Published curves (gymnax-blines docs/lcurves.png, Breakout-MinAtar, PPO): evaluation return read off the figure by
# eye (about +-2), as (steps, return) pairs, interpolated linearly at our step counts. lr 5e-4 is the published setting;
# the figure's lr 1e-3 curve is noisier and was read only at a few points (20 at 1M, 25-28 at 6-8M, 43 at the end).
case "$lr" in
  5e-4|0.0005) curve="lr 5e-4"; published='[[320000,8],[1000000,15],[2000000,16],[3000000,15.5],[4000000,17],[5000000,22],[6000000,22.5],[7000000,22.5],[8000000,22.5],[9000000,23],[10000000,22.5]]' ;;
  1e-3|0.001) curve="lr 1e-3"; published='[[1000000,20],[6000000,25],[8000000,28],[10000000,43]]' ;;
  *) curve="none at lr $lr"; published='[]' ;;
esac

{
  echo "# $(date -u +%F) MinAtar/Breakout-v1, PPO + ${MODEL:-minatar_cnn}, gymnax-blines hyperparameters; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# layout ${runners} runner(s) x ${envs} envs x 128 steps, 8 minibatches, 4 epochs, lr ${lr} constant, gamma 0.999, sticky_action_prob ${sticky}, max_episode_steps 1000, seed ${seed}"
  echo "# budget ${budget} steps${max_seconds:+, time limit ${max_seconds} s}"
  jq -rs --argjson budget "$budget" --argjson pub "$published" --arg curve "$curve" '
    def r1: . * 10 | round / 10;
    def pubat($s): ($pub | map(select(.[0] <= $s)) | last) as $a | ($pub | map(select(.[0] >= $s)) | first) as $b
      | if $a == null then null elif $b == null then $a[1]
        elif $a[0] == $b[0] then $a[1] else $a[1] + ($b[1] - $a[1]) * ($s - $a[0]) / ($b[0] - $a[0]) end;
    last as $fin
    | ($fin.timesteps_total / $fin.time_total_s) as $sps
    | "fraction\tsteps\tseconds\treturn (last 20 episodes)\tpublished at that step (gymnax-blines \($curve), +-2)",
      ([0.1, 0.25, 0.5, 1.0][] as $f
        | (map(select(.timesteps_total >= $f * $budget)) | first) as $row
        | if $row == null then "\($f * 100)%\tnot reached\t-\t-\t-"
          else "\($f * 100)%\t\($row.timesteps_total)\t\($row.time_total_s | round)\t\($row.episode_return_mean)\t\(pubat($row.timesteps_total) // "-" | if type == "number" then r1 else . end)" end),
      "",
      "reached\t\($fin.timesteps_total) steps in \($fin.time_total_s | round) s (\(($fin.timesteps_total / $budget * 1000 | round) / 10)% of the budget)",
      "throughput\t\($sps | round) env steps/s (mean sample share \((map(.["timers/sample_time_ms"] / 1000) | add) / (map(.time_this_iter_s) | add) * 100 | round)%)",
      "final return\t\($fin.episode_return_mean) (last 20 training episodes, sampled actions)",
      "published\tgymnax-blines 10M steps: about 20-23 on the lr 5e-4 curve, checkpoint listed as R 28 in the gymnax README; at \($fin.timesteps_total) steps the \($curve) curve reads about \(pubat($fin.timesteps_total) // "-" | if type == "number" then r1 else . end)",
      (if $fin.timesteps_total < $budget then "extrapolated\tthe full budget would take about \($budget / $sps / 60 | round) min at this rate" else empty end)' \
    "$runs/$name.jsonl"
} | tee -a "$out"
