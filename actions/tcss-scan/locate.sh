#!/usr/bin/env bash
# Finds the tcss-scan binary for the action, cheapest first, and writes to $GITHUB_OUTPUT:
#   bin=PATH mode=path|download|build [build-dir=DIR]
# 1. tcss-scan on PATH (a self-hosted runner or an earlier step installed it): no cost.
# 2. binary-url + binary-sha256: one download (~10 MB static build), verified before use.
# 3. otherwise build from this repository's sources (apt packages + CMake, about 1-2 minutes
#    cold on a 2-core runner; seconds when actions/cache restores the build directory).
set -euo pipefail

out="${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
repo_root="$(cd "${TCSS_ACTION_PATH:?}/../.." && pwd)"

if bin="$(command -v tcss-scan)"; then
  printf 'bin=%s\nmode=path\n' "$bin" >>"$out"
  echo "tcss-scan: using $bin from PATH" >&2
  exit 0
fi

if [ -n "${TCSS_BINARY_URL:-}" ]; then
  if ! [[ "${TCSS_BINARY_SHA256:-}" =~ ^[0-9a-f]{64}$ ]]; then
    echo "::error title=tcss-scan::binary-url needs binary-sha256 (64 lower-case hex digits) so the download can be verified"
    exit 4
  fi
  dir="${RUNNER_TEMP:-/tmp}/tcss-scan-bin"
  mkdir -p "$dir"
  curl -fsSL --retry 3 --proto '=https,file' -o "$dir/tcss-scan.download" "$TCSS_BINARY_URL"
  actual="$(sha256sum "$dir/tcss-scan.download" | cut -d' ' -f1)"
  if [ "$actual" != "$TCSS_BINARY_SHA256" ]; then
    rm -f "$dir/tcss-scan.download"
    echo "::error title=tcss-scan::the binary at binary-url has SHA-256 $actual, not the binary-sha256 given; refusing to run it"
    exit 4
  fi
  mv "$dir/tcss-scan.download" "$dir/tcss-scan"
  chmod +x "$dir/tcss-scan"
  printf 'bin=%s\nmode=download\n' "$dir/tcss-scan" >>"$out"
  exit 0
fi

build_dir="$repo_root/build-action"
printf 'bin=%s\nmode=build\nbuild-dir=%s\n' "$build_dir/bin/tcss-scan" "$build_dir" >>"$out"
