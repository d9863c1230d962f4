#!/usr/bin/env bash
# Emulated hosts on this machine: network namespaces joined by a bridge, each with its own address, for cluster
# tests and benchmarks across "machines" (needs root and iproute2).
#
#   scripts/netns.sh up PREFIX COUNT [RATE]   namespaces PREFIX0 .. PREFIX<COUNT-1> with addresses 10.88.0.1 ..
#                                             10.88.0.COUNT on bridge PREFIXbr (10.88.0.254, this namespace's
#                                             address on it); RATE (e.g. 1gbit) limits every host's link in both
#                                             directions (tc tbf; netem delay is used too when the kernel has it,
#                                             DELAY_MS=N)
#   scripts/netns.sh down PREFIX              removes them (also what a failed run left behind)
#   scripts/netns.sh cut PREFIX I             takes host I's link down (a network partition of that host)
#   scripts/netns.sh heal PREFIX I            brings it back
#   scripts/netns.sh check                    exits 0 when namespaces can be made here
#
# Run a command on host I with: ip netns exec PREFIX<I> COMMAND
set -euo pipefail

link() { echo "${1}v${2}"; }

case "${1:-}" in
  check)
    [[ "$(id -u)" == 0 ]] && command -v ip >/dev/null && command -v tc >/dev/null || exit 1
    ip netns add rlxprobe$$ 2>/dev/null && ip netns del rlxprobe$$
    ;;
  up)
    prefix="$2" count="$3" rate="${4:-}"
    "$0" down "$prefix"
    ip link add "${prefix}br" type bridge
    ip addr add 10.88.0.254/24 dev "${prefix}br"
    ip link set "${prefix}br" up
    for i in $(seq 0 $((count - 1))); do
      ns="${prefix}${i}"
      ip netns add "$ns"
      ip link add "$(link "$prefix" "$i")" type veth peer name eth0 netns "$ns"
      ip link set "$(link "$prefix" "$i")" master "${prefix}br" up
      ip netns exec "$ns" ip addr add "10.88.0.$((i + 1))/24" dev eth0
      ip netns exec "$ns" ip link set eth0 up
      ip netns exec "$ns" ip link set lo up
      if [[ -n "$rate" ]]; then
        # Both directions: what the host sends (its eth0) and what it receives (the bridge's end of its link).
        for side in "ip netns exec $ns tc qdisc add dev eth0" "tc qdisc add dev $(link "$prefix" "$i")"; do
          if [[ -n "${DELAY_MS:-}" ]] && $side root netem delay "${DELAY_MS}ms" rate "$rate" 2>/dev/null; then
            continue
          fi
          $side root tbf rate "$rate" burst 256kb latency 50ms
        done
      fi
    done
    ;;
  down)
    prefix="$2"
    for ns in $(ip netns list | awk '{print $1}' | grep -E "^${prefix}[0-9]+$" || true); do
      ip netns pids "$ns" | xargs -r kill -9 2>/dev/null || true
      ip netns del "$ns"
    done
    ip link del "${prefix}br" 2>/dev/null || true
    ;;
  cut) ip link set "$(link "$2" "$3")" down ;;
  heal) ip link set "$(link "$2" "$3")" up ;;
  *) sed -n '2,15p' "$0"; exit 2 ;;
esac
