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

// The file named by the variable `var` as an appended channel, or none when it is unset.
std::vector<OutputFile> AppendedFile(const Env& env, const std::string& var);

// DotenvVars' names without TCSS_, lower case, with `sep` between words: task_id / task-id.
Vars StepOutputs(const RunReport& report, char sep);

}  // namespace tcss::platforms
