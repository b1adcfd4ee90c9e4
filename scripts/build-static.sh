#!/usr/bin/env bash
# Builds the release binaries, reproducibly: tcss-scan and tcss-emulator linked against a
# static POCO (built from Debian's own source package: Foundation, XML, JSON, Util, Net, Crypto,
# NetSSL), static OpenSSL, and -static-libstdc++/-static-libgcc, so that they need nothing but
# glibc. Writes dist/tcss-{scan,emulator}-linux-<amd64|arm64> and dist/SHA256SUMS.
#
# Reproducible: the same commit gives the same bytes whatever the folder, user, clock or cache
# location (every compiled path is mapped with -ffile-prefix-map, SOURCE_DATE_EPOCH is the
# commit's time, archives are deterministic, the binaries are stripped). Given the same Debian
# toolchain: dist/BUILDINFO-<arch> records the package versions that went in.
#
# Usage: scripts/build-static.sh [--check-sums]
#   --check-sums   on a release commit, after building, compare with actions/tcss-scan/SHA256SUMS (exit 1 when a
#                  byte differs with the toolchain of actions/tcss-scan/BUILDINFO-<arch>; when
#                  this machine's toolchain differs the bytes cannot match: a notice, or exit 1
#                  with TCSS_STRICT_SUMS=1, as the release workflow sets)
# TCSS_ARCH=arm64 on an amd64 machine cross-builds linux-arm64 (Debian's crossbuild-essential-arm64
# and multiarch libssl-dev:arm64; POCO cross-compiled from the same source package).
# TCSS_BUILD_ROOT: build folder (default build-static, build-static-arm64). The POCO build
# (~4-5 min on 2 cores) is cached in ${TCSS_CACHE_DIR:-~/.cache/tcss-scan}, keyed by its
# version, the architecture and these flags.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mode="${1:-}"
case "$mode" in
  ""|--check-sums) ;;
  *) echo "build-static: unknown option $mode (--check-sums)" >&2; exit 4 ;;
esac

# Only what the build needs (this also runs inside the Dockerfile's build stage).
APT_PACKAGES=(libpoco-dev libfmt-dev libssl-dev cmake ninja-build g++ dpkg-dev ca-certificates ccache)
NEED_NODE=0 ensure_packages
cache="$CACHE_ROOT"
use_ccache
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Runs a build command quietly; on failure its last lines explain why.
quietly() {
  "$@" >"$work/step.log" 2>&1 || { tail -n 40 "$work/step.log" >&2; exit 1; }
}

case "$(uname -m)" in
  x86_64) host_arch=amd64 ;;
  aarch64) host_arch=arm64 ;;
  *) host_arch="$(uname -m)" ;;
esac
arch="${TCSS_ARCH:-$host_arch}"
cross=()        # extra CMake arguments for a cross build
poco_cross=()
cross_flags=""  # extra compiler flags for a cross build
strip_tool="strip"
if [ "$arch" != "$host_arch" ]; then
  if [ "$arch" != arm64 ] || [ "$host_arch" != amd64 ]; then
    echo "build-static: cross-building $arch on $host_arch is not supported (arm64 on amd64 is)" >&2
    exit 4
  fi
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    log "adding the arm64 architecture to dpkg (multiarch)"
    need_sudo dpkg --add-architecture arm64
    need_sudo apt-get update -qq
  fi
  APT_PACKAGES=(crossbuild-essential-arm64)
  NEED_NODE=0 ensure_packages
  triple=aarch64-linux-gnu
  # OpenSSL for arm64 unpacked into a private sysroot: multiarch would insist on the amd64
  # libssl-dev having the very same version, which would change the amd64 build's inputs.
  ssl_version="$(apt-cache policy libssl-dev:arm64 | sed -n 's/^ *Candidate: //p')"
  sysroot="$cache/sysroot-arm64-openssl-$ssl_version"
  if [ ! -f "$sysroot/.complete" ]; then
    log "unpacking libssl-dev:arm64 $ssl_version into $sysroot"
    (cd "$work" && apt-get download -qq "libssl-dev:arm64=$ssl_version" "libssl3:arm64=$ssl_version")
    rm -rf "$sysroot"
    for deb in "$work"/libssl*_arm64.deb; do dpkg-deb -x "$deb" "$sysroot"; done
    touch "$sysroot/.complete"
  fi
  echo "libssl-dev:arm64 $ssl_version" >"$work/buildinfo-extra"
  cross_flags="-isystem $sysroot/usr/include/$triple -isystem $sysroot/usr/include"
  # Kept beside the caches: a build folder remembers its toolchain file's path.
  toolchain="$cache/toolchain-arm64.cmake"
  mkdir -p "$cache"
  cat >"$toolchain" <<CMAKE
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER $triple-gcc)
set(CMAKE_CXX_COMPILER $triple-g++)
set(CMAKE_LIBRARY_ARCHITECTURE $triple)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
CMAKE
  ssl=("-DOPENSSL_INCLUDE_DIR=$sysroot/usr/include"
       "-DOPENSSL_CRYPTO_LIBRARY=$sysroot/usr/lib/$triple/libcrypto.a"
       "-DOPENSSL_SSL_LIBRARY=$sysroot/usr/lib/$triple/libssl.a")
  poco_cross=(-DCMAKE_TOOLCHAIN_FILE="$toolchain" "${ssl[@]}")
  cross=(-DCMAKE_TOOLCHAIN_FILE="$toolchain" "${ssl[@]}"
         -Dfmt_DIR="$(dirname "$(dpkg -L libfmt-dev | grep -m1 '/fmt-config.cmake$')")")
  strip_tool="$triple-strip"
