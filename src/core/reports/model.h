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
// "CVE-2024-1" (or TCSS's name when it has no ID).
std::string FindingId(const VulnFinding& v);
// Findings at or above `threshold` (1..4; 0 = no threshold) fail the gate unless ignored.
bool FailsGate(const VulnFinding& v, int threshold);
int ThresholdLevel(const std::string& name);  // "high" → 3, "" → 0

}  // namespace tcss::reports
