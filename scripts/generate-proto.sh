#!/usr/bin/env bash
# Regenerates Sources/LeadflowProto/Generated from proto/leadflow/v1/*.proto.
#
# Needs protoc (Debian's protobuf-compiler, installed when missing) and protoc-gen-swift from
# swift-protobuf 1.39.0, the version Package.swift depends on. The plugin is built once from source into
# .build-protoc/ (about ten minutes on two cores) and reused afterwards; set PROTOC_GEN_SWIFT to use another.
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT_PROTOBUF_VERSION=1.39.0
plugin_dir=.build-protoc

if ! command -v protoc >/dev/null; then
  echo "generate-proto: installing protobuf-compiler" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq protobuf-compiler
fi

plugin=${PROTOC_GEN_SWIFT:-$plugin_dir/bin/protoc-gen-swift}
if [ ! -x "$plugin" ]; then
  echo "generate-proto: building protoc-gen-swift $SWIFT_PROTOBUF_VERSION (once, ~10 minutes)" >&2
  rm -rf "$plugin_dir/src"
  git clone --quiet --depth 1 --branch "$SWIFT_PROTOBUF_VERSION" \
    https://github.com/apple/swift-protobuf "$plugin_dir/src"
  swift build --package-path "$plugin_dir/src" -c release --product protoc-gen-swift
  mkdir -p "$plugin_dir/bin"
  cp "$(swift build --package-path "$plugin_dir/src" -c release --show-bin-path)/protoc-gen-swift" "$plugin"
fi

out=Sources/LeadflowProto/Generated
rm -rf "$out"
mkdir -p "$out"
protoc --plugin=protoc-gen-swift="$plugin" \
  --swift_opt=Visibility=Public \
  --swift_opt=FileNaming=PathToUnderscores \
  --swift_out="$out" \
  -I proto \
  proto/leadflow/v1/*.proto
echo "generate-proto: wrote $(ls "$out" | wc -l) files to $out" >&2
