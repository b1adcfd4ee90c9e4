// The step summary (GitHub's $GITHUB_STEP_SUMMARY, Azure's summary, Buildkite's annotation):
// Markdown of the run and its findings, server text shown literally. One file reading the one
// findings model, beside SARIF and JUnit.
#pragma once

#include <cstddef>
#include <string>

#include "core/outputs.h"

namespace tcss {

std::string GithubSummaryMarkdown(const RunReport& report, size_t max_bytes = size_t{1000} * 1000);

}  // namespace tcss
