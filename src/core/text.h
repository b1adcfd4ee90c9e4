// Small string helpers shared by the parsers (ASCII only: every input they see is ASCII or is
// rejected for not being it).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tcss::text {

// Strips spaces, tabs, CR and LF at both ends.
std::string Trim(std::string_view s);
std::string Lower(std::string_view s);
// Splits on every `sep`; empty fields are kept ("a,,b" → "a", "", "b").
std::vector<std::string> Split(std::string_view s, char sep);

}  // namespace tcss::text
