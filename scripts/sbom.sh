#!/usr/bin/env bash
# Prints a CycloneDX 1.5 JSON SBOM of the release binaries in dist/: what is linked in
# statically (POCO, OpenSSL, fmt, libstdc++/libgcc, each at the Debian version it was built
# from) and the one dynamic dependency, glibc, at the oldest version the binaries need (the
# highest GLIBC_x.y symbol version they import).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

version="$(project_value TCSS_VERSION)"
home="$(project_value TCSS_HOME)"
pkg() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo unknown; }
upstream() { local v="${1#*:}"; echo "${v%%[-+~]*}"; }
floor="$("$ROOT/scripts/glibc-floor.sh" "$ROOT"/dist/tcss-*-linux-*[0-9a-z] 2>/dev/null || echo unknown)"
# The arm64 build links the OpenSSL it unpacked (dist/BUILDINFO-arm64 says which).
arm64_ssl="$(sed -n 's/^libssl-dev:arm64 //p' "$ROOT/dist/BUILDINFO-arm64" 2>/dev/null || true)"
arm64_ssl="${arm64_ssl:-unknown}"
component() {  # name version purl description
  printf '    {"type": "library", "name": "%s", "version": "%s", "purl": "%s", "description": "%s"}' "$@"
}
cat <<JSON
{
  "bomFormat": "CycloneDX",
  "specVersion": "1.5",
  "version": 1,
  "metadata": {
    "timestamp": "$(date -u -d "@${SOURCE_DATE_EPOCH:-$(git -C "$ROOT" log -1 --format=%ct)}" +%Y-%m-%dT%H:%M:%SZ)",
    "component": {"type": "application", "name": "tcss-scan", "version": "$version",
                  "purl": "pkg:github/$home@v$version"}
  },
  "components": [
$(component poco "$(upstream "$(pkg libpoco-dev)")" "pkg:deb/debian/poco@$(pkg libpoco-dev)" "linked statically: Foundation, JSON, Util, Net, Crypto, NetSSL, XML"),
$(component openssl "$(upstream "$(pkg libssl-dev)")" "pkg:deb/debian/openssl@$(pkg libssl-dev)?arch=amd64" "libcrypto and libssl, linked statically into the amd64 binaries"),
$(component openssl "$(upstream "$arm64_ssl")" "pkg:deb/debian/openssl@$arm64_ssl?arch=arm64" "libcrypto and libssl, linked statically into the arm64 binaries"),
$(component fmt "$(upstream "$(pkg libfmt-dev)")" "pkg:deb/debian/fmtlib@$(pkg libfmt-dev)" "header-only"),
$(component libstdc++ "$(upstream "$(pkg libstdc++-12-dev)")" "pkg:deb/debian/gcc-12@$(pkg libstdc++-12-dev)" "linked statically (-static-libstdc++ -static-libgcc)"),
$(component glibc "$floor" "pkg:generic/glibc@$floor" "the one dynamic dependency: the oldest glibc the binaries run on")
  ]
}
JSON
