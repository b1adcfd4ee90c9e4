# Shared by the scripts in this folder: repo root, package installation, the build.
# shellcheck shell=bash
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"

APT_PACKAGES=(libpoco-dev libfmt-dev libssl-dev libgtest-dev cmake ninja-build g++ openssl
  ca-certificates rsync curl shellcheck libxml2-utils)

log() { printf '==> %s\n' "$*" >&2; }

# npm and the POCO cache live under HOME; a bare CI environment may not set it.
if [ -z "${HOME:-}" ]; then
  HOME="$(getent passwd "$(id -u)" | cut -d: -f6)"
  export HOME="${HOME:-/tmp}"
fi

need_sudo() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs the Debian packages that are missing; a machine that has them all runs no apt at all.
ensure_packages() {
  local missing=()
  local p
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # The machine image ships Node 20 outside dpkg; Debian's nodejs only fills a gap.
  if [ "${NEED_NODE:-1}" = 1 ]; then
    command -v node >/dev/null 2>&1 || missing+=(nodejs)
    command -v npm >/dev/null 2>&1 || missing+=(npm)
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    need_sudo apt-get update -qq
    need_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# Installs the pinned npm packages of tests/interop (package-lock.json) when missing.
ensure_node_modules() {
  local dir="$ROOT/tests/interop"
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    log "installing pinned npm packages (tests/interop/package-lock.json)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
}

build() {
  local type="${1:-RelWithDebInfo}"
  shift || true
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$type" "$@" >/dev/null
  cmake --build "$BUILD_DIR" -j "$(nproc)"
}
