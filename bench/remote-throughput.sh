#!/usr/bin/env bash
# External-simulator protocol on loopback: single-env step round-trip latency (p50/p99) and aggregated
# env steps/s with 1, 8 and 64 simulator connections (one env per message, and batched sessions),
# PPO's rollout through env runners of Remote-v0 envs (batched policy inference, one STEP per runner
# step), and the asynchronous RemoteVectorEnv, against the C++ CartPole simulator (clients/cpp).
# Results: bench/results/remote-throughput.txt
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/bench/results/remote-throughput.txt"
build="$(mktemp -d)"
# start_sim runs in a command substitution (a subshell), so its simulators are not jobs of this shell:
# their pids are kept in files and killed on exit.
trap 'kill $(cat "$build"/sim*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$build"' EXIT
cmake -S "$root/clients/cpp" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target cartpole_sim >/dev/null
dotnet build "$root/bench/Rlx.RemoteBench/Rlx.RemoteBench.csproj" -c Release -v quiet --nologo >/dev/null
bench="$root/bench/Rlx.RemoteBench/bin/Release/net10.0/Rlx.RemoteBench"

start_sim() {
  local log="$build/sim$1.txt"
  "$build/cartpole_sim" > "$log" 2>&1 &
  echo $! > "$build/sim$1.pid"
  for _ in $(seq 50); do grep -q listening "$log" 2>/dev/null && break; sleep 0.1; done
  sed 's/listening on //' "$log"
}
a="$(start_sim 1)"; b="$(start_sim 2)"

{
  echo "# $(date -u +%F) $(nproc) cores, $(uname -m); C++ CartPole simulator (clients/cpp), two processes on 127.0.0.1"
  "$bench" latency "$a"
  for c in 1 8 64; do "$bench" throughput "$c" 1 "$a,$b"; done
  for c in 1 8 64; do "$bench" throughput "$c" 16 "$a,$b"; done
  "$bench" throughput 8 256 "$a,$b"
  for c in 1 8 64; do "$bench" runner "$c" 16 "$a,$b"; done
  "$bench" runner 1 256 "$a,$b"; "$bench" runner 8 32 "$a,$b"; "$bench" runner 64 4 "$a,$b"
  "$bench" async 1 256 64 "$a,$b"; "$bench" async 8 32 64 "$a,$b"; "$bench" async 64 16 256 "$a,$b"
} | tee "$out"
