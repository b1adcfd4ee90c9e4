// One severity per finding, and what counts toward the gate: run once on the findings of an
// ended scan whose vulnerabilities were all read, before the gate and every output.
//
// 1. Severity: TCSS's per-vulnerability Level mapping is undocumented, so it is checked
//    against TCSS's own per-image counts (the list tallied per level); when they disagree
//    anywhere, every finding is classified by its CVSS v3 score instead (≥ 9.0 critical,
//    7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low) and that is said once.
// 2. VEX statements (not_affected, fixed) suppress what they match, then ignore rules and
//    --ignore-unfixed mark findings ignored, with the reason.
// 3. The counts are re-tallied from what is not ignored, so the gate, the outputs and every
//    report agree; ignored findings stay listed, marked.
#pragma once

#include <string>
#include <vector>

#include "core/outputs.h"
#include "core/reports/ignore.h"
#include "core/reports/vex.h"

namespace tcss::reports {

struct TriageOptions {
  std::vector<IgnoreRule> rules;
  std::string rules_path;  // for messages
  bool ignore_unfixed = false;
  std::string today;              // YYYY-MM-DD, UTC
  std::vector<VexStatement> vex;  // every --vex document's statements, in the order given
};

// Returns the notes to print once as warnings: the severity fall-back, expired and stale rules,
// VEX documents none of whose statements matched a finding.
std::vector<std::string> Triage(Findings& f, const TriageOptions& o);

// CVSS v3 qualitative bands: 4 critical, 3 high, 2 medium, 1 low, 0 none (0.0 or unknown).
int64_t CvssBand(double score);

}  // namespace tcss::reports
