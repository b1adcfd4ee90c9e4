#!/usr/bin/env bash
# Installs what is missing, builds, starts tcss-emulator on loopback, submits a scan of a demo
# image with tcss-scan, and prints the TaskID; then shows the registry flow: a tag pushed to a
# registry connected to TCSS, synced, found and scanned. Nothing leaves this machine.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NEED_NODE=0 ensure_packages
BUILD_TARGETS="tcss-scan tcss-emulator" build RelWithDebInfo -DBUILD_TESTING=OFF >/dev/null

work="$(mktemp -d)"
emulator_pid=""
cleanup() {
  if [ -n "$emulator_pid" ]; then kill "$emulator_pid" 2>/dev/null || true; wait "$emulator_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Demo credentials, known to the emulator only.
export TENCENTCLOUD_SECRET_ID="AKIDdemo0000000000000000000000000000"
export TENCENTCLOUD_SECRET_KEY="demoSecretKey0000000000000000000"

"$BUILD_DIR/bin/tcss-emulator" --listen 127.0.0.1:0 --port-file "$work/port" --scan-seconds 5 \
  >"$work/emulator.log" 2>&1 &
emulator_pid=$!
for _ in $(seq 1 100); do [ -s "$work/port" ] && break; sleep 0.05; done
[ -s "$work/port" ] || { cat "$work/emulator.log" >&2; echo "the emulator did not start" >&2; exit 1; }
endpoint="http://127.0.0.1:$(cat "$work/port")"
log "tcss-emulator listening on $endpoint"

image="${1:-ccr.ccs.tencentyun.com/demo/app:1.0}"
log "tcss-scan --endpoint $endpoint $image"
task_id="$("$BUILD_DIR/bin/tcss-scan" --endpoint "$endpoint" "$image")"
printf 'TaskID: %s\n' "$task_id"

# The registry flow: a push arrives in a registry connected to TCSS (the emulator lists it
# only after a sync); tcss-scan asks for the sync, finds the tag and scans it as a registry image.
pushed="ccr.ccs.tencentyun.com/demo/api:build-42"
curl -sf -X POST "$endpoint/_emulator/registry-images" -d '[{"ImageRepoAddress":"ccr.ccs.tencentyun.com/demo/api","ImageTag":"build-42","ImageDigest":"sha256:4d0c2f8e1b3a5c7d9e1f3a5b7c9d1e3f5a7b9c1d3e5f7a9b1c3d5e7f9a1b3c5d","HighLevelVulCnt":1}]' >/dev/null
log "tcss-scan --endpoint $endpoint $pushed   (pushed to a registry a moment ago)"
registry_task="$("$BUILD_DIR/bin/tcss-scan" --endpoint "$endpoint" "$pushed")"
printf 'Registry TaskID: %s\n' "$registry_task"
