#!/usr/bin/env bash
# Installs tcss-scan as a Docker CLI plugin, so that `docker push IMG && docker tcss IMG`
# works wherever Docker runs. Docker accepts plugin names matching ^[a-z][a-z0-9]*$ only, so
# the plugin is `docker-tcss` (a `docker-tcss-scan` would be ignored as an invalid candidate). Usage: scripts/install-docker-plugin.sh [BINARY]
# (default: build/bin/tcss-scan; or a downloaded release binary). Installs into
# ${DOCKER_CONFIG:-~/.docker}/cli-plugins.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${1:-$root/build/bin/tcss-scan}"
# A downloaded release binary is not executable yet: any regular file will do, as long as it
# runs as tcss-scan once installed.
[ -f "$bin" ] || { echo "install-docker-plugin: $bin does not exist; build first (scripts/test.sh or scripts/demo.sh) or name a downloaded release binary" >&2; exit 4; }
dir="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"
mkdir -p "$dir"
install -m 0755 "$bin" "$dir/docker-tcss"
if ! "$dir/docker-tcss" docker-cli-plugin-metadata 2>/dev/null | grep -q '"SchemaVersion"'; then
  rm -f "$dir/docker-tcss"
  echo "install-docker-plugin: $bin does not run as tcss-scan here (wrong architecture, or not the binary); nothing installed" >&2
  exit 4
fi
echo "installed $dir/docker-tcss; try: docker tcss --help" >&2
