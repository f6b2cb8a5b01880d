#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what it needs (Debian packages, and schemathesis into .venv),
# starts a throwaway PostgreSQL cluster under .build/test-postgres (unless DATABASE_URL names one), runs
# `swift test`, and stops the cluster.
# Extra arguments go to `swift test` (e.g. --filter LeadflowBusTests).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/swift-env.sh

scripts/deps.sh --tests
# schemathesis, which AdminConformanceTests runs against a real `leadflow admin` (pinned, in .venv).
scripts/venv.sh

swift build --product leadflow
leadflow="$(swift build --show-bin-path)/leadflow"

if [ -z "${DATABASE_URL:-}" ]; then
  cluster=.build/test-postgres
  DATABASE_URL="$("$leadflow" postgres start --directory "$cluster" --fast)"
  export DATABASE_URL
  trap '"$leadflow" postgres stop --directory "$cluster" >/dev/null || true' EXIT
fi

# One test at a time. Most tests wait on real servers, sockets and timers rather than on the CPU, so running
# them one by one costs little (the 389 light tests take 87 s), while running them all at once on two cores
# starved the loopback test servers of CPU until they timed out — failures of the machine, not of the code.
swift test --no-parallel "$@"

# Then a short libFuzzer run of every decoder (docs/fuzzing.md): LEADFLOW_FUZZ_SECONDS each, 15 by default, 0 to
# skip; skipped too when arguments select tests, since a filtered run is someone checking one thing. A finding
# fails the run and leaves its input in Fuzz/findings/. A debug fuzz build: it compiles in half the CPU time of
# a release one, which matters more for 15 s runs than its lower exec/s.
fuzz_seconds="${LEADFLOW_FUZZ_SECONDS:-15}"
if [ "$fuzz_seconds" != 0 ] && [ $# -eq 0 ]; then
  LEADFLOW_FUZZ_CONFIGURATION="${LEADFLOW_FUZZ_CONFIGURATION:-debug}" scripts/fuzz.sh --time "$fuzz_seconds"
fi
