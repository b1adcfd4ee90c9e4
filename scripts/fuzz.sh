#!/usr/bin/env bash
# Runs one libFuzzer target for SECONDS, starting from its seed corpus in tests/fuzz/corpus.
#   scripts/fuzz.sh TARGET SECONDS     (targets: scripts/fuzz.sh --list)
# New inputs go to a scratch corpus (not the repository). A crash leaves its input in
# build-fuzz/artifacts/; save it under tests/fuzz/regressions/TARGET/ so the replay test keeps it.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

targets=(envelope image_ref config emulator)
if [ "${1:-}" = "--list" ]; then
  printf '%s\n' "${targets[@]}"
  exit 0
fi
target="${1:?usage: scripts/fuzz.sh TARGET SECONDS (targets: ${targets[*]})}"
seconds="${2:?usage: scripts/fuzz.sh TARGET SECONDS}"
[[ " ${targets[*]} " == *" $target "* ]] || { echo "fuzz.sh: unknown target $target (${targets[*]})" >&2; exit 4; }
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "fuzz.sh: SECONDS must be a whole number" >&2; exit 4; }

APT_PACKAGES+=(clang libclang-rt-14-dev)
ensure_packages
BUILD_DIR="$ROOT/build-fuzz"
CC=clang CXX=clang++ build Debug -DTCSS_FUZZ=ON >/dev/null
scratch="$BUILD_DIR/corpus/$target"
mkdir -p "$scratch" "$BUILD_DIR/artifacts"
log "fuzzing $target for ${seconds}s"
set +e
"$BUILD_DIR/bin/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 -artifact_prefix="$BUILD_DIR/artifacts/$target-" \
  "$scratch" "$ROOT/tests/fuzz/corpus/$target" >"$BUILD_DIR/fuzz-$target.log" 2>&1
status=$?
set -e
grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|SUMMARY)' "$BUILD_DIR/fuzz-$target.log" >&2 || true
if [ "$status" -ne 0 ]; then
  grep -E '^ +#[0-9]+ .* in tcss::' "$BUILD_DIR/fuzz-$target.log" | head -5 >&2 || true
  echo "fuzz.sh: $target found a failure; the input is in $BUILD_DIR/artifacts/" >&2
  exit 1
fi
