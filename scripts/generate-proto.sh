#!/usr/bin/env bash
# Regenerates Sources/LeadflowProto/Generated from proto/leadflow/v1/*.proto.
#
# Needs protoc (Debian's protobuf-compiler, installed when missing) and protoc-gen-swift from
# swift-protobuf 1.39.0, the version Package.swift depends on. The plugin is built once from source into
# .build-protoc/ (about ten minutes on two cores) and reused while its --version matches; set
# PROTOC_GEN_SWIFT to use another binary.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/swift-env.sh

SWIFT_PROTOBUF_VERSION=1.39.0
plugin_dir=.build-protoc

if ! command -v protoc >/dev/null || ! command -v git >/dev/null; then
  echo "generate-proto: installing protobuf-compiler and git" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq protobuf-compiler git
fi

plugin=${PROTOC_GEN_SWIFT:-$plugin_dir/bin/protoc-gen-swift}
plugin_is_current() {
  [ -x "$plugin" ] && [ "$("$plugin" --version 2>/dev/null)" = "protoc-gen-swift $SWIFT_PROTOBUF_VERSION" ]
}
if [ -z "${PROTOC_GEN_SWIFT:-}" ] && ! plugin_is_current; then
  echo "generate-proto: building protoc-gen-swift $SWIFT_PROTOBUF_VERSION (once, ~10 minutes)" >&2
  # Reuse a checkout of the right tag (an interrupted build resumes incrementally); replace any other.
  checkout=$(git -C "$plugin_dir/src" describe --tags --exact-match 2>/dev/null || true)
  if [ "$checkout" != "$SWIFT_PROTOBUF_VERSION" ]; then
    rm -rf "$plugin_dir/src"
    git clone --quiet --depth 1 --branch "$SWIFT_PROTOBUF_VERSION" \
      https://github.com/apple/swift-protobuf "$plugin_dir/src"
  fi
  swift build --package-path "$plugin_dir/src" -c release --product protoc-gen-swift
  mkdir -p "$plugin_dir/bin"
  cp "$(swift build --package-path "$plugin_dir/src" -c release --show-bin-path)/protoc-gen-swift" "$plugin"
fi
if [ ! -x "$plugin" ]; then
  echo "generate-proto: $plugin is not executable" >&2
  exit 1
fi

# Generate into a fresh folder and swap it in only on success, so a .proto error keeps the old code.
out=Sources/LeadflowProto/Generated
tmp=$(mktemp -d "${TMPDIR:-/tmp}/leadflow-proto.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
protoc --plugin=protoc-gen-swift="$plugin" \
  --swift_opt=Visibility=Public \
  --swift_opt=FileNaming=PathToUnderscores \
  --swift_out="$tmp" \
  -I proto \
  proto/leadflow/v1/*.proto
rm -rf "$out"
mkdir -p "$out"
cp "$tmp"/*.swift "$out"/
echo "generate-proto: wrote $(ls "$out" | wc -l) files to $out" >&2
