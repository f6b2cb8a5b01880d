#!/usr/bin/env bash
# Regenerates Sources/LeadflowAdminAPI/Generated from openapi/admin.yaml (the admin HTTP API's contract).
#
# The generated Swift is committed, like the protobuf code (scripts/generate-proto.sh): normal builds neither
# compile OpenAPIKit nor run a build plugin. The generator, apple/swift-openapi-generator 1.14.3 (the version
# whose generated code the swift-openapi-runtime in Package.swift takes), is built once from source into
# .build-openapi/ (a few minutes on two cores) and reused while its checkout is that tag; set
# SWIFT_OPENAPI_GENERATOR to use another binary.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/swift-env.sh

GENERATOR_VERSION=1.14.3
tool_dir=.build-openapi
document=openapi/admin.yaml
configuration=openapi/openapi-generator-config.yaml
out=Sources/LeadflowAdminAPI/Generated

generator=${SWIFT_OPENAPI_GENERATOR:-$tool_dir/bin/swift-openapi-generator}
if [ -z "${SWIFT_OPENAPI_GENERATOR:-}" ]; then
  checkout=$(git -C "$tool_dir/src" describe --tags --exact-match 2>/dev/null || true)
  if [ "$checkout" != "$GENERATOR_VERSION" ] || [ ! -x "$generator" ]; then
    echo "generate-openapi: building swift-openapi-generator $GENERATOR_VERSION (once, a few minutes)" >&2
    # Reuse a checkout of the right tag (an interrupted build resumes incrementally); replace any other.
    if [ "$checkout" != "$GENERATOR_VERSION" ]; then
      rm -rf "$tool_dir/src" "$tool_dir/bin"
      git -c advice.detachedHead=false clone --quiet --depth 1 --branch "$GENERATOR_VERSION" \
        https://github.com/apple/swift-openapi-generator "$tool_dir/src"
    fi
    nice -n 5 swift build --package-path "$tool_dir/src" -c release --product swift-openapi-generator
    mkdir -p "$tool_dir/bin"
    cp "$(swift build --package-path "$tool_dir/src" -c release --show-bin-path)/swift-openapi-generator" "$generator"
  fi
fi
if [ ! -x "$generator" ]; then
  echo "generate-openapi: $generator is not executable" >&2
  exit 1
fi

# Generate into a fresh folder and swap it in only on success, so a document error keeps the old code.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/leadflow-openapi.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$generator" generate "$document" --config "$configuration" --output-directory "$tmp"
rm -rf "$out"
mkdir -p "$out"
cp "$tmp"/*.swift "$out"/
echo "generate-openapi: wrote $(ls "$out" | wc -l) files to $out" >&2
