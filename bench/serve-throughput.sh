#!/usr/bin/env bash
# rlx serve over HTTP: requests/s and client-side p50/p99 latency at 1, 64 and 1024 concurrent clients (one
# observation per request), micro-batched against the unbatched baseline (--max-batch 1) in the same run.
# The server is `rlx serve` in its own process; the load generator (bench/Rlx.ServeBench) is another, both on 127.0.0.1.
# Two policies: CleanRL's MLP [64, 64], whose forward pass is cheap next to an HTTP request, and [1024, 1024], whose
# forward pass is not (there batching pays). Usage: bench/serve-throughput.sh [SECONDS=5]
# Results: bench/results/serve-throughput.txt
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/bench/results/serve-throughput.txt"
dotnet build "$root/src/Rlx.Cli/Rlx.Cli.csproj" -c Release -v quiet --nologo >/dev/null
dotnet build "$root/bench/Rlx.ServeBench/Rlx.ServeBench.csproj" -c Release -v quiet --nologo >/dev/null
bench="$root/bench/Rlx.ServeBench/bin/Release/net10.0/Rlx.ServeBench"
rlx="$root/src/Rlx.Cli/bin/Release/net10.0/rlx.dll"
{
  "$bench" "$rlx" "${1:-5}" 64,64
  echo
  "$bench" "$rlx" "${1:-5}" 1024,1024
} | tee "$out"
