#!/usr/bin/env bash
# Builds the release binaries a second time from a copy of the checkout in another folder, with
# another build folder, under another user name and with the clock a year ahead (faketime),
# and fails unless every byte equals dist/ from the first build (scripts/build-static.sh).
# TCSS_ARCH=arm64 does the same for the cross build.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

APT_PACKAGES=(faketime rsync)
NEED_NODE=0 ensure_packages
"$ROOT/scripts/build-static.sh"  # the first build (quick when nothing changed)
# The same folder every time: the paths are part of the compiler's command line (the path maps),
# so a fixed one lets the second build's own cache hit from one run to the next.
other="${TMPDIR:-/tmp}/tcss-repro-$(id -u)"
rm -rf "$other"
trap 'rm -rf "$other"' EXIT
copy="$other/some/other/place/tcss-scan"
mkdir -p "$copy"
rsync -a --exclude '/build*' --exclude '/dist' --exclude node_modules "$ROOT/" "$copy/"
log "second build in $copy, clock a year ahead"
# Its own compiler cache: every object of this build was compiled by a build like this one (in
# another folder, another user, the clock ahead), never taken from the first build's cache.
# ccache itself keeps the real clock (FAKETIME_SKIP_CMDS; the compilers it runs still get the
# fake one): under the fake clock it took the files it had just written (the kernel stamps them
# with the real time) for a year old and removed them, and every run compiled again.
(cd "$copy" && USER=someone-else LOGNAME=someone-else TCSS_BUILD_ROOT="$other/b" TCSS_ARCH="${TCSS_ARCH:-}" \
  TCSS_CCACHE_DIR="$CACHE_ROOT/ccache-second-build" TCSS_CCACHE_BASEDIR="$other" \
  FAKETIME_SKIP_CMDS=ccache faketime -f '+365d' ./scripts/build-static.sh >/dev/null)
status=0
compared=()
for f in "$copy"/dist/tcss-*-linux-*; do
  name="$(basename "$f")"
  if ! cmp -s "$f" "$ROOT/dist/$name"; then
    echo "check-reproducible: $name differs between the two builds" >&2
    status=1
  fi
  compared+=("$name")
done
[ ${#compared[@]} -gt 0 ] || { echo "check-reproducible: the second build produced nothing" >&2; exit 1; }
[ "$status" = 0 ] && log "byte-identical in both builds: ${compared[*]}"
exit "$status"
