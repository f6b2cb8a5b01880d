# Sourced by the scripts: puts the Swift toolchain on the PATH when it is not there yet (this project's
# machines ship it at /opt/swift), and stops with a clear message when there is none.
if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
  export PATH="/opt/swift/usr/bin:$PATH"
fi
if ! command -v swift >/dev/null 2>&1; then
  echo "swift not found: install Swift 6.3 or later (expected at /opt/swift or on the PATH)" >&2
  exit 1
fi
