#!/usr/bin/env bash
# Runs one libFuzzer target for SECONDS, starting from its seed corpus in tests/fuzz/corpus.
#   scripts/fuzz.sh TARGET SECONDS     (targets: scripts/fuzz.sh --list)
#   scripts/fuzz.sh --all SECONDS      (every target, one per core at a time)
# New inputs go to a scratch corpus (not the repository). A crash leaves its input in
# build-fuzz/artifacts/; save it under tests/fuzz/regressions/TARGET/ so the replay test keeps it.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

targets=(envelope image_ref config emulator ignore_file vex baseline)
if [ "${1:-}" = "--list" ]; then
  printf '%s\n' "${targets[@]}"
  exit 0
fi
usage="usage: scripts/fuzz.sh TARGET|--all SECONDS (targets: ${targets[*]})"
target="${1:?$usage}"
seconds="${2:?$usage}"
[ "$target" = --all ] || [[ " ${targets[*]} " == *" $target "* ]] || { echo "fuzz.sh: unknown target $target (${targets[*]})" >&2; exit 4; }
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "fuzz.sh: SECONDS must be a whole number" >&2; exit 4; }

APT_PACKAGES+=(clang libclang-rt-14-dev)
ensure_packages
BUILD_DIR="$ROOT/build-fuzz"
CC=clang CXX=clang++ build Debug -DTCSS_FUZZ=ON >/dev/null
mkdir -p "$BUILD_DIR/artifacts"

# fuzz TARGET: SECONDS of it; what it found and, on a failure, where the input is.
fuzz() {
  local target="$1" scratch="$BUILD_DIR/corpus/$1" status=0
  mkdir -p "$scratch"
  "$BUILD_DIR/bin/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$BUILD_DIR/artifacts/$target-" \
    "$scratch" "$ROOT/tests/fuzz/corpus/$target" >"$BUILD_DIR/fuzz-$target.log" 2>&1 || status=$?
  grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|SUMMARY)' "$BUILD_DIR/fuzz-$target.log" |
    sed "s/^/$target: /" >&2 || true
  if [ "$status" -ne 0 ]; then
    grep -E '^ +#[0-9]+ .* in tcss::' "$BUILD_DIR/fuzz-$target.log" | head -5 >&2 || true
    echo "fuzz.sh: $target found a failure; the input is in $BUILD_DIR/artifacts/" >&2
    return 1
  fi
}

if [ "$target" != --all ]; then
  log "fuzzing $target for ${seconds}s"
  fuzz "$target"
  exit
fi
# --all: every target, as many at once as there are cores (each fuzzer uses one).
log "fuzzing ${targets[*]} for ${seconds}s each, $(nproc) at once"
failed=0
pids=()
for target in "${targets[@]}"; do
  # Each fuzzer waited for once, oldest first, before the next one starts.
  if [ "${#pids[@]}" -ge "$(nproc)" ]; then
    wait "${pids[0]}" || failed=1
    pids=("${pids[@]:1}")
  fi
  fuzz "$target" &
  pids+=("$!")
done
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
exit "$failed"
