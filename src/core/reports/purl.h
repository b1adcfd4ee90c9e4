// Package URLs (github.com/package-url/purl-spec): what VEX statements name products and
// subcomponents by, and what the SBOM gives every component.
//
// TCSS gives its packages no purl, so one is built from its fields (docs/findings.md):
// an OS package (CategoryType/Type SYSTEM) takes its type and namespace from the image's
// OsName: deb (debian, ubuntu), apk (alpine), rpm (centos, redhat, rocky, almalinux, fedora,
// amazon, oracle, opensuse, tencentos); a package of any other kind, or of an OS not in that
// list, gets none, since TCSS names no ecosystem (npm, pypi, maven, ...) for it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tcss::reports {

struct Purl {
  std::string type;                                             // lower case
  std::string namespace_;                                       // decoded, "" when none
  std::string name;                                             // decoded
  std::string version;                                          // decoded, "" when none
  std::vector<std::pair<std::string, std::string>> qualifiers;  // key lower case, value decoded
};

// Parses "pkg:TYPE/NAMESPACE/NAME@VERSION?QUALIFIERS#SUBPATH"; nullopt when it is not one.
std::optional<Purl> ParsePurl(std::string_view text);

// "pkg:deb/debian" for an OS package of an image whose OsName is Debian's, ...; "" when the
// package is not an OS package or the OS is not known (see above).
std::string OsPackagePrefix(const std::string& component_type, const std::string& os_name);
// The purl of a package TCSS reported, or "" when it cannot be built.
std::string PackagePurl(const std::string& component_type, const std::string& os_name,
                        const std::string& name, const std::string& version);
// pkg:oci/NAME@DIGEST?repository_url=REGISTRY/PATH (the form trivy, grype and syft write),
// NAME being the last part of the path; without @DIGEST when the digest is not known.
std::string ImagePurl(const std::string& domain, const std::string& path,
                      const std::string& digest);

}  // namespace tcss::reports
