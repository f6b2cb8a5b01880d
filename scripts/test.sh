#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what it needs, starts a throwaway PostgreSQL cluster
# under .build/test-postgres (unless DATABASE_URL names one), runs `swift test`, and stops the cluster.
# Extra arguments go to `swift test` (e.g. --filter LeadflowBusTests) and replace the two phases below.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/swift-env.sh

scripts/deps.sh

swift build --product leadflow
leadflow="$(swift build --show-bin-path)/leadflow"

if [ -z "${DATABASE_URL:-}" ]; then
  cluster=.build/test-postgres
  DATABASE_URL="$("$leadflow" postgres start --directory "$cluster" --fast)"
  export DATABASE_URL
  trap '"$leadflow" postgres stop --directory "$cluster" >/dev/null || true' EXIT
fi

if [ $# -gt 0 ]; then
  swift test "$@"
  exit
fi

# Two phases. The heavy tests — whole engines with tens of thousands of actions, separate service processes
# killed and restarted, a PostgreSQL cluster restarted — each keep both cores busy for up to a minute; beside
# them, the timing-bound tests (loopback servers that must answer within seconds) fail for want of CPU, not
# for a fault. So everything else runs in parallel first, then the heavy suites one test at a time.
heavy='LeadflowFaultTests|NoisyNeighbourTests|DevDemoTests'
swift test --skip "$heavy"
swift test --filter "$heavy" --no-parallel
