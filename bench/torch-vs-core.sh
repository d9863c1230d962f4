#!/usr/bin/env bash
# The hand-written learning core against TorchSharp (libtorch 2.10) on PPO-sized MLPs, the Nature CNN at
# batch 256, the MinAtar CNN and an LSTM(128), with 1 and 2 libtorch threads, and Debian's PyTorch on the
# same cases for context. Results: bench/results/torch-vs-core.txt
# Needs: python3-torch (apt-get install -y python3-torch) for the PyTorch column; skipped without it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/bench/results/torch-vs-core.txt"
mkdir -p "$(dirname "$out")"
dotnet build "$root/bench/Rlx.TorchBench" -c Release -v q -nologo >/dev/null
bench="$root/bench/Rlx.TorchBench/bin/Release/net10.0/Rlx.TorchBench.dll"
# Debian's python3-torch lives in the system interpreter, which a PATH python (pyenv, venv) may hide.
py=python3
for candidate in /usr/bin/python3 python3; do
  if "$candidate" -c 'import torch' 2>/dev/null; then py="$candidate"; break; fi
done
{
  echo "# $(date -u +%F) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); avx512: $(grep -q avx512f /proc/cpuinfo && echo yes || echo no)"
  for threads in 1 2; do
    dotnet "$bench" "$threads"
    if "$py" -c 'import torch' 2>/dev/null; then "$py" "$root/bench/torch_reference.py" "$threads"; else echo "# python3-torch not installed: PyTorch column skipped"; fi
  done
} | tee "$out"
