#!/usr/bin/env bash
# The hardening checks scripts/test.sh runs after the main suite:
#   1. an ASan+UBSan build (warnings as errors) running the unit and integration suites;
#   2. every libFuzzer target for a short fixed time (scripts/fuzz.sh), corpus included;
#   3. the static release build (scripts/build-static.sh, POCO cached), checked against the
#      committed actions/tcss-scan/SHA256SUMS, built a second time elsewhere to prove it is
#      reproducible, its glibc floor and dynamic dependencies checked, its binaries run through
#      the submission, wait, secrets and keyless integration suites;
#   4. the same for linux-arm64, cross-built, its binaries run under qemu-user-static.
# Usage: scripts/check.sh [asan|fuzz|static|arm64]... (default: all four). FUZZ_SECONDS (default 10).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(asan fuzz static arm64)
suites='ScanTest.*:WaitTest.*:Secrets.*:Faults.*:KeylessTest.*:ReportsTest.*'
ensure_packages

# dist/bin-ARCH/{tcss-scan,tcss-emulator}: the release binaries of ARCH as the integration suites
# run them, through RUNNER (e.g. qemu) when one is given.
install_bins() {
  local arch="$1" runner="${2:-}" dir="$ROOT/dist/bin-$1" name
  mkdir -p "$dir"
  for name in tcss-scan tcss-emulator; do
    if [ -z "$runner" ]; then
      cp "$ROOT/dist/$name-linux-$arch" "$dir/$name"
    else
      # -0 keeps argv[0] (the Docker CLI plugin is recognised by its name).
      # shellcheck disable=SC2016 # $0 and $@ belong to the wrapper
      printf '#!/bin/sh\nexec %s -0 "$0" "%s" "$@"\n' "$runner" "$ROOT/dist/$name-linux-$arch" >"$dir/$name"
    fi
    chmod +x "$dir/$name"
  done
}

for step in "${steps[@]}"; do
  case "$step" in
    asan)
      log "ASan+UBSan build and the unit and integration suites under it"
      BUILD_DIR="$ROOT/build-asan" build Debug -DTCSS_SANITIZE=ON -DTCSS_WERROR=ON
      (cd "$ROOT/build-asan" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --output-on-failure -j 2 --timeout 300 -L 'unit|integration|fuzz')
      ;;
    fuzz)
      for target in $("$ROOT/scripts/fuzz.sh" --list); do
        "$ROOT/scripts/fuzz.sh" "$target" "${FUZZ_SECONDS:-10}"
      done
      ;;
    static)
      "$ROOT/scripts/build-static.sh" --check-sums
      "$ROOT/scripts/check-reproducible.sh"
      floor="$("$ROOT/scripts/glibc-floor.sh" "$ROOT"/dist/tcss-{scan,emulator}-linux-amd64)"
      # Built on Debian 12, the static libstdc++ and libgcc import arc4random (2.36) and
      # _dl_find_object (2.35): the binaries must still run on Debian 12 (bookworm-slim, 2.36).
      if [ "$(printf '%s\n2.36\n' "$floor" | sort -t. -k1,1n -k2,2n | tail -n1)" != 2.36 ]; then
        echo "check.sh: the static binaries need glibc $floor, newer than Debian 12's 2.36" >&2
        exit 1
      fi
      log "the static binaries need glibc >= $floor and nothing else; through the integration suites"
      install_bins amd64
      TCSS_BIN_DIR="$ROOT/dist/bin-amd64" "$BUILD_DIR/bin/integration_tests" \
        --gtest_filter="$suites" --gtest_brief=1
      ;;
    arm64)
      TCSS_ARCH=arm64 "$ROOT/scripts/build-static.sh" --check-sums
      APT_PACKAGES=(qemu-user-static)
      NEED_NODE=0 ensure_packages
      log "the arm64 binaries under qemu-user-static through the integration suites"
      install_bins arm64 "qemu-aarch64-static -L /usr/aarch64-linux-gnu"
      # Emulated, a third of the native speed: the suites that cover the platform-specific
      # parts (TLS, signals, files, the clock) rather than all of them.
      TCSS_BIN_DIR="$ROOT/dist/bin-arm64" "$BUILD_DIR/bin/integration_tests" \
        --gtest_filter='ScanTest.*:WaitTest.*:Secrets.*:KeylessTest.*' --gtest_brief=1
      ;;
    *) echo "check.sh: unknown step $step (asan, fuzz, static, arm64)" >&2; exit 4 ;;
  esac
done
