#!/usr/bin/env bash
# Benchmarks, each printed side by side with a baseline measured in the same run on this machine:
#   1. one submission, startup to exit: tcss-scan vs curl posting the same signed bytes vs the
#      official Node SDK making the same call (median wall time and peak RSS over RUNS runs);
#   2. resolution + submission for 1, 10, 100 and 1,000 images;
#   3. faults: --timeout against a server that drips its answer, and a lost answer recovered;
#   4. registry images: one reference found among 2,000 (and the calls it took, with and without
#      the ImageName filter), submission of 1 and 1,000 registry images;
#   5. tcss-emulator throughput for signed CreateAssetImageScanTask calls over keep-alive
#      connections vs a trivial POCO server that does no work;
#   6. findings: 10,000 vulnerabilities, 1,000 packages and 100 viruses over 5 images read,
#      classified (an ignore file, --ignore-unfixed, a VEX document of 1,000 statements) and
#      written as GitLab report, SARIF, JUnit, findings file, SBOM and cosign predicate, vs the
#      same scan gated on the counts alone: wall time and tcss-scan's own CPU time (goal: under
#      one second of CPU more than counts only);
#   7. a hostile registry answering the list with 15 MiB pages: peak memory vs well-formed pages.
# Usage: scripts/bench.sh [RUNS] (default 30). Numbers vary ±30% on a shared machine.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RUNS="${1:-30}"
ensure_packages
build RelWithDebInfo -DBUILD_TESTING=ON >/dev/null
BIN="$BUILD_DIR/bin"
work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

export TENCENTCLOUD_SECRET_ID="AKIDbench00000000000000000000000000000"
export TENCENTCLOUD_SECRET_KEY="benchSecretKey000000000000000000"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY

# start NAME CMD...: runs a server that prints "listening on URL" first; sets $url.
start() {
  local name="$1"
  shift
  "$@" >"$work/$name.out" 2>"$work/$name.err" &
  pids+=("$!")
  for _ in $(seq 1 200); do
    url="$(sed -n 's/^listening on //p' "$work/$name.out" | head -n 1)"
    [ -n "$url" ] && return 0
    sleep 0.02
  done
  cat "$work/$name.err" >&2
  return 1
}

# An inventory of 1,000 images named bench/app-N:1.
{
  printf '['
  for i in $(seq 1 1000); do
    [ "$i" -gt 1 ] && printf ','
    printf '{"ImageID":"sha256:%064x","ImageName":"ccr.ccs.tencentyun.com/bench/app-%d:1"}' "$i" "$i"
  done
  printf ']'
} >"$work/inventory.json"

start emulator "$BIN/tcss-emulator" --scan-seconds 0 --rate-limit 0 --inventory "$work/inventory.json"
emulator="$url"
image_id="sha256:$(printf '%064x' 1)"

row() { printf '%-44s %s\n' "$1" "$2"; }
value() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }

echo
echo "== 1. one submission against tcss-emulator on loopback, $RUNS runs each =="
scan="$("$BIN/tcss-bench" run "$RUNS" "$BIN/tcss-scan" --endpoint "$emulator" -q "$image_id")"
# curl posts exactly the bytes tcss-scan sends: the body from --dry-run (which withholds the
# signature), the headers signed by tcss-bench with the same signer; valid for 5 minutes.
"$BIN/tcss-scan" --dry-run --endpoint "$emulator" "$image_id" >"$work/request.txt" 2>/dev/null
sed -n '/^# request/,$p' "$work/request.txt" | sed -n '/^$/,$p' | sed '1d' | tr -d '\n' >"$work/body.json"
curl_args=(-s -o /dev/null --fail -X POST "$emulator/")
while IFS= read -r line; do
  case "$line" in Host:*) continue ;; esac
  curl_args+=(-H "$line")
