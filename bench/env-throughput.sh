#!/usr/bin/env bash
# Environment stepping throughput matrix (random actions), via `rlx env bench --json`.
# Writes one JSON object per line to bench/results/env-throughput.jsonl and prints a table.
# Usage: bench/env-throughput.sh [seconds per fast case, default 5]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-5}"
out="$root/bench/results/env-throughput.jsonl"
mkdir -p "$(dirname "$out")"
: > "$out"
run() { "$root/rlx" env bench CartPole-v1 --json "$@" | tee -a "$out"; }

run --impl single --num-envs 1 --threads 1 --seconds "$seconds"
run --impl single --num-envs 2 --threads 2 --seconds "$seconds"
run --impl sync --num-envs 8 --threads 1 --seconds "$seconds"
run --impl sync --num-envs 16 --threads 2 --seconds "$seconds"
run --impl vector --num-envs 1024 --threads 1 --seconds "$seconds"
run --impl vector --num-envs 2048 --threads 2 --seconds "$seconds"
# A slow simulator: every step sleeps 10-50 ms (mean 30 ms), 256 envs. Ideal: 256 / 0.030 s = 8533 steps/s.
run --impl async --num-envs 256 --batch-size 64 --threads 256 --step-delay-ms 10-50 --seconds 10
run --impl sync --num-envs 256 --threads 1 --step-delay-ms 10-50 --seconds 10
echo "results: $out"
