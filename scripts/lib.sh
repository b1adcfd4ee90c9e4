# Shared by the scripts in this folder: repo root, package installation, the build, the compiler
# cache and the phase timings.
# shellcheck shell=bash
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"

APT_PACKAGES=(libpoco-dev libfmt-dev libssl-dev libgtest-dev cmake ninja-build g++ openssl
  ca-certificates rsync curl shellcheck libxml2-utils ccache zsh fish groff-base)

log() { printf '==> %s\n' "$*" >&2; }

# project_value KEY: KEY's value in project.env (the version, the home, the job image, the floor).
project_value() { sed -n "s/^$1=//p" "$ROOT/project.env"; }

# npm and the caches live under HOME; a bare CI environment may not set it.
if [ -z "${HOME:-}" ]; then
  HOME="$(getent passwd "$(id -u)" | cut -d: -f6)"
  export HOME="${HOME:-/tmp}"
fi
# Everything kept between runs on one machine: the static POCO build, the arm64 OpenSSL sysroot,
# the compiler caches, the clang-tidy passes.
CACHE_ROOT="${TCSS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tcss-scan}"

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

# Installs the pinned npm packages of tests/interop (package-lock.json) when missing. A tree
# npm installed for the same lock file is kept in the cache folder and copied into a fresh clone.
ensure_node_modules() {
  local dir="$ROOT/tests/interop" key kept
  if [ -d "$dir/node_modules" ] && ! [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    return 0
  fi
  key="$( (cat "$dir/package-lock.json"; node --version) | sha256sum | cut -c1-16)"
  kept="$CACHE_ROOT/node_modules-$key"
  if [ -f "$kept/.complete" ]; then
    log "copying the npm packages installed before for this package-lock.json"
    rm -rf "$dir/node_modules"
    cp -a "$kept/node_modules" "$dir/node_modules"
    touch "$dir/node_modules/.package-lock.json"
    return 0
  fi
  log "installing pinned npm packages (tests/interop/package-lock.json)"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  rm -rf "$kept"
  mkdir -p "$kept"
  cp -a "$dir/node_modules" "$kept/node_modules" && touch "$kept/.complete"
}

# Every compile of every build (main, ASan, fuzz, static, arm64) goes through ccache when it is
# there. Paths under the checkout are hashed relative to it (CCACHE_BASEDIR), so a fresh clone
# in another folder compiles only what changed since the last build on this machine. CMake
# reads the launcher from the environment when it configures a build folder for the first time.
# TCSS_CCACHE_DIR and TCSS_CCACHE_BASEDIR choose another cache and tree (check-reproducible.sh).
use_ccache() {
  command -v ccache >/dev/null 2>&1 || return 0
  export CCACHE_DIR="${TCSS_CCACHE_DIR:-$CACHE_ROOT/ccache}" CCACHE_BASEDIR="${TCSS_CCACHE_BASEDIR:-$ROOT}"
  # Debug info may name the folder of the clone that filled the cache; nothing reads it here.
  export CCACHE_NOHASHDIR=1 CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-3G}"
  export CMAKE_C_COMPILER_LAUNCHER=ccache CMAKE_CXX_COMPILER_LAUNCHER=ccache
}

# build TYPE [CMAKE_ARGS...]: configures and builds BUILD_DIR; BUILD_TARGETS (space-separated)
# limits it to those targets (the demo needs only the two programs).
build() {
  local type="${1:-RelWithDebInfo}"
  shift || true
  use_ccache
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$type" "$@" >/dev/null
  local targets=()
  # shellcheck disable=SC2206 # a list of target names, split on spaces on purpose
  [ -z "${BUILD_TARGETS:-}" ] || targets=(--target ${BUILD_TARGETS})
  cmake --build "$BUILD_DIR" -j "$(nproc)" ${targets[@]+"${targets[@]}"}
}

# phase NAME CMD...: runs CMD and, when TCSS_TIMINGS_FILE is set, records how long it took and
# how it ended, so that the end of the run can say where its time went (print_timings).
phase() {
  local name="$1" t0=$SECONDS status=0
  shift
  log "$name"
  "$@" || status=$?
  if [ -n "${TCSS_TIMINGS_FILE:-}" ]; then
    printf '%s\t%s\t%s\n' "$((SECONDS - t0))" "$status" "$name" >>"$TCSS_TIMINGS_FILE"
  fi
  return "$status"
}

print_timings() {
  [ -s "${TCSS_TIMINGS_FILE:-}" ] || return 0
  awk -F'\t' '{ t[NR] = $1; s[NR] = $2; n[NR] = $3; total += $1 }
    END {
      print "==> where the time went (seconds, share of the total):"
      for (i = 1; i <= NR; i++)
        printf "%6d s %5.1f%%  %s%s\n", t[i], total ? 100 * t[i] / total : 0, n[i], s[i] ? "  (FAILED, exit " s[i] ")" : ""
      printf "%6d s          total\n", total
    }' "$TCSS_TIMINGS_FILE" >&2
}