done < <("$BIN/tcss-bench" sign "$emulator" "$(cat "$work/body.json")")
curl_args+=(--data-binary "@$work/body.json")
curlr="$("$BIN/tcss-bench" run "$RUNS" curl "${curl_args[@]}")"
row "tcss-scan (resolve skipped: image ID)" "$scan"
static_bin="$ROOT/dist/tcss-scan-linux-$(uname -m)"
static=""
if [ -x "$static_bin" ]; then
  static="$("$BIN/tcss-bench" run "$RUNS" "$static_bin" --endpoint "$emulator" -q "$image_id")"
  row "tcss-scan static (dist/, build-static.sh)" "$static"
fi
row "curl, same signed bytes" "$curlr"
sdk=""
if [ -d "$ROOT/tests/interop/node_modules/tencentcloud-sdk-nodejs" ]; then
  port="${emulator##*:}"
  sdk="$("$BIN/tcss-bench" run "$((RUNS < 20 ? RUNS : 20))" node "$ROOT/tests/bench/sdk_call.js" "$port" "$image_id")"
  row "Node SDK 4.1.313 (one call)" "$sdk"
fi
s_ms="$(value median_ms "$scan")"; c_ms="$(value median_ms "$curlr")"; s_rss="$(value max_rss_mb "$scan")"
awk -v s="$s_ms" -v c="$c_ms" -v r="$s_rss" 'BEGIN {
  printf "tcss-scan / curl median wall time: %.2fx (target <= 1.5x); tcss-scan peak RSS %.1f MB (target < 16 MB)\n", s / c, r }'
if [ -n "$sdk" ]; then
  awk -v s="$s_ms" -v n="$(value median_ms "$sdk")" 'BEGIN { printf "tcss-scan / Node SDK median wall time: %.2fx (target <= 0.2x)\n", s / n }'
fi
if [ -n "$static" ]; then
  awk -v s="$(value median_ms "$static")" -v c="$c_ms" -v r="$(value max_rss_mb "$static")" 'BEGIN {
    printf "static tcss-scan / curl: %.2fx; static peak RSS %.1f MB (target <= 10 MB)\n", s / c, r }'
fi

echo
echo "== 2. resolution + submission by reference (cost per image should not grow) =="
base_ms=""
for n in 1 10 100 1000; do
  refs=()
  for i in $(seq 1 "$n"); do refs+=("ccr.ccs.tencentyun.com/bench/app-$i:1"); done
  r="$("$BIN/tcss-bench" run 5 "$BIN/tcss-scan" --endpoint "$emulator" -q "${refs[@]}")"
  ms="$(value median_ms "$r")"
  [ -n "$base_ms" ] || base_ms="$ms"
  row "$n image(s)" "$r $(awk -v m="$ms" -v b="$base_ms" -v n="$n" 'BEGIN { printf "per_image_ms=%.2f (beyond startup)", (n > 1 ? (m - b) / (n - 1) : 0) }')"
done

echo
echo "== 3. faults: a server that drips its answer, and a lost answer =="
start drip "$BIN/tcss-emulator" --fault 'DescribeAssetImageList:DRIPBODY1000' --inventory "$work/inventory.json"
row "--timeout 3 vs a 1 byte/s drip (exit 3 at ~3 s)" "$("$BIN/tcss-bench" run 3 "$BIN/tcss-scan" --endpoint "$url" -q --timeout 3 --retries 0 ccr.ccs.tencentyun.com/bench/app-1:1 || true)"
start lose "$BIN/tcss-emulator" --scan-seconds 600 --fault 'CreateAssetImageScanTask:LOSE:1' --inventory "$work/inventory.json"
row "lost answer, recovered (one create, exit 0)" "$("$BIN/tcss-bench" run 1 "$BIN/tcss-scan" --endpoint "$url" -q "$image_id")"
row "  creates the emulator received" "$(curl -s "$url/_emulator/requests" | grep -o '"Action":"CreateAssetImageScanTask"' | wc -l)"

