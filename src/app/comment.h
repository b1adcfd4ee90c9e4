// --comment (issue 23, 4): one pull-request (GitHub) or merge-request (GitLab) comment per job
// and image set, found again by its marker and its author through every page of comments and
// updated in place. It never changes the exit code: what goes wrong is one warning line.
#pragma once

#include <string>

#include "app/logger.h"
#include "app/ports.h"
#include "core/config.h"
#include "core/outputs.h"

namespace tcss::app {

// Writes the comment for `report`; returns "" or the one warning to print.
std::string WriteComment(const Config& c, const EnvMap& env, Ports& p, Logger& log,
                         const RunReport& report);

}  // namespace tcss::app
