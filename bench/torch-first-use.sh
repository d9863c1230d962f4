#!/usr/bin/env bash
# libtorch's first convolution on two threads at once: N fresh processes (default 300) of each of
#   raw  libtorch alone: two threads run their first board_cnn-shaped forward and backward at the same moment;
#   ppo  PpoShardedGradient on a board_cnn policy as PPO runs it (two threads), 20 minibatches whose
#        gradients must equal the one-thread gradient bit for bit.
# Counts processes that crashed (a signal) or computed a different gradient (exit 3).
# Results: bench/results/torch-first-use.txt (appended).
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-300}"
out="$root/bench/results/torch-first-use.txt"
mkdir -p "$(dirname "$out")"
dotnet build "$root/bench/Rlx.TorchBench" -c Release -v q -nologo >/dev/null || exit 1
bench="$root/bench/Rlx.TorchBench/bin/Release/net10.0/Rlx.TorchBench.dll"
{
  echo "# $(date -u +%F) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); avx512: $(grep -q avx512f /proc/cpuinfo && echo yes || echo no); $(nproc) cores; $runs processes per mode"
  for mode in raw ppo; do
    crashed=0 differed=0 started=$SECONDS
    for _ in $(seq "$runs"); do
      dotnet "$bench" first-use "$mode" >/dev/null 2>&1
      code=$?
      if [ "$code" -ge 128 ]; then crashed=$((crashed + 1)); elif [ "$code" -ne 0 ]; then differed=$((differed + 1)); fi
    done
    echo "$mode: $crashed crashed, $differed computed a different gradient, of $runs processes ($((SECONDS - started)) s)"
  done
} | tee -a "$out"
