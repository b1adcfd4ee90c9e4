// SARIF 2.1.0 for GitHub code scanning, from the triaged findings: one run per image
// repository, its automationDetails.id stable from commit to commit (no tag, no digest), one
// rule per vulnerability ID, one result per finding with one location, ignored findings as
// accepted external suppressions. GitHub's limits are kept (25,000 results and rules per run,
// 20 runs per file): over them the most severe stay and `dropped` says what went. Without
// findings: one run without results whose invocation says why (category tcss-scan/no-findings).
#pragma once

#include <string>

#include "core/outputs.h"

namespace tcss::reports {

struct SarifOutput {
  std::string text;
  std::string dropped;  // "" when nothing was left out
};

SarifOutput SarifReport(const RunReport& report);

// The automationDetails.id of a repository's run: GitHub's category is what precedes the last
// '/', so the repository's own slashes are encoded and the id ends with '/'.
std::string SarifRunId(const std::string& repository);

}  // namespace tcss::reports
