#!/usr/bin/env bash
# Runs the whole test suite: builds the solution and every test project, then prints one line
# "N passed, N failed, N skipped" totalled over all test projects. Exits non-zero if anything failed.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "The .NET 10 SDK (dotnet) is required: https://learn.microsoft.com/dotnet/core/install/linux" >&2
  exit 127
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
bash "$root/scripts/deps/install.sh"   # chromium, g++/cmake, python3 for the tests that need them

for project in tests/*/*.csproj; do
  if ! grep -qF "Path=\"$project\"" Rlx.slnx; then
    echo "$project is not in Rlx.slnx, so it would not be built: add it with 'dotnet sln Rlx.slnx add $project'"
    echo "0 passed, 1 failed, 0 skipped"
    exit 1
  fi
done

if ! dotnet build Rlx.slnx -c Release --nologo -v quiet -clp:ErrorsOnly; then
  echo "build failed"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi

passed=0 failed=0 skipped=0 status=0
log="$(mktemp)"
for project in tests/*/*.csproj; do
  name="$(basename "$project" .csproj)"
  echo "== $name"
  # No "|| true" here: under pipefail it would run whenever the tests fail and reset PIPESTATUS to its own 0.
  dotnet test "$project" -c Release --no-build --nologo 2>&1 | tee "$log" | grep -E "^\s*(Failed|Skipped) |Passed!|Failed!|error"
  code=${PIPESTATUS[0]}
  if [ "$code" -ne 0 ]; then
    # The failures' messages, so a CI log says why without a rerun.
    grep -A10 "Error Message:" "$log" | grep -vE "^\s+at " | head -n 80 || true
  fi
  summary="$(grep -E "(Passed|Failed)! +- Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+" "$log" | tail -n 1)"
  if [ -z "$summary" ]; then
    echo "$name: no test summary; counting the project as failed. The last lines dotnet test printed:"
    tail -n 30 "$log" | sed 's/^/    /'
    failed=$((failed + 1)); status=1
    continue
  fi
  f=$(sed -E 's/.*Failed: +([0-9]+).*/\1/' <<<"$summary")
  p=$(sed -E 's/.*Passed: +([0-9]+).*/\1/' <<<"$summary")
  s=$(sed -E 's/.*Skipped: +([0-9]+).*/\1/' <<<"$summary")
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  [ "$code" -ne 0 ] && status=1
done
rm -f "$log"
[ "$failed" -gt 0 ] && status=1
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
