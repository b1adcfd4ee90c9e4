// The ignore file (.tcss-scan-ignore): accepted findings, one a line, in a format that also
// reads trivy's plain .trivyignore:
//
//   # reason for the entries below (carried into every report)
//   CVE-2024-3094 exp:2025-06-30 image:ccr.ccs.tencentyun.com/acme/*   # or a reason here
//
// An ID (CVE-…, or TCSS's own), then optional `exp:YYYY-MM-DD` (the last day it applies) and
// `image:PATTERN` (`*` matches any run of characters in the normalised reference).
#pragma once

#include <string>
#include <vector>

#include "core/result.h"

namespace tcss::reports {

struct IgnoreRule {
  std::string id;
  std::string expires;        // "YYYY-MM-DD" or ""
  std::string image_pattern;  // "" = every image
  std::string reason;         // the trailing comment, else the comment lines just above
  int line = 0;
};

// trivy's plain format (the image: field is ours), or trivy's .trivyignore.yaml (a .yaml/.yml
// name, or a first line "vulnerabilities:"): its `vulnerabilities` entries' id, statement (the
// reason) and expired_at; an entry limited by paths or purls is skipped with a warning (TCSS
// reports neither, so ignoring it everywhere would hide more than trivy does), other sections
// are warned about and ignored. Errors (exit 4) name the file and the line
// and what is wrong, never the line's text. As trivy: other key:value fields are ignored, the
// first exp: counts, and a line whose exp: is no date is skipped with a warning (`warnings`).
// Reasons are cut at 500 bytes; a file over 4 MiB is refused.
Result<std::vector<IgnoreRule>> ParseIgnoreFile(const std::string& path, const std::string& text,
                                                std::vector<std::string>* warnings = nullptr);

}  // namespace tcss::reports
