#!/usr/bin/env bash
# Installs, from Debian's packages, what the test suite needs beyond the .NET SDK, in one apt-get run and
# only when something is missing:
#   chromium            the dashboard's browser tests
#   g++ make cmake      building the C++ simulator client (clients/cpp)
#   python3             the Python simulator client (clients/python; standard library only)
#   slurm-wlm munge     a real Slurm cluster on emulated hosts for deploy/slurm's tests (scripts/slurm.sh)
# Never fails the caller: tests whose dependency is still missing skip, saying why.
set -u
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
[ -x /usr/bin/python3 ] || missing+=(python3)
command -v slurmctld >/dev/null 2>&1 && command -v slurmd >/dev/null 2>&1 || missing+=(slurm-wlm)
command -v munged >/dev/null 2>&1 || missing+=(munge)
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "test dependencies: ${missing[*]} missing and apt-get not found; the tests that need them will be skipped" >&2
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
    echo "test dependencies: ${missing[*]} missing and not root; the tests that need them will be skipped" >&2
    exit 0
  fi
fi
echo "test dependencies: installing ${missing[*]} (apt-get)..."
log=/tmp/rlx-deps-install.log
if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  echo "test dependencies: apt-get could not install all of ${missing[*]} (see $log); the tests that need them will be skipped" >&2
fi
exit 0
