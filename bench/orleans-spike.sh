#!/usr/bin/env bash
# The measurement that decides the second-generation cluster's data path (docs/cluster.md, "Second generation"):
# runners on two Orleans silo processes push fragments of 74 KB and 1.2 MB to a learner grain on a third (head) silo,
# alternating with a plain TCP stream of the same bytes between the same processes; the round trip of one push; and how
# long the head takes to declare a SIGKILLed silo dead, with Orleans' default membership probes and with fast ones
# (1 s probe timeout, 2 missed probes). Results: bench/results/orleans-spike.txt
# Usage: bench/orleans-spike.sh [seconds per measurement, default 5]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-5}"
out="$root/bench/results/orleans-spike.txt"
dotnet build "$root/bench/Rlx.OrleansSpike/Rlx.OrleansSpike.csproj" -c Release --nologo -v quiet -clp:ErrorsOnly >/dev/null
spike="$root/bench/Rlx.OrleansSpike/bin/Release/net10.0/Rlx.OrleansSpike.dll"
{
  dotnet "$spike" run --seconds "$seconds"
  echo "with fast membership probes:"
  dotnet "$spike" run --seconds 1 --probe fast | tail -n 1
  echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; $(date -u +%Y-%m-%d)"
} | tee "$out"
