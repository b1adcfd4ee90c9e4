#!/usr/bin/env bash
# Installs tcss-scan as a Docker CLI plugin, so that `docker push IMG && docker tcss IMG`
# works wherever Docker runs. Docker accepts plugin names matching ^[a-z][a-z0-9]*$ only, so
# the plugin is `docker-tcss` (a `docker-tcss-scan` would be ignored as an invalid candidate). Usage: scripts/install-docker-plugin.sh [BINARY]
# (default: build/bin/tcss-scan). Installs into ${DOCKER_CONFIG:-~/.docker}/cli-plugins.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${1:-$root/build/bin/tcss-scan}"
[ -x "$bin" ] || { echo "install-docker-plugin: $bin is not an executable; build first (scripts/test.sh or scripts/demo.sh)" >&2; exit 4; }
dir="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"
mkdir -p "$dir"
install -m 0755 "$bin" "$dir/docker-tcss"
echo "installed $dir/docker-tcss; try: docker tcss --help" >&2
