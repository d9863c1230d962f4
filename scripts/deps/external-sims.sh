#!/usr/bin/env bash
# Installs what the external-simulator tests need from Debian: a C++17 compiler and cmake (to build
# clients/cpp) and python3 (clients/python needs only its standard library). Idempotent: runs
# apt-get only when something is missing, and never fails the caller (the tests skip, saying why,
# when a tool is still missing).
set -u
missing=()
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
[ -x /usr/bin/python3 ] || missing+=(python3)
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
    echo "external-sims deps: missing ${missing[*]} and not root; the tests that need them will be skipped" >&2
    exit 0
  fi
fi
echo "external-sims deps: installing ${missing[*]}"
if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null; }; then
  echo "external-sims deps: apt-get could not install ${missing[*]}; the tests that need them will be skipped" >&2
fi
exit 0
