#!/usr/bin/env bash
# Builds the release binary: tcss-scan linked against a static POCO (built from Debian's own
# source package: Foundation, XML, JSON, Util, Net, Crypto, NetSSL), static OpenSSL, and
# -static-libstdc++/-static-libgcc, so that it needs nothing but glibc. Writes
# dist/tcss-scan-linux-<arch> and its .sha256 (what the GitHub action's binary-url serves and
# what a slim image can carry).
# The POCO build (~4-5 min on 2 cores) is cached in ${TCSS_CACHE_DIR:-~/.cache/tcss-scan},
# keyed by the POCO source version and these flags, so a second run takes seconds.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Only what the build needs (this also runs inside the Dockerfile's build stage).
APT_PACKAGES=(libpoco-dev libfmt-dev libssl-dev cmake ninja-build g++ dpkg-dev ca-certificates)
NEED_NODE=0 ensure_packages
cache="${TCSS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tcss-scan}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Debian's source package for the POCO the system has, through a private deb-src list.
mkdir -p "$work/parts" "$work/lists/partial"
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
  sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources >"$work/parts/src.sources"
else
  sed -n 's/^deb /deb-src /p' /etc/apt/sources.list >"$work/parts/src.list"
fi
apt_src=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$work/parts" -o "Dir::State::Lists=$work/lists")
version="$(dpkg-query -W -f='${Version}' libpoco-dev)"
flags="static-fxsd-v1"
prefix="$cache/poco-$version-$flags"
if [ ! -f "$prefix/.complete" ]; then
  log "building POCO $version (static) into $prefix; cached for next time"
  need_sudo apt-get "${apt_src[@]}" update -qq
  (cd "$work" && apt-get "${apt_src[@]}" source --download-only -qq "poco=$version" 2>/dev/null)
  dpkg-source -x --no-check "$work"/poco_*.dsc "$work/poco" >/dev/null
  cmake -S "$work/poco" -B "$work/poco-build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DBUILD_SHARED_LIBS=OFF -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DCMAKE_INSTALL_PREFIX="$prefix" \
    -DENABLE_FOUNDATION=ON -DENABLE_XML=ON -DENABLE_JSON=ON -DENABLE_UTIL=ON -DENABLE_NET=ON \
    -DENABLE_CRYPTO=ON -DENABLE_NETSSL=ON -DENABLE_ENCODINGS=OFF -DENABLE_ENCODINGS_COMPILER=OFF \
    -DENABLE_DATA=OFF -DENABLE_DATA_SQLITE=OFF -DENABLE_DATA_MYSQL=OFF -DENABLE_DATA_POSTGRESQL=OFF \
    -DENABLE_DATA_ODBC=OFF -DENABLE_MONGODB=OFF -DENABLE_REDIS=OFF -DENABLE_ZIP=OFF \
    -DENABLE_SEVENZIP=OFF -DENABLE_PDF=OFF -DENABLE_APACHECONNECTOR=OFF -DENABLE_CPPPARSER=OFF \
    -DENABLE_POCODOC=OFF -DENABLE_PAGECOMPILER=OFF -DENABLE_PAGECOMPILER_FILE2PAGE=OFF \
    -DENABLE_JWT=OFF -DENABLE_ACTIVERECORD=OFF -DENABLE_ACTIVERECORD_COMPILER=OFF \
    -DENABLE_TESTS=OFF >/dev/null
  cmake --build "$work/poco-build" -j "$(nproc)" >/dev/null
  rm -rf "$prefix"
  cmake --install "$work/poco-build" >/dev/null
  touch "$prefix/.complete"
else
  log "using the cached static POCO $version ($prefix)"
fi

BUILD_DIR="$ROOT/build-static"
cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
  -DTCSS_STATIC=ON -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$BUILD_DIR" --target tcss-scan tcss-emulator >/dev/null

arch="$(uname -m)"
mkdir -p "$ROOT/dist"
out="$ROOT/dist/tcss-scan-linux-$arch"
strip -o "$out" "$BUILD_DIR/bin/tcss-scan"
strip -o "$ROOT/dist/tcss-emulator-linux-$arch" "$BUILD_DIR/bin/tcss-emulator"
(cd "$ROOT/dist" && sha256sum "tcss-scan-linux-$arch" >"tcss-scan-linux-$arch.sha256" \
  && sha256sum "tcss-emulator-linux-$arch" >"tcss-emulator-linux-$arch.sha256")
# Nothing but glibc (and the loader) may remain dynamic.
extra="$(ldd "$out" | awk '{print $1}' | grep -vE '^(linux-vdso\.so|/lib64/ld-linux|libc\.so|libm\.so|libpthread\.so|libdl\.so|librt\.so)' || true)"
if [ -n "$extra" ]; then
  echo "build-static: $out still loads: $extra" >&2
  exit 1
fi
log "$out ($(du -h "$out" | cut -f1)), $(cut -d' ' -f1 "$out.sha256")"
