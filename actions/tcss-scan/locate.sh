#!/usr/bin/env bash
# Finds the tcss-scan binary for the action, cheapest first, and writes to $GITHUB_OUTPUT:
#   bin=PATH mode=download|path|release|build [build-dir=DIR cache-key=KEY]
# 1. binary-url + binary-sha256, when given: one download (~10 MB static build), verified
#    before use. An explicit choice wins over what happens to be installed.
# 2. tcss-scan on PATH (a self-hosted runner or an earlier step installed it): no cost.
# 3. on a release commit (project.env's TCSS_VERSION is X.Y.Z and SHA256SUMS beside this
#    script names the runner's asset): that release's binary, from the repository this action
#    was loaded from, verified against those sums; a mismatch refuses to run (exit 4). The
#    build is reproducible, so the sums are committed before the release exists.
# 4. otherwise (a branch or commit between releases, X.Y.Z-dev; no release reachable; a glibc
#    older than the binaries need) build from this checkout's sources (apt packages + CMake,
#    about 1-2 minutes cold on a 2-core runner; seconds when actions/cache restores the build).
set -euo pipefail

out="${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
repo_root="$(cd "${TCSS_ACTION_PATH:?}/../.." && pwd)"
project_value() { sed -n "s/^$1=//p" "$repo_root/project.env"; }
notice() { printf '::notice title=tcss-scan::%s\n' "$*"; }

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

if bin="$(command -v tcss-scan)"; then
  printf 'bin=%s\nmode=path\n' "$bin" >>"$out"
  echo "tcss-scan: using $bin from PATH" >&2
  exit 0
fi

# This action's own home: github.action_repository (reliable only through a step's env in a
# composite action), else the folder the runner checked it out to (…/_actions/OWNER/REPO/REF),
# else (a local `uses: ./…`) the home project.env declares.
if [[ "${TCSS_ACTION_REPOSITORY:-}" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]]; then
  home="$TCSS_ACTION_REPOSITORY"
elif [[ "$repo_root" =~ /_actions/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)/[^/]+$ ]]; then
  home="${BASH_REMATCH[1]}/${BASH_REMATCH[2]}"
else
  home="$(project_value TCSS_HOME)"
fi
# The release download URL: {version} and {asset} are filled in. The release-url input
# overrides it (a mirror, an internal artifact store); the bytes are checked all the same.
release_url="${GITHUB_SERVER_URL:-https://github.com}/$home/releases/download/v{version}/{asset}"
[ -z "${TCSS_RELEASE_URL:-}" ] || release_url="$TCSS_RELEASE_URL"
version="$(project_value TCSS_VERSION)"
floor="$(project_value TCSS_GLIBC_FLOOR)"
sums="$TCSS_ACTION_PATH/SHA256SUMS"
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
glibc="$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}')"
if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  notice "tcss-scan $version is not a release (this ref is between releases): building it from source"
elif [ -z "$arch" ]; then
  notice "no release binary for $(uname -m): building from source"
elif ! [[ "$expected" =~ ^[0-9a-f]{64}$ ]]; then
  notice "this action's SHA256SUMS names no $asset, so no download can be verified: building from source"
elif [ -z "$glibc" ] || [ "$(printf '%s\n%s\n' "$glibc" "$floor" | sort -t. -k1,1n -k2,2n | head -n1)" != "$floor" ]; then
  notice "this runner's glibc ${glibc:-(none)} is older than the $floor the release binaries need: building from source"
else
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
    echo "tcss-scan: release $version ($asset) from $home, SHA-256 verified" >&2
    exit 0
  fi
  notice "no release binary at $url ($(tr -d '\n' <"$dir/curl.err" | cut -c1-200)); building from source instead"
fi

# The build cache is keyed by the action's own sources (hashFiles() sees only the caller's
# workspace), the runner's OS image and the toolchain's packages.
build_dir="$repo_root/build-action"
key="$(cd "$repo_root" && { cat project.env CMakeLists.txt; find src -type f -print0 | sort -z | xargs -0 sha256sum; } | sha256sum | cut -c1-16)"
printf 'bin=%s\nmode=build\nbuild-dir=%s\ncache-key=%s\n' "$build_dir/bin/tcss-scan" "$build_dir" "$key" >>"$out"
