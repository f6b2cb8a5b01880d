#!/usr/bin/env bash
# The main job on a fresh machine: installs what it needs, builds Leadflow (release), and runs `leadflow dev`,
# which starts a private PostgreSQL under .leadflow/ when DATABASE_URL is not set. Without arguments it runs the
# demo (16,000 leads through the three-step example pipeline, with a progress bar and a summary); arguments go
# to `leadflow dev` instead (e.g. `scripts/run.sh` with no --demo keeps every service running until Ctrl-C:
# `make dev`).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/swift-env.sh

scripts/deps.sh
swift build -c release --product leadflow
if [ "$#" -eq 0 ]; then set -- --demo 16000; fi
exec "$(swift build -c release --show-bin-path)/leadflow" dev "$@"
