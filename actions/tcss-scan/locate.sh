#!/usr/bin/env bash
# Finds the tcss-scan binary for the action, cheapest first, and writes to $GITHUB_OUTPUT:
#   bin=PATH mode=path|download|build [build-dir=DIR]
# 1. tcss-scan on PATH (a self-hosted runner or an earlier step installed it): no cost.
# 2. binary-url + binary-sha256: one download (~10 MB static build), verified before use.
# 3. this action version's release binary for the runner's architecture, verified against the
#    SHA256SUMS committed beside this script (the build is reproducible, so the sums are known
#    before the release exists); a mismatch refuses to run (exit 4).
# 4. otherwise (no release for this version, no network) build from this repository's sources
#    (apt packages + CMake, about 1-2 minutes cold on a 2-core runner; seconds when
#    actions/cache restores the build directory), with a notice.
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

# The release download URL, in one place: {version} and {asset} are filled in. The action's
# release-url input overrides it (a mirror, an internal artifact store).
release_url='https://github.com/acme/tcss-scan/releases/download/v{version}/{asset}'
[ -z "${TCSS_RELEASE_URL:-}" ] || release_url="$TCSS_RELEASE_URL"
sums="${TCSS_SHA256SUMS:-$TCSS_ACTION_PATH/SHA256SUMS}"
case "$(uname -m)" in
  x86_64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) arch="" ;;
esac
asset="tcss-scan-linux-$arch"
expected=""
if [ -f "$sums" ]; then
  expected="$(awk -v a="$asset" '$2 == a || $2 == "*" a {print $1; exit}' "$sums")"
fi
# The release binaries need glibc 2.36 (Debian 12, Ubuntu 24.04); older runners build instead.
glibc="$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}')"
glibc_ok=0
if [ -n "$glibc" ] && [ "$(printf '%s\n2.36\n' "$glibc" | sort -t. -k1,1n -k2,2n | head -n1)" = 2.36 ]; then
  glibc_ok=1
elif [[ "$expected" =~ ^[0-9a-f]{64}$ ]]; then
  echo "::notice title=tcss-scan::this runner's glibc ${glibc:-unknown} is older than the 2.36 the release binaries need; building from source instead"
fi
if [ -n "$arch" ] && [ "$glibc_ok" = 1 ] && [[ "$expected" =~ ^[0-9a-f]{64}$ ]]; then
  version="$(sed -n 's/^project(tcss_scan VERSION \([0-9.]*\).*/\1/p' "$repo_root/CMakeLists.txt")"
  version_pat='{version}'
  asset_pat='{asset}'
  url="${release_url//"$version_pat"/$version}"
  url="${url//"$asset_pat"/$asset}"
  dir="${RUNNER_TEMP:-/tmp}/tcss-scan-release"
  mkdir -p "$dir"
  if curl -fsSL --globoff --retry 2 --connect-timeout 10 --proto '=https,file' -o "$dir/$asset.download" "$url" 2>"$dir/curl.err"; then
    actual="$(sha256sum "$dir/$asset.download" | cut -d' ' -f1)"
    if [ "$actual" != "$expected" ]; then
      rm -f "$dir/$asset.download"
      echo "::error title=tcss-scan::the release binary $url has SHA-256 $actual, but this action's SHA256SUMS says $expected; refusing to run it"
      exit 4
    fi
    mv "$dir/$asset.download" "$dir/tcss-scan"
    chmod +x "$dir/tcss-scan"
    printf 'bin=%s\nmode=release\n' "$dir/tcss-scan" >>"$out"
    echo "tcss-scan: release $version ($asset), SHA-256 verified" >&2
    exit 0
  fi
  echo "::notice title=tcss-scan::no release binary at $url ($(tr -d '\n' <"$dir/curl.err" | cut -c1-200)); building from source instead"
fi

build_dir="$repo_root/build-action"
printf 'bin=%s\nmode=build\nbuild-dir=%s\n' "$build_dir/bin/tcss-scan" "$build_dir" >>"$out"
