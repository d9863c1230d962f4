#!/usr/bin/env bash
# Emulated hosts on this machine: network namespaces joined by a bridge, each with its own address, for cluster
# tests and benchmarks across "machines" (needs root and iproute2).
#
#   scripts/netns.sh up PREFIX COUNT [RATE]   namespaces PREFIX0 .. PREFIX<COUNT-1> with addresses 10.88.0.1 ..
#                                             10.88.0.COUNT on bridge PREFIXbr (10.88.0.254, this namespace's
#                                             address on it); RATE (e.g. 1gbit) limits every host's link in both
#                                             directions (tc tbf). With DELAY_MS=N every packet also takes N ms
#                                             from host to host: the hosts are then joined by scripts/delayline
#                                             (TUN devices and a process that forwards between them, N ms late, at
#                                             RATE) in place of the bridge, PREFIXbr being this namespace's device
#   scripts/netns.sh down PREFIX              removes them (also what a failed run left behind)
#   scripts/netns.sh cut PREFIX I             takes host I's link down (a network partition of that host)
#   scripts/netns.sh heal PREFIX I            brings it back
#   scripts/netns.sh check                    exits 0 when namespaces (and with DELAY_MS, TUN devices) can be made here
#
# Run a command on host I with: ip netns exec PREFIX<I> COMMAND
set -euo pipefail

link() { echo "${1}v${2}"; }
state() { echo "/run/rlx-netns/$1"; }   # the delay line's control directory: ready (its pid), cut-DEVICE files

# Hosts joined by the delay line: one TUN device per host (PREFIXh<I>, renamed eth0 in its namespace) and PREFIXbr here.
up_delayed() {
  local prefix="$1" count="$2" rate="$3" dir; dir="$(state "$prefix")"
  local project; project="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/delayline"
  local dll="$project/bin/Release/net10.0/Rlx.DelayLine.dll"
  if [[ ! "$dll" -nt "$project/Program.cs" ]]; then
    dotnet build "$project" -c Release --nologo -v quiet -clp:ErrorsOnly >&2
  fi
  mkdir -p "$dir"
  local hosts=("${prefix}br=10.88.0.254")
  for i in $(seq 0 $((count - 1))); do hosts+=("${prefix}h${i}=10.88.0.$((i + 1))"); done
  setsid dotnet "$dll" --delay-ms "$DELAY_MS" --rate "${rate:-0bit}" --control "$dir" "${hosts[@]}" > "$dir/log" 2>&1 < /dev/null &
  for _ in $(seq 100); do [[ -s "$dir/ready" ]] && break; sleep 0.1; done
  [[ -s "$dir/ready" ]] || { cat "$dir/log" >&2; echo "the delay line did not start (log above)" >&2; exit 1; }
  configure() {  # run-in-namespace prefix (empty here), device
    $1 ip addr add "$3/24" dev "$2"
    $1 ip link set "$2" mtu 65000 up
    [[ -z "$rate" ]] || $1 tc qdisc add dev "$2" root tbf rate "$rate" burst 256kb latency 50ms
  }
  configure "" "${prefix}br" 10.88.0.254
  for i in $(seq 0 $((count - 1))); do
    ns="${prefix}${i}"
    ip netns add "$ns"
    ip link set "${prefix}h${i}" netns "$ns"
    ip netns exec "$ns" ip link set "${prefix}h${i}" name eth0
    ip netns exec "$ns" ip link set lo up
    configure "ip netns exec $ns" eth0 "10.88.0.$((i + 1))"
  done
}

case "${1:-}" in
  check)
    [[ "$(id -u)" == 0 ]] && command -v ip >/dev/null && command -v tc >/dev/null || exit 1
    [[ -z "${DELAY_MS:-}" || "${DELAY_MS}" == 0 || -c /dev/net/tun ]] || exit 1   # the delay line's TUN devices
    ip netns add rlxprobe$$ 2>/dev/null && ip netns del rlxprobe$$
    ;;
  up)
    prefix="$2" count="$3" rate="${4:-}"
    "$0" down "$prefix"
    if [[ -n "${DELAY_MS:-}" && "${DELAY_MS}" != 0 ]]; then
      up_delayed "$prefix" "$count" "$rate"
      exit 0
    fi
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
    dir="$(state "$prefix")"
    if [[ -s "$dir/ready" ]]; then kill "$(cat "$dir/ready")" 2>/dev/null || true; fi
    rm -rf "$dir"
    ip link del "${prefix}br" 2>/dev/null || true
    ;;
  cut|heal)
    dir="$(state "$2")"
    if [[ -s "$dir/ready" ]]; then
      if [[ "$1" == cut ]]; then touch "$dir/cut-${2}h${3}"; else rm -f "$dir/cut-${2}h${3}"; fi
      sleep 0.05   # the delay line looks every 20 ms
    else
      ip link set "$(link "$2" "$3")" "$([[ "$1" == cut ]] && echo down || echo up)"
    fi
    ;;
  *) sed -n '2,17p' "$0"; exit 2 ;;
esac
