// Small string helpers shared by the parsers (ASCII only: every input they see is ASCII or is
// rejected for not being it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tcss::text {

// Strips spaces, tabs, CR and LF at both ends.
std::string Trim(std::string_view s);
std::string Lower(std::string_view s);
// Splits on every `sep`; empty fields are kept ("a,,b" → "a", "", "b").
std::vector<std::string> Split(std::string_view s, char sep);
// `s` with every occurrence of `from` (non-empty) replaced by `to`, scanning on after each
// replacement (what was put in is never searched again).
std::string ReplaceAll(std::string s, std::string_view from, std::string_view to);
// `s` with the character after every "##" that starts "##[" or "##vso" (any case) replaced by
// `replace(c)`: the Azure agent runs "##vso[" commands and warns about every other "##vso", CNB
// and Azure run "##[" ones. Log lines put a space there, JSON a \u escape of the same character.
std::string BreakRunnerKeywords(std::string_view s, std::string (*replace)(char));
// Text from the server or the pipeline shown literally in Markdown (GitHub's step summary,
// SARIF's help.markdown): a code span, where Markdown makes no links, images, emphasis or HTML.
// A backtick would end the span (it becomes '), a pipe a table cell (\|), a line break the
// line (a space). Empty text is "-".
std::string MarkdownLiteral(std::string_view raw);
// Makes one log line of `s`: CR, LF and other control characters become visible escapes
// (\n, \r, \xNN), so that nothing from the input can start a line of its own (on GitHub a
// line starting with "::" is a workflow command).
std::string OneLine(std::string_view s);
// `s` with every byte sequence that is not valid UTF-8 replaced by U+FFFD, so that JSON and
// terminals always get valid text.
std::string ValidUtf8(std::string_view s);
// Length of the valid UTF-8 sequence at s[i] (1 for ASCII), or 0 when there is none.
size_t Utf8Length(std::string_view s, size_t i);
// At most `max_bytes` of `s`, cut on a character boundary (never inside a UTF-8 sequence).
std::string TruncateUtf8(std::string_view s, size_t max_bytes);
// strftime of a unix time in UTC (never the local zone).
std::string FormatUtc(int64_t unix_seconds, const char* format);
// Edit distance (insertions, deletions, substitutions, adjacent swaps), case-insensitive.
size_t EditDistance(std::string_view a, std::string_view b);
// The candidate a mistyped `word` most likely meant, for "did you mean": the one with the
// smallest edit distance when that is at most a third of the word (at least 1), else the one
// candidate `word` is a prefix of (at least 3 characters). "" when nothing is close.
std::string Closest(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace tcss::text
