#!/usr/bin/env bash
# The hardening checks scripts/test.sh runs after the main suite:
#   1. an ASan+UBSan build (warnings as errors) running the unit and integration suites;
#   2. every libFuzzer target for a short fixed time (scripts/fuzz.sh), corpus included;
#   3. the static release build (scripts/build-static.sh, POCO cached), built a second time
#      elsewhere to prove it is reproducible (and, on a release commit, checked against the
#      committed actions/tcss-scan/SHA256SUMS), its glibc floor and dynamic dependencies checked,
#      its binaries run through the submission, wait, secrets and keyless integration suites
#      on Debian 11's glibc 2.31 (scripts/old-glibc.sh), below the 2.34 that moved libpthread;
#   4. the same for linux-arm64, cross-built, its binaries run under qemu-user-static.
# Each step is a phase of scripts/test.sh's timing table.
# Usage: scripts/check.sh [asan|fuzz|static|arm64]... (default: all four). FUZZ_SECONDS (default 10).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(asan fuzz static arm64)
suites='ScanTest.*:WaitTest.*:Secrets.*:Faults.*:KeylessTest.*:ReportsTest.*'
ensure_packages

# dist/bin-ARCH/{tcss-scan,tcss-emulator}: the release binaries of ARCH as the integration suites
# run them, on Debian 11's glibc 2.31 (scripts/old-glibc.sh), not the build machine's 2.36:
# amd64 through that glibc's loader, arm64 under qemu with that glibc as its root.
install_bins() {
  local arch="$1" dir="$ROOT/dist/bin-$1" glibc name real
  glibc="$("$ROOT/scripts/old-glibc.sh" "$arch")"
  rm -rf "$dir/argv0"
  mkdir -p "$dir/argv0"
  for name in tcss-scan tcss-emulator; do
    real="$ROOT/dist/$name-linux-$arch"
    case "$arch" in
      amd64)
        # A loader run by path names the program by the path it is given, so the program's own
        # name (docker-tcss for the Docker CLI plugin) is a link in argv0/ (shards run at once:
        # a link another one made first is as good).
        cat >"$dir/$name" <<EOF
#!/bin/sh
n="\$(basename "\$0")"
[ -e "$dir/argv0/\$n" ] || ln -s "$real" "$dir/argv0/\$n" 2>/dev/null || [ -e "$dir/argv0/\$n" ]
exec "$glibc/lib/x86_64-linux-gnu/ld-2.31.so" --library-path "$glibc/lib/x86_64-linux-gnu" "$dir/argv0/\$n" "\$@"
EOF
        ;;
      arm64)
        # -0 keeps argv[0] (the Docker CLI plugin is recognised by its name).
        cat >"$dir/$name" <<EOF
#!/bin/sh
exec qemu-aarch64-static -L "$glibc" -0 "\$0" "$real" "\$@"
EOF
        ;;
    esac
    chmod +x "$dir/$name"
  done
}

asan_build() { BUILD_DIR="$ROOT/build-asan" build Debug -DTCSS_SANITIZE=ON -DTCSS_WERROR=ON; }
asan_tests() {
  (cd "$ROOT/build-asan" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --output-on-failure -j "${TCSS_INTEGRATION_JOBS:-4}" --timeout 300 -L '^(unit|integration|fuzz)$')
}
fuzz_all() { "$ROOT/scripts/fuzz.sh" --all "${FUZZ_SECONDS:-10}"; }
# The glibc the release binaries need at most (release.sh, the action and README say the same).
check_floor() {
  local floor GLIBC_FLOOR
  GLIBC_FLOOR="$(project_value TCSS_GLIBC_FLOOR)"
  floor="$("$ROOT/scripts/glibc-floor.sh" "$@")"
  if [ "$(printf '%s\n%s\n' "$floor" "$GLIBC_FLOOR" | sort -t. -k1,1n -k2,2n | tail -n1)" != "$GLIBC_FLOOR" ]; then
    echo "check.sh: $* need glibc $floor, newer than the $GLIBC_FLOOR promised" >&2
    return 1
  fi
  log "the static binaries need glibc >= $floor (at most $GLIBC_FLOOR) and nothing else"
}
# The integration test binary, FILTER only, in SHARDS processes at once (gtest sharding; the
# suites mostly wait on processes and the emulator's clock). A failing shard's log is printed.
sharded_suites() {
  local filter="$1" shards="$2" logs i status=0 passed=0 n
  local pids=()
  logs="$(mktemp -d)"
  for ((i = 0; i < shards; i++)); do
    GTEST_TOTAL_SHARDS="$shards" GTEST_SHARD_INDEX="$i" "$BUILD_DIR/bin/integration_tests" \
      --gtest_filter="$filter" --gtest_brief=1 >"$logs/$i" 2>&1 &
    pids+=("$!")
  done
  for i in "${!pids[@]}"; do
    if ! wait "${pids[$i]}"; then
      status=1
      echo "--- shard $i of $shards failed:" >&2
      cat "$logs/$i" >&2
    fi
    n="$(sed -n 's/^\[  PASSED  \] \([0-9]*\) tests*\..*/\1/p' "$logs/$i")"
    passed=$((passed + ${n:-0}))
  done
  rm -rf "$logs"
  log "$passed tests passed in $shards shards"
  return "$status"
}
static_suites() {
  install_bins amd64
  TCSS_BIN_DIR="$ROOT/dist/bin-amd64" sharded_suites "$suites" 4
}
arm64_suites() {
  APT_PACKAGES=(qemu-user-static)
  NEED_NODE=0 ensure_packages
  install_bins arm64
  # Emulated, a third of the native speed: the suites that cover the platform-specific
  # parts (TLS, signals, files, the clock) rather than all of them.
  TCSS_BIN_DIR="$ROOT/dist/bin-arm64" sharded_suites 'ScanTest.*:WaitTest.*:Secrets.*:KeylessTest.*' 3
}
for step in "${steps[@]}"; do
  case "$step" in
    asan)
      phase "ASan+UBSan build" asan_build
      phase "unit, integration and fuzz replay under ASan+UBSan" asan_tests
      ;;
    fuzz)
      phase "fuzzing (clang build, ${FUZZ_SECONDS:-10}s a target)" fuzz_all
      ;;
    static)
      phase "static release build, amd64" "$ROOT/scripts/build-static.sh" --check-sums
      phase "reproducibility: the amd64 build again elsewhere" "$ROOT/scripts/check-reproducible.sh"
      phase "glibc floor, amd64" check_floor "$ROOT"/dist/tcss-{scan,emulator}-linux-amd64
      phase "integration suites on the amd64 release binaries" static_suites
      ;;
    arm64)
      phase "static release build, arm64 (cross)" env TCSS_ARCH=arm64 "$ROOT/scripts/build-static.sh" --check-sums
      phase "glibc floor, arm64" check_floor "$ROOT"/dist/tcss-{scan,emulator}-linux-arm64
      phase "integration suites on the arm64 release binaries (qemu)" arm64_suites
      ;;
    *) echo "check.sh: unknown step $step (asan, fuzz, static, arm64)" >&2; exit 4 ;;
  esac
done
