// What the report formats share about the findings model (core/outputs.h: Findings,
// VulnFinding with its one severity and ignore mark, ImageFindings).
#pragma once

#include <string>

#include "core/outputs.h"

namespace tcss::reports {

// The reference an image was scanned as (the first, when several named it), else its ID.
std::string ImageLabel(const Findings& f, const std::string& image_id);
// The image's repository without tag or digest, normalised ("docker.io/library/nginx"), so it
// stays the same from commit to commit; "image/<hex>" for an image known only by its ID.
std::string Repository(const std::string& label);
// The ID every report shows and the ignore file matches: TCSS's CVEID when an ignore file can
// name it (IsFindingId), else "TCSS-" and 12 hex digits of the SHA-256 of its CVEID and name
// (findings without a CVE, or with an ID no report could carry), the same from scan to scan.
std::string FindingId(const VulnFinding& v);
// 1 to 128 letters, digits, '-', '_', '.', ':': what an ignore file line, a SARIF rule, a
// GitLab identifier (at most 255) and a JUnit name carry without escaping.
bool IsFindingId(std::string_view id);
// A virus's or a risk's identity, the same from scan to scan, which the ignore file names: a
// virus by its file's MD5 ("md5:<32 hex>"), else "TCSS-VIRUS-" and 12 hex of SHA-256(name,
// path); a risk by "TCSS-RISK-" and 12 hex of SHA-256(its type and behaviour, description).
std::string ThreatId(const ThreatFinding& t);
// Findings at or above `threshold` (1..4; 0 = no threshold) fail the gate unless ignored;
// with `only_new` (--gate new) only those the baseline does not hold.
bool FailsGate(const VulnFinding& v, int threshold, bool only_new = false);
// A virus or risk fails the gate when --fail-on-findings names its kind, unless ignored (with
// --gate new: unless the baseline holds it).
bool FailsGate(const ThreatFinding& t, const RunReport& report);
int ThresholdLevel(const std::string& name);  // "high" → 3, "" → 0
// Why a run has no findings to report (its error, the scan not ending, no --wait), for the
// reports that are written anyway, so that none is left from an earlier run.
std::string NoFindingsReason(const RunReport& report);

}  // namespace tcss::reports
