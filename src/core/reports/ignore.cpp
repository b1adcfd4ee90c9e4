#include "core/reports/ignore.h"

#include <fmt/format.h>

#include <cctype>

#include "core/text.h"

namespace tcss::reports {

namespace {

bool ValidDate(const std::string& d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!std::isdigit(static_cast<unsigned char>(d[i]))) return false;
  int month = std::stoi(d.substr(5, 2));
  int day = std::stoi(d.substr(8, 2));
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

bool ValidId(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.' &&
        c != ':') {
      return false;
    }
  }
  return true;
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view text) {
  // Iterative, with one backtrack point: linear enough for hostile patterns.
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

Result<std::vector<IgnoreRule>> ParseIgnoreFile(const std::string& path,
                                                const std::string& text_in) {
  std::vector<IgnoreRule> rules;
  std::string_view text = text_in;
  const std::string_view kBom = "\xEF\xBB\xBF";
  if (text.substr(0, kBom.size()) == kBom) text.remove_prefix(kBom.size());
  std::string pending_reason;  // comment lines directly above an entry
  int line_no = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    std::string line =
        text::Trim(text.substr(start, nl == std::string_view::npos ? nl : nl - start));
    ++line_no;
    auto fail = [&](const std::string& why) {
      return UsageError(
          fmt::format("{} line {}: {} (write ID [exp:YYYY-MM-DD] [image:PATTERN] "
                      "[# reason])",
                      path, line_no, why));
    };
    if (text::ValidUtf8(line) != line) {
      return fail("it is not UTF-8");
    }
    if (line.empty()) {
      pending_reason.clear();
    } else if (line[0] == '#') {
      std::string c = text::Trim(line.substr(1));
      pending_reason += (pending_reason.empty() || c.empty() ? "" : " ") + c;
    } else {
      IgnoreRule r;
      r.line = line_no;
      std::string body = line;
      size_t hash = line.find(" #");
      if (hash == std::string::npos) hash = line.find("\t#");
      if (hash != std::string::npos) {
        r.reason = text::Trim(line.substr(hash + 2));
        body = text::Trim(line.substr(0, hash));
      }
      if (r.reason.empty()) r.reason = pending_reason;
      std::vector<std::string> words;
      std::string cur;
      for (char c : body) {
        if (c == ' ' || c == '\t') {
          if (!cur.empty()) words.push_back(cur);
          cur.clear();
        } else {
          cur.push_back(c);
        }
      }
      if (!cur.empty()) words.push_back(cur);
      if (words.empty() || !ValidId(words[0])) {
        return fail("\"" + text::OneLine(text::TruncateUtf8(words.empty() ? "" : words[0], 80)) +
                    "\" is not a vulnerability ID");
      }
      r.id = words[0];
      for (size_t i = 1; i < words.size(); ++i) {
        const std::string& w = words[i];
        if (w.rfind("exp:", 0) == 0) {
          if (!ValidDate(w.substr(4))) return fail("exp: must be a date, YYYY-MM-DD");
          r.expires = w.substr(4);
        } else if (w.rfind("image:", 0) == 0 && w.size() > 6) {
          r.image_pattern = w.substr(6);
        } else {
          return fail("unknown word \"" + text::OneLine(text::TruncateUtf8(w, 80)) + "\"");
        }
      }
      rules.push_back(r);
    }
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return rules;
}

}  // namespace tcss::reports
