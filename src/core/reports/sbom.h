// --sbom-file: a CycloneDX 1.6 JSON SBOM of the scanned images (docs/findings.md): each image a
// `container` component (its pkg:oci purl, with the digest when known), its packages as
// `library` components depending from it (local images: DescribeImageComponentList; registry
// images: the packages their vulnerability list names, TCSS offering no component list there),
// and the vulnerabilities, each `affects` pointing at its package, suppressed ones with their
// `analysis`. Malware and risks are not packages: the other reports carry them.
#pragma once

#include <string>

#include "core/outputs.h"

namespace tcss::reports {

struct SbomContext {
  std::string timestamp;  // ISO 8601 UTC: when the findings were read
};

std::string CycloneDxSbom(const RunReport& report, const SbomContext& ctx);

// "urn:uuid:" and a version-4-shaped UUID from the SHA-256 of `seed`: a serial number that
// differs from run to run (the TaskID and time go in) and is the same for the same run.
std::string SerialNumber(const std::string& seed);

}  // namespace tcss::reports
