#!/usr/bin/env bash
# The hardening checks scripts/test.sh runs after the main suite:
#   1. an ASan+UBSan build (warnings as errors) running the unit and integration suites;
#   2. every libFuzzer target for a short fixed time (scripts/fuzz.sh), corpus included.
# Usage: scripts/check.sh [asan|fuzz]... (default: both). FUZZ_SECONDS (default 10) per target.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(asan fuzz)
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
    *) echo "check.sh: unknown step $step (asan, fuzz)" >&2; exit 4 ;;
  esac
done
