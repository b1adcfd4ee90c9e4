#include "core/reports/ignore.h"

#include <fmt/format.h>

#include <cctype>

#include "core/reports/model.h"
#include "core/text.h"

namespace tcss::reports {

namespace {

// A calendar date: 2099-02-30 is not one.
bool ValidDate(const std::string& d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!std::isdigit(static_cast<unsigned char>(d[i]))) return false;
  int year = std::stoi(d.substr(0, 4));
  int month = std::stoi(d.substr(5, 2));
  int day = std::stoi(d.substr(8, 2));
  if (month < 1 || month > 12 || day < 1) return false;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int days[] = {31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return day <= days[month - 1];
}

// A reason is shown in reports and logs: bounded, whatever the file holds.
constexpr size_t kMaxReason = 500;
// An ignore file is a list a person reads: far below this.
constexpr size_t kMaxFile = size_t{4} * 1024 * 1024;

void AppendBounded(std::string& to, std::string_view what) {
  if (to.size() < kMaxReason) to += text::TruncateUtf8(what, kMaxReason - to.size());
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

Result<std::vector<IgnoreRule>> ParseIgnoreFile(const std::string& path, const std::string& text_in,
                                                std::vector<std::string>* warnings) {
  std::vector<IgnoreRule> rules;
  if (text_in.size() > kMaxFile) {
    return UsageError(fmt::format("{} is {} bytes; an ignore file is at most {} MiB", path,
                                  text_in.size(), kMaxFile >> 20));
  }
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
      if (!pending_reason.empty() && !c.empty()) AppendBounded(pending_reason, " ");
      AppendBounded(pending_reason, c);
    } else {
      IgnoreRule r;
      r.line = line_no;
      std::string body = line;
      size_t hash = line.find(" #");
      if (hash == std::string::npos) hash = line.find("\t#");
      if (hash != std::string::npos) {
        AppendBounded(r.reason, text::Trim(line.substr(hash + 2)));
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
      // Nothing of a line that does not parse is echoed: the file may be anything
      // (a symlink to /proc/self/environ), and only its line number and what is wrong show.
      if (words.empty() || !IsFindingId(words[0])) {
        return fail("its first word is not a vulnerability ID (letters, digits, - _ . :)");
      }
      r.id = words[0];
      bool bad_date = false, have_date = false;
      for (size_t i = 1; i < words.size(); ++i) {
        const std::string& w = words[i];
        if (w.rfind("exp:", 0) == 0) {
          // As trivy: the first exp: counts; a line whose date is not one is skipped, warned.
          if (have_date) continue;
          have_date = true;
          if (ValidDate(w.substr(4))) {
            r.expires = w.substr(4);
          } else {
            bad_date = true;
          }
        } else if (w.rfind("image:", 0) == 0) {
          if (w.size() == 6) return fail("image: needs a pattern (image:registry/repo/*)");
          r.image_pattern = w.substr(6);
        } else if (w.find(':') == std::string::npos) {
          return fail("a word after the ID is neither exp:YYYY-MM-DD nor image:PATTERN");
        }
        // Other key:value fields are trivy's or a later version's: ignored, as trivy does.
      }
      if (bad_date) {
        if (warnings != nullptr) {
          warnings->push_back(fmt::format(
              "{} line {}: exp: is not a calendar date (YYYY-MM-DD); the line is skipped", path,
              line_no));
        }
      } else {
        rules.push_back(r);
      }
    }
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return rules;
}

}  // namespace tcss::reports
