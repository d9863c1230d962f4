#!/usr/bin/env bash
# Single-environment stepping throughput of the MinAtar games, Rlx (C#) against the Python original,
# one thread each, uniformly random actions from the minimal action set, default settings (sticky
# actions 0.1, difficulty ramping), observations built every step. Writes bench/results/minatar-throughput.txt.
# Usage: MINATAR_PATH=<MinAtar checkout> [MINATAR_COMMIT=<id, for an exported tree>] [PYTHON=python3] \
#        bench/minatar-throughput.sh [seconds per case, default 5]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-5}"
python="${PYTHON:-python3}"
: "${MINATAR_PATH:?set MINATAR_PATH to a checkout of github.com/kenjyoung/MinAtar}"
out="$root/bench/results/minatar-throughput.txt"
mkdir -p "$(dirname "$out")"
minatar_commit="${MINATAR_COMMIT:-$(git -C "$MINATAR_PATH" rev-parse --short HEAD 2>/dev/null || echo unknown)}"
numpy_version="$(PYTHONPATH="$MINATAR_PATH" "$python" -c 'import numpy; print(numpy.__version__)')"
"$root/rlx" env list >/dev/null # builds rlx first, outside the timings
{
  echo "MinAtar stepping throughput, one env on one thread, random minimal-set actions, ${seconds} s per case"
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs)  cores: $(nproc)"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "rlx: $(git -C "$root" rev-parse --short HEAD)  dotnet: $(dotnet --version)  MinAtar: $minatar_commit  python: $("$python" --version 2>&1 | cut -d' ' -f2)  numpy: $numpy_version"
  echo
  printf '%-16s %16s %16s %9s\n' game "rlx steps/s" "python steps/s" speedup
} > "$out"
for pair in Asterix:asterix Breakout:breakout Freeway:freeway Seaquest:seaquest SpaceInvaders:space_invaders; do
  name="${pair%%:*}"
  game="${pair##*:}"
  rlx_rate="$("$root/rlx" env bench "MinAtar/$name-v1" --json --impl single --num-envs 1 --threads 1 --seconds "$seconds" \
    | sed -n 's/.*"steps_per_s":\([0-9.eE+]*\).*/\1/p')"
  py_rate="$(PYTHONPATH="$MINATAR_PATH" "$python" "$root/bench/minatar-python.py" "$game" "$seconds" 2>/dev/null \
    | sed -n 's/.*"steps_per_s": \([0-9.eE+]*\).*/\1/p')"
  printf '%-16s %16.0f %16.0f %8.0fx\n' "$name" "$rlx_rate" "$py_rate" "$(echo "$rlx_rate / $py_rate" | bc -l)" | tee -a "$out"
done
echo "results: $out"
