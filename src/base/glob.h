// `*` globs, shared by the ignore file's image patterns and the emulator's trust policy (a
// role's `sub=` pattern). Pure.
#pragma once

#include <string_view>

namespace tcss::base {

// `*` matches any run of characters (including none and '/'); everything else itself.
// Linear enough for hostile patterns (one backtrack point).
bool GlobMatch(std::string_view pattern, std::string_view text);

}  // namespace tcss::base