fi

# The commit's time, not the clock's: nothing in the binaries may depend on when they were built.
SOURCE_DATE_EPOCH="$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null || echo 0)"
export SOURCE_DATE_EPOCH
export ZERO_AR_DATE=1 LC_ALL=C TZ=UTC

# Debian's source package for the POCO the system has, through a private deb-src list.
mkdir -p "$work/parts" "$work/lists/partial"
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
  sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources >"$work/parts/src.sources"
else
  sed -n 's/^deb /deb-src /p' /etc/apt/sources.list >"$work/parts/src.list"
fi
apt_src=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$work/parts" -o "Dir::State::Lists=$work/lists")
version="$(dpkg-query -W -f='${Version}' libpoco-dev)"
flags="static-fxsd-v2-repro"
prefix="$cache/poco-$version-$arch-$flags"
if [ ! -f "$prefix/.complete" ]; then
  log "building POCO $version (static) into $prefix; cached for next time"
  need_sudo apt-get "${apt_src[@]}" update -qq
  (cd "$work" && apt-get "${apt_src[@]}" source --download-only -qq "poco=$version" 2>/dev/null)
  dpkg-source -x --no-check "$work"/poco_*.dsc "$work/poco" >/dev/null
  # The source and build folders are temporary: map them to fixed names in every object.
  map="-ffile-prefix-map=$work/poco=/usr/src/poco -ffile-prefix-map=$work/poco-build=/usr/src/poco-build -ffile-prefix-map=$cache=/usr/src/cache $cross_flags"
  quietly cmake -S "$work/poco" -B "$work/poco-build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_FLAGS="$map" -DCMAKE_CXX_FLAGS="$map" ${poco_cross[@]+"${poco_cross[@]}"} \
    -DBUILD_SHARED_LIBS=OFF -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DCMAKE_INSTALL_PREFIX="$prefix" \
    -DENABLE_FOUNDATION=ON -DENABLE_XML=ON -DENABLE_JSON=ON -DENABLE_UTIL=ON -DENABLE_NET=ON \
    -DENABLE_CRYPTO=ON -DENABLE_NETSSL=ON -DENABLE_ENCODINGS=OFF -DENABLE_ENCODINGS_COMPILER=OFF \
    -DENABLE_DATA=OFF -DENABLE_DATA_SQLITE=OFF -DENABLE_DATA_MYSQL=OFF -DENABLE_DATA_POSTGRESQL=OFF \
    -DENABLE_DATA_ODBC=OFF -DENABLE_MONGODB=OFF -DENABLE_REDIS=OFF -DENABLE_ZIP=OFF \
    -DENABLE_SEVENZIP=OFF -DENABLE_PDF=OFF -DENABLE_APACHECONNECTOR=OFF -DENABLE_CPPPARSER=OFF \
    -DENABLE_POCODOC=OFF -DENABLE_PAGECOMPILER=OFF -DENABLE_PAGECOMPILER_FILE2PAGE=OFF \
    -DENABLE_JWT=OFF -DENABLE_ACTIVERECORD=OFF -DENABLE_ACTIVERECORD_COMPILER=OFF \
    -DENABLE_TESTS=OFF
  quietly cmake --build "$work/poco-build" -j "$(nproc)"
  rm -rf "$prefix"
  cmake --install "$work/poco-build" >/dev/null
  touch "$prefix/.complete"
else
  log "using the cached static POCO $version ($prefix)"
