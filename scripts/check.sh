#!/usr/bin/env bash
# The hardening checks scripts/test.sh runs after the main suite:
#   1. an ASan+UBSan build (warnings as errors) running the unit and integration suites;
#   2. every libFuzzer target for a short fixed time (scripts/fuzz.sh), corpus included;
#   3. the static release build (scripts/build-static.sh, POCO cached), its binaries run
#      through the submission, wait and secrets integration suites.
# Usage: scripts/check.sh [asan|fuzz|static]... (default: all three). FUZZ_SECONDS (default 10).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(asan fuzz static)
ensure_packages
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
      "$ROOT/scripts/build-static.sh"
      log "the static binaries through the integration suites"
      TCSS_BIN_DIR="$ROOT/build-static/bin" "$BUILD_DIR/bin/integration_tests" \
        --gtest_filter='ScanTest.*:WaitTest.*:Secrets.*:Faults.*' --gtest_brief=1
      ;;
    *) echo "check.sh: unknown step $step (asan, fuzz, static)" >&2; exit 4 ;;
  esac
done
