#!/usr/bin/env bash
# Makes release X.Y.Z from a clean main, in two commits, and pushes nothing:
#   1. "Release X.Y.Z": project.env says X.Y.Z; both architectures are built in the pinned
#      environment (scripts/build-static.sh: Debian 12's toolchain, recorded in BUILDINFO-<arch>);
#      their SHA256SUMS and BUILDINFO-<arch> go into actions/tcss-scan/; CHANGELOG's
#      "Unreleased" becomes "X.Y.Z (date)". Tagged vX.Y.Z: the release workflow rebuilds the same
#      bytes from that tag and refuses to publish others.
#   2. "Start NEXT-dev": project.env says the next version with -dev, the sums and BUILDINFO are
#      removed again, so a branch or `@main` after the release never downloads a release whose
#      bytes are not its own: the action builds it from source instead.
# Usage: scripts/release.sh X.Y.Z [NEXT]   (NEXT defaults to X.(Y+1).0)
# TCSS_RELEASE_ANY_TOOLCHAIN=1 allows building on another system than Debian 12 (the bytes then
# will not match what the release workflow builds, which then fails).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

die() { echo "release.sh: $*" >&2; exit 4; }
semver='^([0-9]+)\.([0-9]+)\.([0-9]+)$'
version="${1:-}"
[[ "$version" =~ $semver ]] || die "usage: scripts/release.sh X.Y.Z [NEXT] (got '${version}')"
next="${2:-${BASH_REMATCH[1]}.$((BASH_REMATCH[2] + 1)).0}"
[[ "$next" =~ $semver ]] || die "NEXT '$next' is not X.Y.Z"
cd "$ROOT"
current="$(project_value TCSS_VERSION)"
[ -z "$(git status --porcelain --untracked-files=no)" ] || die "the work tree has uncommitted changes"
! git rev-parse -q --verify "refs/tags/v$version" >/dev/null || die "tag v$version exists already"
newest="$(printf '%s\n%s\n' "${current%%-*}" "$version" | sort -t. -k1,1n -k2,2n -k3,3n | tail -n1)"
[ "$newest" = "$version" ] || die "$version is older than the current $current"
if [ "$next" = "$version" ] ||
   [ "$(printf '%s\n%s\n' "$version" "$next" | sort -t. -k1,1n -k2,2n -k3,3n | tail -n1)" != "$next" ]; then
  die "NEXT $next must come after $version"
fi
if [ "${TCSS_RELEASE_ANY_TOOLCHAIN:-0}" != 1 ] && ! grep -q '^12\.' /etc/debian_version 2>/dev/null; then
  die "release builds are made on Debian 12 (the release workflow's debian:bookworm); TCSS_RELEASE_ANY_TOOLCHAIN=1 to build here anyway"
fi

set_version() { sed -i "s/^TCSS_VERSION=.*/TCSS_VERSION=$1/" project.env; }
action="actions/tcss-scan"
# The files users run or copy: their references to the newest release move to this one.
published() { git ls-files -- actions templates gitlab integrations docs README.md Dockerfile; }
released="$(project_value TCSS_RELEASED)"
image="$(project_value TCSS_IMAGE)"
home="$(project_value TCSS_HOME)"
stamp() {
  local old="${released//./\\.}"
  published | xargs -r sed -i -E \
    -e "s#($image:)$old([^0-9.]|\$)#\\1$version\\2#g" \
    -e "s#($home/actions/tcss-scan@v)$old([^0-9.]|\$)#\\1$version\\2#g" \
    -e "s#(/tcss-scan/tcss-scan@)$old([^0-9.]|\$)#\\1$version\\2#g" \
    -e "s#((ref: |refs/tags/|^v=)v?)$old([^0-9.]|\$)#\\1$version\\3#g"
  sed -i "s/^TCSS_RELEASED=.*/TCSS_RELEASED=$version/" project.env
}

log "release $version (was $current)"
set_version "$version"
stamp
today="$(date -u +%Y-%m-%d)"
sed -i "0,/^## Unreleased\$/s//## $version ($today)/" CHANGELOG.md
rm -rf dist
for arch in amd64 arm64; do
  TCSS_ARCH="$arch" "$ROOT/scripts/build-static.sh"
done
# dist/SHA256SUMS covers both architectures once the second build is done.
cp dist/SHA256SUMS dist/BUILDINFO-amd64 dist/BUILDINFO-arm64 "$action/"
git add -u
git add "$action/SHA256SUMS" "$action"/BUILDINFO-amd64 "$action"/BUILDINFO-arm64
git commit -q -m "Release $version"
git tag -a "v$version" -m "tcss-scan $version"
log "committed and tagged v$version: $(git rev-parse --short HEAD)"

set_version "$next-dev"
sed -i "0,/^## /s//## Unreleased\n\n## /" CHANGELOG.md
git rm -q "$action/SHA256SUMS" "$action"/BUILDINFO-amd64 "$action"/BUILDINFO-arm64
git add project.env CHANGELOG.md
git commit -q -m "Start $next-dev"
log "main is at $next-dev; publish with: git push origin HEAD v$version"