fi

default_build="$ROOT/build-static"
[ "$arch" = "$host_arch" ] || default_build="$ROOT/build-static-$arch"
BUILD_DIR="${TCSS_BUILD_ROOT:-$default_build}"
# The checkout, the build folder and the cache may live anywhere: none of them reaches the bytes.
map="-ffile-prefix-map=$ROOT=/usr/src/tcss-scan -ffile-prefix-map=$BUILD_DIR=/usr/src/tcss-scan/build -ffile-prefix-map=$prefix=/usr/src/poco-static -ffile-prefix-map=$cache=/usr/src/cache $cross_flags"
quietly cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
  -DTCSS_STATIC=ON -DTCSS_GLIBC_COMPAT=ON -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_FLAGS="$map" \
  -DCMAKE_EXE_LINKER_FLAGS="-Wl,--build-id=sha1" ${cross[@]+"${cross[@]}"}
quietly cmake --build "$BUILD_DIR" --target tcss-scan tcss-emulator

dist="$ROOT/dist"
mkdir -p "$dist"
for name in tcss-scan tcss-emulator; do
  "$strip_tool" --strip-all --remove-section=.comment -o "$dist/$name-linux-$arch" "$BUILD_DIR/bin/$name"
  # Nothing but glibc (and the loader) may remain dynamic: the ELF's NEEDED entries.
  extra="$(readelf -d "$dist/$name-linux-$arch" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | grep -vE '^(ld-linux.*|libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1)$' || true)"
  if [ -n "$extra" ]; then
    echo "build-static: $dist/$name-linux-$arch still loads: $extra" >&2
    exit 1
  fi
done
(cd "$dist" && sha256sum tcss-*-linux-amd64 tcss-*-linux-arm64 2>/dev/null | sort -k2 >SHA256SUMS) || true
# What went in: a different version of any of these gives different bytes.
packages=(g++-12 binutils libc6-dev libssl-dev libpoco-dev libfmt-dev libstdc++-12-dev cmake)
[ "$arch" = "$host_arch" ] || packages+=(g++-12-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross)
{
  echo "# Debian packages the linux-$arch release binaries were built with (scripts/build-static.sh)"
  for p in "${packages[@]}"; do
    printf '%s %s\n' "$p" "$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || echo none)"
  done
  [ ! -f "$work/buildinfo-extra" ] || cat "$work/buildinfo-extra"
} >"$dist/BUILDINFO-$arch"
log "$dist/tcss-scan-linux-$arch ($(du -h "$dist/tcss-scan-linux-$arch" | cut -f1)), $(sha256sum "$dist/tcss-scan-linux-$arch" | cut -d' ' -f1)"

committed="$ROOT/actions/tcss-scan"
case "$mode" in
  --check-sums)
    version="$(project_value TCSS_VERSION)"
    if [ ! -f "$committed/SHA256SUMS" ]; then
      # Between releases (X.Y.Z-dev) nothing is committed to compare with: the bytes are proven
      # by building twice (scripts/check-reproducible.sh). A release commit must carry its sums.
      if [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
        echo "build-static: release $version has no actions/tcss-scan/SHA256SUMS (scripts/release.sh writes them)" >&2
        exit 1
      fi
      log "$version is not a release: no committed sums to compare with"
      exit 0
    fi
    if ! diff -q "$committed/BUILDINFO-$arch" "$dist/BUILDINFO-$arch" >/dev/null; then
      echo "build-static: this machine's toolchain differs from actions/tcss-scan/BUILDINFO-$arch, so its bytes cannot match the committed sums:" >&2
      diff "$committed/BUILDINFO-$arch" "$dist/BUILDINFO-$arch" >&2 || true
      # A release must not go out unverified; a test machine with newer packages only notes it.
      [ "${TCSS_STRICT_SUMS:-0}" = 1 ] && exit 1
      echo "build-static: notice: sums not compared (TCSS_STRICT_SUMS=1 makes this an error)" >&2
      exit 0
    fi
    # Only the architectures built here are compared.
    if ! (cd "$dist" && grep -E "  tcss-[a-z]+-linux-$arch\$" "$committed/SHA256SUMS" | sha256sum -c --quiet -); then
      echo "build-static: dist/ differs from actions/tcss-scan/SHA256SUMS with the same toolchain: the build is not reproducible, or the sums do not belong to this commit (scripts/release.sh writes them)" >&2
      exit 1
    fi
    log "dist/ matches actions/tcss-scan/SHA256SUMS byte for byte"
    ;;
esac
