#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: unit, fuzz replay, lint, integration
# (the real binaries against tcss-emulator), interop (the official Tencent Node SDK and the CI
# runners); then the hardening checks (scripts/check.sh: ASan+UBSan, fuzzing, the static release
# builds for amd64 and arm64, reproducibility, the glibc floor). Ends with where the time went.
# Extra arguments go to ctest instead (e.g. ./scripts/test.sh -L unit). SKIP_CHECKS=1 skips check.sh.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start=$SECONDS
# check.sh appends its phases to the same file.
TCSS_TIMINGS_FILE="$(mktemp)"
export TCSS_TIMINGS_FILE
finish() {
  local status=$?
  print_timings
  rm -f "$TCSS_TIMINGS_FILE"
  log "$([ "$status" = 0 ] && echo "all done" || echo "FAILED (exit $status)") in $((SECONDS - start))s"
}
trap finish EXIT

phase "packages" ensure_packages
phase "npm packages" ensure_node_modules
phase "build (RelWithDebInfo, -Werror)" build RelWithDebInfo -DTCSS_WERROR=ON -DBUILD_TESTING=ON

# ctest LABEL JOBS: one label's tests. The integration and interop tests mostly wait on
# processes, sockets and the emulator's clock, so they run more at once than there are cores.
label() {
  (cd "$BUILD_DIR" && ctest --output-on-failure --timeout 300 -L "^$1\$" -j "$2")
}
ctest_args() { (cd "$BUILD_DIR" && ctest --output-on-failure -j 2 --timeout 300 "$@"); }
if [ $# -gt 0 ]; then
  phase "ctest $*" ctest_args "$@"
  exit 0
fi
phase "unit tests" label unit 2
phase "fuzz corpus replay" label fuzz 2
phase "lint (shellcheck, clang-format, clang-tidy)" label lint 2
phase "integration tests" label integration "${TCSS_INTEGRATION_JOBS:-4}"
phase "interop tests" label interop "${TCSS_INTEROP_JOBS:-3}"
if [ "${SKIP_CHECKS:-0}" != 1 ]; then
  "$ROOT/scripts/check.sh"
fi
