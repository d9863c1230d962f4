#!/usr/bin/env bash
# Dashboard first paint with 100 nodes and 1,000 env runners registered (synthetic), in Debian's Chromium.
# Writes bench/results/dashboard-paint.txt. Usage: bench/dashboard-paint.sh [samples=10]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/deps/install.sh"
dotnet build "$root/bench/Rlx.DashboardBench/Rlx.DashboardBench.csproj" -c Release --nologo -v quiet -clp:ErrorsOnly
{
  echo "# $(date -u +%Y-%m-%d) $(nproc) cores, $(/usr/bin/chromium --version 2>/dev/null | head -n1)"
  dotnet "$root/bench/Rlx.DashboardBench/bin/Release/net10.0/Rlx.DashboardBench.dll" "${1:-10}"
} | tee "$root/bench/results/dashboard-paint.txt"
