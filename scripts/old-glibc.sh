#!/usr/bin/env bash
# Prints the folder of an older glibc for ARCH (amd64 or arm64): Debian 11's libc6 (glibc 2.31,
# the last series before libpthread and libdl moved into libc), unpacked from the Debian archive
# with apt's own signature checks, kept in the cache folder. scripts/check.sh runs the release
# binaries' integration suites on it, so the glibc floor is proven by running, not only by
# objdump. Nothing is installed on the system: apt works on private lists and status files.
# Usage: scripts/old-glibc.sh ARCH   (prints e.g. ~/.cache/tcss-scan/glibc-bullseye-amd64)
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

arch="${1:-}"
case "$arch" in
  amd64) triple=x86_64-linux-gnu ;;
  arm64) triple=aarch64-linux-gnu ;;
  *) echo "usage: old-glibc.sh amd64|arm64" >&2; exit 4 ;;
esac
suite=bullseye
root="$CACHE_ROOT/glibc-$suite-$arch"
if [ ! -f "$root/.complete" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/deb"
  : >"$work/status"
  echo "deb [arch=$arch] http://deb.debian.org/debian $suite main" >"$work/sources.list"
  apt_opts=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/nonexistent
            -o "Dir::State::Lists=$work/lists" -o "Dir::State::status=$work/status"
            -o "Dir::Cache=$work/cache" -o "APT::Architectures::=$arch" -o Debug::NoLocking=1
            -o APT::Sandbox::User=root)
  log "fetching Debian $suite's libc6:$arch (glibc 2.31) for the glibc floor test"
  apt-get -qq "${apt_opts[@]}" update >/dev/null
  (cd "$work/deb" && apt-get -qq "${apt_opts[@]}" download "libc6:$arch" >/dev/null)
  rm -rf "$root.tmp"
  dpkg-deb -x "$work"/deb/libc6_*.deb "$root.tmp"
  # Absolute links (/lib64/ld-linux-x86-64.so.2 -> /lib/…) made relative, so the folder is a root
  # for qemu -L and for the loader run by path.
  find "$root.tmp" -type l -lname '/*' -print0 | while IFS= read -r -d '' link; do
    ln -sfr "$root.tmp$(readlink "$link")" "$link"
  done
  ls "$root.tmp/lib/$triple"/ld-2.31.so >/dev/null
  touch "$root.tmp/.complete"
  rm -rf "$root"
  mv "$root.tmp" "$root"
fi
echo "$root"
