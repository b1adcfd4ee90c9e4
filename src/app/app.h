// The one place that orders the steps: config → credentials → images → resolve → submit →
// outputs → exit code. It talks to the world only through Ports.
#pragma once

#include <string>
#include <vector>

#include "app/ports.h"
#include "core/config.h"

namespace tcss::app {

// Returns the process exit code (SPEC §6). Never throws for expected failures.
int Run(const std::string& argv0, std::vector<std::string> args, const EnvMap& env, Ports& ports);

}  // namespace tcss::app
