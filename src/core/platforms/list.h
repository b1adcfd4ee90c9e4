// The platforms, one function per file; registry.cpp orders them. Internal to core/platforms.
#pragma once

#include "core/platforms/platform.h"

namespace tcss::platforms {

const Platform& Github();
const Platform& Gitlab();
const Platform& Azure();
const Platform& Jenkins();
const Platform& Cnb();
const Platform& Tekton();
const Platform& Buildkite();
const Platform& Circleci();
const Platform& Bitbucket();
const Platform& Drone();
const Platform& DockerHub();

// DotenvVars' names without TCSS_, lower case, with `sep` between words: task_id / task-id.
Vars StepOutputs(const RunReport& report, char sep);

}  // namespace tcss::platforms