echo
echo "== 4. registry images: lookup among 2,000, submission of 1 and 1,000 =="
{
  printf '['
  for i in $(seq 1 2000); do
    [ "$i" -gt 1 ] && printf ','
    printf '{"ImageRepoAddress":"ccr.ccs.tencentyun.com/reg/app-%d","ImageTag":"1","ImageDigest":"sha256:%064x"}' "$i" "$i"
  done
  printf ']'
} >"$work/registry.json"
calls() { curl -s "$1/_emulator/requests" | grep -o "\"Action\":\"$2\"" | wc -l; }
start registry "$BIN/tcss-emulator" --scan-seconds 0 --rate-limit 0 --registry-inventory "$work/registry.json"
registry="$url"
row "1 reference of 2,000, ImageName filter" "$("$BIN/tcss-bench" run 5 "$BIN/tcss-scan" --endpoint "$registry" -q --source registry ccr.ccs.tencentyun.com/reg/app-2000:1)"
row "  list calls per run" "$(( $(calls "$registry" DescribeAssetImageRegistryList) / 5 ))"
curl -s -X POST "$registry/_emulator/reset" >/dev/null
curl -s -X POST "$registry/_emulator/faults" -d '{"Faults":["DescribeAssetImageRegistryList:InvalidParameter:1"]}' >/dev/null
row "same, filter refused (whole list paged)" "$("$BIN/tcss-bench" run 1 "$BIN/tcss-scan" --endpoint "$registry" -q --source registry ccr.ccs.tencentyun.com/reg/app-2000:1 || true)"
row "  list calls (1 refused + the whole list)" "$(calls "$registry" DescribeAssetImageRegistryList)"
curl -s -X POST "$registry/_emulator/reset" >/dev/null
for n in 1 1000; do
  refs=()
  for i in $(seq 1 "$n"); do refs+=("ccr.ccs.tencentyun.com/reg/app-$i:1"); done
  row "submit $n registry image(s)" "$("$BIN/tcss-bench" run 3 "$BIN/tcss-scan" --endpoint "$registry" -q --source registry "${refs[@]}")"
done

echo
echo "== 5. server throughput: 8 keep-alive clients, 3 s, signed CreateAssetImageScanTask =="
row "tcss-emulator (signature check, state)" "$(TCSS_BENCH_IMAGE="$image_id" "$BIN/tcss-bench" load "$emulator" 8 3)"
start trivial "$BIN/tcss-bench" trivial-server
row "trivial POCO server (no work)" "$("$BIN/tcss-bench" load "$url" 8 3)"

