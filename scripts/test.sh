#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: unit, integration (the real binaries
# against tcss-emulator), interop (the official Tencent Node SDK and the CI runners).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_packages
ensure_node_modules
build RelWithDebInfo -DTCSS_WERROR=ON
log "running tests"
cd "$BUILD_DIR"
ctest --output-on-failure -j 2 --timeout 300 "$@"
