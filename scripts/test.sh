#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: unit, integration (the real binaries
# against tcss-emulator), interop (the official Tencent Node SDK and the CI runners), fuzz
# replay and lint; then the hardening checks (scripts/check.sh: ASan+UBSan, fuzzing).
# Extra arguments go to ctest (e.g. ./scripts/test.sh -L unit). SKIP_CHECKS=1 skips check.sh.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start=$SECONDS
ensure_packages
ensure_node_modules
build RelWithDebInfo -DTCSS_WERROR=ON
log "running tests (build and install took $((SECONDS - start))s)"
(cd "$BUILD_DIR" && ctest --output-on-failure -j 2 --timeout 300 "$@")
if [ "${SKIP_CHECKS:-0}" != 1 ] && [ $# -eq 0 ]; then
  "$ROOT/scripts/check.sh"
fi
log "all done in $((SECONDS - start))s"
