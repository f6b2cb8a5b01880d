#!/usr/bin/env bash
# The main job on a fresh machine: installs what it needs, builds Leadflow (release), and runs `leadflow dev`,
# which starts a private PostgreSQL under .leadflow/ when DATABASE_URL is not set. Arguments go to
# `leadflow dev`.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/swift-env.sh

scripts/deps.sh
swift build -c release --product leadflow
exec "$(swift build -c release --show-bin-path)/leadflow" dev "$@"