echo
echo "== 6. findings: 10,000 vulnerabilities, 1,000 packages, 100 viruses over 5 images =="
{
  printf '['
  for img in 1 2 3 4 5; do
    [ "$img" -gt 1 ] && printf ','
    printf '{"ImageID":"sha256:%064x","ImageName":"ccr.ccs.tencentyun.com/bench/big-%d:1",' "$((9000 + img))" "$img"
    printf '"CriticalLevelVulCnt":200,"HighLevelVulCnt":400,"MediumLevelVulCnt":600,"LowLevelVulCnt":800,"VirusCnt":20,"Vulns":['
    for v in $(seq 1 2000); do
      level=$(( v <= 200 ? 4 : v <= 600 ? 3 : v <= 1200 ? 2 : 1 ))
      cvss=$(( level == 4 ? 95 : level == 3 ? 75 : level == 2 ? 55 : 25 ))
      fixed=$([ $((v % 3)) -eq 0 ] && echo '' || echo '1.1')
      [ "$v" -gt 1 ] && printf ','
      printf '{"CVEID":"CVE-2024-%05d","Level":%d,"CVSSV3Score":%d.%d,"Component":"pkg-%d","Version":"1.0","FixedVersions":"%s"}' \
        "$v" "$level" "$((cvss / 10))" "$((cvss % 10))" "$((v % 97))" "$fixed"
    done
    printf '],"Components":['
    for c in $(seq 1 200); do
      [ "$c" -gt 1 ] && printf ','
      printf '{"Name":"pkg-%d","Version":"1.0","Path":"/var/lib/dpkg/status","Type":"SYSTEM_COMPONENT"}' "$((c - 1))"
    done
    printf '],"Viruses":['
    for x in $(seq 1 20); do
      [ "$x" -gt 1 ] && printf ','
      printf '{"Path":"/opt/bin/tool-%d","VirusName":"Miner.%d","Md5":"%032x","FileName":"tool-%d","RiskLevel":4}' "$x" "$x" "$((img * 100 + x))" "$x"
    done
    printf ']}'
  done
  printf ']'
} >"$work/findings.json"
# 1,000 OpenVEX statements: one in ten names a CVE the images have, down to its package.
{
  printf '{"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://example.com/vex/bench","author":"bench","timestamp":"2024-05-01T00:00:00Z","version":1,"statements":['
  for s in $(seq 1 1000); do
    [ "$s" -gt 1 ] && printf ','
    cve=$([ $((s % 10)) -eq 0 ] && printf 'CVE-2024-%05d' "$s" || printf 'CVE-2099-%05d' "$s")
    printf '{"vulnerability":{"name":"%s"},"products":[{"@id":"pkg:oci/big-1","subcomponents":[{"@id":"pkg:deb/debian/pkg-%d"}]}],"status":"not_affected","justification":"vulnerable_code_not_in_execute_path"}' \
      "$cve" "$((s % 97))"
  done
  printf ']}'
} >"$work/vex.json"
printf 'CVE-2024-00001\nCVE-2024-00002 exp:2099-01-01\nCVE-2099-00001\n' >"$work/ignore"
start findings "$BIN/tcss-emulator" --scan-seconds 0 --rate-limit 0 --inventory "$work/findings.json"
big=()
for img in 1 2 3 4 5; do big+=("ccr.ccs.tencentyun.com/bench/big-$img:1"); done
TIMEFORMAT='%R s wall, %U s user + %S s sys'
cpu() { { time "$@" >/dev/null 2>&1; } 2>&1; }
row "counts only (--wait)" "$(cpu "$BIN/tcss-scan" --endpoint "$url" --wait -q "${big[@]}")"
row "every vulnerability, ignore file, 3 reports" "$(cpu "$BIN/tcss-scan" --endpoint "$url" --wait -q --ignore-file "$work/ignore" --ignore-unfixed --report-file "$work/gl.json" --sarif-file "$work/out.sarif" --junit-file "$work/junit.xml" "${big[@]}")"
row "  report sizes (GitLab, SARIF, JUnit)" "$(du -h "$work/gl.json" "$work/out.sarif" "$work/junit.xml" | cut -f1 | tr '\n' ' ')"
row "all that, VEX, findings file, SBOM, predicate" "$(cpu "$BIN/tcss-scan" --endpoint "$url" --wait -q --ignore-file "$work/ignore" --ignore-unfixed --vex "$work/vex.json" --report-file "$work/gl.json" --sarif-file "$work/out.sarif" --junit-file "$work/junit.xml" --findings-file "$work/findings-out.json" --sbom-file "$work/sbom.cdx.json" --cosign-vuln-file "$work/vuln.json" "${big[@]}")"
row "  sizes (findings file, SBOM, predicate)" "$(du -h "$work/findings-out.json" "$work/sbom.cdx.json" "$work/vuln.json" | cut -f1 | tr '\n' ' ')"
row "  suppressed by VEX (of 100 statements that apply)" "$(grep -o '"kind":"vex"' "$work/findings-out.json" | wc -l)"
echo "(goal: everything under one second of CPU more than counts only)"

echo
echo "== 7. hostile registry: list pages of 15 MiB (1.7 million tiny entries, TotalCount 10^8) =="
curl -s -X POST "$registry/_emulator/reset" >/dev/null
row "lookup, well-formed pages (baseline)" "$("$BIN/tcss-bench" run 5 "$BIN/tcss-scan" --endpoint "$registry" -q --source registry ccr.ccs.tencentyun.com/reg/app-2000:1)"
curl -s -X POST "$registry/_emulator/faults" -d '{"Faults":["DescribeAssetImageRegistryList:HUGELIST"]}' >/dev/null
row "lookup, 15 MiB pages (refused, exit 3)" "$("$BIN/tcss-bench" run 5 "$BIN/tcss-scan" --endpoint "$registry" -q --source registry --retries 0 ccr.ccs.tencentyun.com/reg/app-2000:1 || true)"
echo "(goal: peak RSS under 64 MB whatever the server sends)"
