#!/usr/bin/env bash
# MiniGrid stepping throughput, Rlx against Farama MiniGrid (Python), one env on one thread, random
# actions, resets included. Rlx via `rlx env bench --impl single`; Python via bench/minigrid/python_steps.py
# (gymnasium.make, action_space.sample()). Writes bench/results/minigrid-throughput.txt.
# Needs MiniGrid and Gymnasium importable: installed, or their sources in MINIGRID_SRC / GYMNASIUM_SRC
# (directories holding minigrid/ and gymnasium/); numpy for PYTHON (default python3).
# Usage: bench/minigrid-throughput.sh [seconds per case, default 5]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-5}"
python="${PYTHON:-python3}"
out="$root/bench/results/minigrid-throughput.txt"
mkdir -p "$(dirname "$out")"
ids=(MiniGrid-DoorKey-8x8-v0 MiniGrid-MemoryS7-v0 MiniGrid-KeyCorridorS3R3-v0 MiniGrid-LavaCrossingS9N1-v0)
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT

for id in "${ids[@]}"; do
  "$root/rlx" env bench "$id" --impl single --num-envs 1 --threads 1 --seconds "$seconds" --json \
    | sed 's/^{/{"impl_name":"rlx",/' >> "$tmp"
done
"$root/rlx" env bench MiniGrid-DoorKey-8x8-v0 --impl single --num-envs 1 --threads 1 --seconds "$seconds" --json \
  --env-arg observation=rgb_partial_image | sed 's/^{/{"impl_name":"rlx-rgb_partial",/' >> "$tmp"
"$python" "$root/bench/minigrid/python_steps.py" "$seconds" "${ids[@]}" >> "$tmp"

"$python" - "$tmp" "$seconds" > "$out" <<'PY'
import json, os, platform, subprocess, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
rlx = {r["env_id"]: r["steps_per_s"] for r in rows if r.get("impl_name") == "rlx"}
rgb = {r["env_id"]: r["steps_per_s"] for r in rows if r.get("impl_name") == "rlx-rgb_partial"}
py = {r["env_id"]: r["steps_per_second"] for r in rows if r.get("impl") == "python"}
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
print(f"MiniGrid env steps/s, one env on one thread, random actions, resets included ({sys.argv[2]} s per case)")
load = open("/proc/loadavg").read().split()[:3]
print(f"machine: {cpu}, {os.cpu_count()} logical cores (shared), load average {' '.join(load)} at the end; python {platform.python_version()}")
print()
print(f"{'env':52} {'Rlx':>14} {'MiniGrid (Python)':>18} {'ratio':>8}")
for env_id in rlx:
    p = py.get(env_id)
    ratio = f"{rlx[env_id] / p:7.0f}x" if p else "-"
    print(f"{env_id:52} {rlx[env_id]:14,.0f} {p or 0:18,.0f} {ratio:>8}")
for env_id, v in rgb.items():
    print(f"{env_id + ' (rgb_partial_image)':52} {v:14,.0f} {'-':>18} {'-':>8}")
PY
cat "$out"
