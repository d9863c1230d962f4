#!/usr/bin/env bash
# PPO training throughput of this checkout against an earlier revision, in one run on one machine: the layouts of
# bench/ppo-throughput.sh (CartPole-v1, CleanRL's hyperparameters, 500k steps), both builds alternating round by round
# so that both see the same machine load. Prints each round, then per layout the median env steps/s of each build, the
# median of the paired this/base ratios and how many rounds this build won. Appends the summary to
# bench/results/ppo-throughput.txt.
# Usage: bench/ppo-throughput-ab.sh BASE_REVISION [rounds, default 8] [timesteps, default 500000]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
base_rev="${1:?usage: bench/ppo-throughput-ab.sh BASE_REVISION [rounds] [timesteps]}"
rounds="${2:-8}"
steps="${3:-500000}"
work="$(mktemp -d)"
trap 'git -C "$root" worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

build() {  # source directory, output directory
  if ! dotnet build "$1/src/Rlx.Cli/Rlx.Cli.csproj" -c Release -o "$2" --nologo >"$work/build.log" 2>&1; then
    grep -E "error" "$work/build.log" >&2 || cat "$work/build.log" >&2
    exit 1
  fi
}
echo "building $base_rev and this checkout..." >&2
git -C "$root" worktree add --detach "$work/base" "$base_rev" >/dev/null 2>&1 \
  || { echo "cannot check out '$base_rev': give a commit of this repository" >&2; exit 2; }
build "$work/base" "$work/base-bin"
build "$root" "$work/this-bin"

layouts=(1x4 2x2 2x8 2x32)
{
  for r in $(seq "$rounds"); do
    for layout in "${layouts[@]}"; do
      for build in base this; do
        dotnet "$work/$build-bin/rlx.dll" train ppo --env CartPole-v1 --stop "timesteps=$steps" --json \
          --name "$build-$layout-$r" --runs-dir "$work/runs" \
          --set "num_env_runners=${layout%x*}" --set "num_envs_per_runner=${layout#*x}" 2>/dev/null \
          | jq -rs --arg b "$build" --arg l "$layout" --arg r "$r" '[$l, $r, $b, (last.timesteps_total / last.time_total_s | round)] | @tsv'
      done
    done
  done
} | tee "$work/rounds.tsv" >&2

summary="$(python3 - "$work/rounds.tsv" <<'EOF'
import collections, statistics, sys
runs = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    layout, rnd, build, rate = line.split()
    runs[(layout, int(rnd))][build] = int(rate)
print("layout\trounds\tbase median\tthis median\tpaired this/base (median)\tthis faster in")
for layout in ["1x4", "2x2", "2x8", "2x32"]:
    pairs = [v for (l, _), v in sorted(runs.items()) if l == layout and len(v) == 2]
    ratios = [p["this"] / p["base"] for p in pairs]
    print(f"{layout}\t{len(pairs)}\t{statistics.median(p['base'] for p in pairs):.0f}\t{statistics.median(p['this'] for p in pairs):.0f}"
          f"\t{statistics.median(ratios):.3f}\t{sum(r > 1 for r in ratios)}/{len(ratios)}")
EOF
)"
cpu="$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
{
  echo
  echo "# $(date -u +%F) $(git -C "$root" rev-parse --short HEAD) against $base_rev: bench/ppo-throughput-ab.sh, $rounds alternating rounds, $steps steps, $cpu, $(nproc) cores (env steps/s)"
  echo "$summary"
} | tee -a "$root/bench/results/ppo-throughput.txt"
