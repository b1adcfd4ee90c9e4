// Which CI system we run in, and which image it just built (SPEC §4).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/result.h"

namespace tcss {

enum class Platform { kNone, kGithub, kGitlab, kDockerHub };

Platform DetectPlatform(const std::map<std::string, std::string>& env);
const char* PlatformName(Platform p);

struct PipelineImages {
  std::vector<std::string> images;
  std::string source;                  // e.g. "DOCKER_METADATA_OUTPUT_JSON .tags"
  std::vector<std::string> looked_at;  // everything consulted, for the "nothing found" message
};

// Images from the CI platform's own variables (step 2–4 of SPEC §4). An unreadable
// DOCKER_METADATA_OUTPUT_JSON is an error, not a silent fall-through.
Result<PipelineImages> ImagesFromPipeline(const std::map<std::string, std::string>& env);

}  // namespace tcss
