#!/usr/bin/env bash
# clang-tidy on one source file of a built tree, remembering passes: a file whose text, every
# header it includes (as the last build's dependency list names them), compile command,
# .clang-tidy and clang-tidy version already passed is not checked again. Only passes are kept
# (in the user's cache folder, beside the compiler cache), so a finding shows on every run.
#   scripts/clang-tidy-cached.sh BUILD_DIR SOURCE
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

build_dir="${1:?usage: clang-tidy-cached.sh BUILD_DIR SOURCE}"
src="${2:?usage: clang-tidy-cached.sh BUILD_DIR SOURCE}"
tidy="${CLANG_TIDY:-clang-tidy}"
cache="$CACHE_ROOT/clang-tidy"

# The object's dependency block in ninja's log: the source first, then every header it read,
# named relative to the build folder when ccache rewrote the paths (CCACHE_BASEDIR).
rel="$(realpath --relative-to="$build_dir" "$src")"
deps="$(cd "$build_dir" && ninja -t deps 2>/dev/null | awk -v src="$src" -v rel="$rel" '
  /^[^ ].*: #deps/ { take = 0; first = 1; next }
  /^    / { f = substr($0, 5); if (first) { take = (f == src || f == rel); first = 0 } if (take) print f; next }
  /^$/ { take = 0 }')"
key=""
if [ -n "$deps" ]; then
  # Paths under the checkout are hashed relative to it, so every clone shares the passes.
  key="$({
    "$tidy" --version
    cat "$ROOT/.clang-tidy"
    (cd "$build_dir" && { ninja -t commands 2>/dev/null | grep -F -- "-c $src" || true; }) | sed "s#$ROOT#@ROOT@#g"
    printf '%s\n' "$deps" | sed "s#$ROOT#@ROOT@#g"
    (cd "$build_dir" && printf '%s\n' "$deps" | tr '\n' '\0' | xargs -0 cat)
  } | sha256sum | cut -d' ' -f1)"
  if [ -f "$cache/$key" ]; then
    echo "clang-tidy: ${src#"$ROOT"/} passed before with these exact inputs"
    exit 0
  fi
fi
"$tidy" -p "$build_dir" --quiet "$src"
if [ -n "$key" ]; then
  mkdir -p "$cache"
  touch "$cache/$key"
fi
