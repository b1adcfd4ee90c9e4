// What a run tells its CI system, as text. Pure formatting: the app writes the files.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace tcss {

struct ImageResult {
  std::string reference;  // as the user or pipeline named it
  std::string image_id;   // resolved (equal to reference when it already was an ID)
};

struct RunReport {
  std::string task_id;
  std::string request_id;
  std::vector<ImageResult> images;
  std::string selection;          // "images", "all", "filters"
  std::optional<Error> error;     // the failure or warning, if any
  bool error_is_warning = false;  // an API error --fail-on does not select
  bool dry_run = false;
};

// GitHub: `name<<DELIM\nvalue\nDELIM\n`. Fails if the value or name contains the delimiter
// (the caller then draws another) or the name is not [A-Za-z0-9_-]+.
Result<std::string> GithubOutputEntry(const std::string& name, const std::string& value,
                                      const std::string& delimiter);
std::string EscapeWorkflowData(const std::string& s);
std::string EscapeWorkflowProperty(const std::string& s);
// "::error title=T::message\n"
std::string WorkflowAnnotation(const std::string& level, const std::string& title,
                               const std::string& message);
std::string AddMaskCommand(const std::string& secret);  // one ::add-mask:: per line

// GitLab dotenv: KEY=value lines, keys [A-Za-z0-9_]+, values without whitespace, quotes, '#'
// or backslashes, the whole under 5 KB.
Result<std::string> DotenvContent(const std::vector<std::pair<std::string, std::string>>& vars);

std::string GithubSummaryMarkdown(const RunReport& report, size_t max_bytes = 1000 * 1000);
std::string JsonReport(const RunReport& report);

// The outputs every platform gets: task-id, request-id, image-ids.
std::vector<std::pair<std::string, std::string>> GithubOutputs(const RunReport& report);
std::vector<std::pair<std::string, std::string>> DotenvVars(const RunReport& report);

}  // namespace tcss
