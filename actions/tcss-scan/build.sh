#!/usr/bin/env bash
# Builds tcss-scan from the action's own checkout with the runner's apt packages; a cached
# build directory makes this an incremental no-op.
set -euo pipefail

repo_root="$(cd "${TCSS_ACTION_PATH:?}/../.." && pwd)"
build_dir="${TCSS_BUILD_DIR:?}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
missing=()
for p in libpoco-dev libfmt-dev libssl-dev cmake ninja-build g++; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
cmake -S "$repo_root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build_dir" --target tcss-scan
