#!/usr/bin/env bash
# Installs the Debian packages Leadflow builds with, when any is missing; with --tests also what the test suite
# runs against (Prometheus and Alertmanager for the collector's tests, Chromium and chromedriver for the web
# console's). Idempotent; quiet when everything is there. Runs apt-get as root directly, otherwise through sudo.
set -euo pipefail

packages=(pkg-config libzmq3-dev libpq-dev libcurl4-openssl-dev postgresql)
if [ "${1:-}" = "--tests" ]; then
  packages+=(prometheus prometheus-alertmanager chromium chromium-driver)
fi
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
