// The step summary (GitHub's $GITHUB_STEP_SUMMARY, Azure's summary, Buildkite's annotation):
// Markdown of the run and its findings, server text shown literally. One file reading the one
// findings model, beside SARIF and JUnit.
#pragma once

#include <cstddef>
#include <string>

#include "core/outputs.h"

namespace tcss {

// With a baseline: what is new (the findings that count, most severe first, at most
// `max_rows`, then "and N more") and after it what the change fixed, as Markdown tables within
// about `budget` bytes. "" without a baseline.
std::string BaselineMarkdown(const Findings& f, size_t max_rows, size_t budget);

std::string GithubSummaryMarkdown(const RunReport& report, size_t max_bytes = size_t{1000} * 1000);

}  // namespace tcss
