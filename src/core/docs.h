// What other tools expect of a command-line program, generated from the one option table
// (Options()), so that they cannot drift from it: shell completion and a man page.
#pragma once

#include <string>

#include "core/result.h"

namespace tcss {

// `tcss-scan completion bash|zsh|fish`: a script the shell sources. Options that take a path
// complete file names, options with a fixed set of values complete those values.
Result<std::string> CompletionScript(const std::string& shell);

// `tcss-scan help --man`: the man page (roff, man(7) macros).
std::string ManPage();

}  // namespace tcss
