#!/usr/bin/env bash
# Trials as whole jobs on a cluster against trials as threads here, in one run on this machine: a head and two
# workers of 2 CPUs (`rlx start`, a private session directory, a free loopback port), then the same experiments with
# and without --address: random search (8 PPO trials on CartPole-v1, 2 at a time) and PBT (a population of 4).
# Reports wall time, the trials' own training time (time_total_s summed), the cluster's cost per trial, and whether
# every trial ended with the same metric both ways (trials train deterministically from config and seed).
# Results: bench/results/tune-cluster.txt
# Usage: bench/tune-cluster.sh [timesteps per trial, default 300000]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
steps="${1:-300000}"
runs="$(mktemp -d)"
out="$root/bench/results/tune-cluster.txt"
"$root/rlx" env list >/dev/null   # build once, outside the measurements
rlx() { dotnet "$root/.rlx/bin/rlx.dll" "$@"; }   # the build just made, whatever changes in src/ meanwhile
export RLX_SESSION_DIR="$runs/session"
trap 'rlx stop >/dev/null 2>&1 || true; rm -rf "$runs"' EXIT
port=$(python3 -c 'import socket
for _ in range(100):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close()
    t = socket.socket()
    try:
        t.bind(("127.0.0.1", p + 1)); t.close(); print(p); break
    except OSError: t.close()')
rlx start --head --port "$port" --no-dashboard >/dev/null
rlx start --address auto --num-cpus 2 >/dev/null
rlx start --address auto --num-cpus 2 >/dev/null
cat > "$runs/space.yaml" <<'YAML'
lr: {loguniform: [1e-4, 3e-3]}
ent_coef: {uniform: [0, 0.02]}
YAML

run() {  # label, then rlx tune options
  local label="$1"; shift
  local start end
  start=$(date +%s.%N)
  rlx tune ppo --env CartPole-v1 --space "$runs/space.yaml" --set "total_timesteps=$steps" --max-concurrent 2 \
    --search-seed 1 --name "$label" --runs-dir "$runs" "$@" > "$runs/$label.log" 2>&1
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}

trained() { awk -F, 'NR > 1 { s += $6 } END { printf "%.1f", s }' "$runs/$1/results.csv"; }
metrics() { awk -F, 'NR > 1 { print $1, $3 }' "$runs/$1/results.csv" | sort; }

{
  printf 'experiment\twhere\ttrials\twall s\ttrials training s\tbest\tsame metrics\n'
  for experiment in random pbt; do
    if [ "$experiment" = random ]; then opts=(--num-samples 8); else opts=(--num-samples 4 --scheduler pbt --perturbation-interval $((steps / 10))); fi
    for round in 1 2; do
      here=$(run "$experiment-here-$round" "${opts[@]}")
      cluster=$(run "$experiment-cluster-$round" "${opts[@]}" --address auto)
      same=$([ "$(metrics "$experiment-here-$round")" = "$(metrics "$experiment-cluster-$round")" ] && echo yes || echo NO)
      n=$(($(wc -l < "$runs/$experiment-here-$round/results.csv") - 1))
      for where in here cluster; do
        label="$experiment-$where-$round"
        wall=$([ $where = here ] && echo "$here" || echo "$cluster")
        printf '%s (round %d)\t%s\t%d\t%.1f\t%s\t%s\t%s\n' "$experiment" "$round" "$where" "$n" "$wall" "$(trained "$label")" \
          "$(awk -F, 'NR == 2 { print $3 }' "$runs/$label/results.csv")" "$same"
      done
      echo "$experiment round $round: the cluster's cost per trial $(echo "scale=2; ($cluster - $here) * 2 / $n" | bc) s (2 trials at a time)"
    done
  done
} | tee "$out"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; head, 2 workers and the tuning process share them; $steps timesteps per trial" | tee -a "$out"
