#include "core/reports/ignore.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>

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

// trivy's .trivyignore.yaml, the subset its documentation shows: a `vulnerabilities:` list of
// entries with `id`, `statement`, `expired_at` and `paths`/`purls`. Block style only; anything
// else is refused with its line, never guessed at.
Result<std::vector<IgnoreRule>> ParseTrivyYaml(const std::string& path, std::string_view text,
                                               std::vector<std::string>* warnings) {
  std::vector<IgnoreRule> rules;
  auto fail = [&](int line_no, const std::string& why) {
    return UsageError(
        fmt::format("{} line {}: {} (tcss-scan reads trivy's .trivyignore.yaml in block style: "
                    "vulnerabilities: - id: CVE-... statement: ... expired_at: YYYY-MM-DD)",
                    path, line_no, why));
  };
  auto warn = [&](const std::string& w) {
    if (warnings != nullptr) warnings->push_back(w);
  };
  // A scalar as written: quotes removed, an unquoted value's trailing comment dropped.
  auto scalar = [](std::string v) -> std::optional<std::string> {
    v = text::Trim(v);
    if (v.size() >= 2 && (v[0] == '"' || v[0] == '\'')) {
      if (v.back() != v[0]) return std::nullopt;
      return v.substr(1, v.size() - 2);
    }
    size_t hash = v.find(" #");
    if (hash != std::string::npos) v = text::Trim(v.substr(0, hash));
    if (!v.empty() && std::string("[{&*!|>").find(v[0]) != std::string::npos) return std::nullopt;
    return v;
  };
  struct Entry {
    IgnoreRule rule;
    bool restricted = false;  // paths or purls: places TCSS does not report
    std::string date;
    bool open = false;
  } entry;
  std::string section;
  std::string list_key;  // the key whose "- item" lines follow
  size_t dash_indent = 0;
  auto flush = [&]() -> Status {
    if (!entry.open) return OkStatus();
    entry.open = false;
    if (entry.rule.id.empty()) return fail(entry.rule.line, "an entry has no id");
    if (!entry.date.empty()) {
      // expired_at: a date, or an RFC 3339 time whose date part counts.
      std::string d = entry.date.substr(0, 10);
      if (!ValidDate(d) ||
          (entry.date.size() > 10 && entry.date[10] != 'T' && entry.date[10] != ' ')) {
        warn(fmt::format("{} line {}: expired_at is not a date (YYYY-MM-DD); the entry is skipped",
                         path, entry.rule.line));
        return OkStatus();
      }
      entry.rule.expires = d;
    }
    if (entry.restricted) {
      warn(
          fmt::format("{} line {}: {} is ignored only at some paths or packages, which TCSS does "
                      "not report; the entry is skipped, so the finding still counts",
                      path, entry.rule.line, entry.rule.id));
      return OkStatus();
    }
    rules.push_back(entry.rule);
    return OkStatus();
  };
  int line_no = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    std::string raw(
        text.substr(start, nl == std::string_view::npos ? text.size() - start : nl - start));
    if (!raw.empty() && raw.back() == '\r') raw.pop_back();
    ++line_no;
    start = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    std::string line = text::Trim(raw);
    if (line.empty() || line[0] == '#' || line == "---") continue;
    if (text::ValidUtf8(line) != line) return fail(line_no, "it is not UTF-8");
    if (raw.find('\t') < raw.find_first_not_of(" \t"))
      return fail(line_no, "it is indented with a tab");
    size_t indent = raw.find_first_not_of(' ');
    if (indent == 0) {
      Status st = flush();
      if (!st.ok()) return st.error();
      if (line.back() != ':') return fail(line_no, "a top-level line is not a section name");
      section = line.substr(0, line.size() - 1);
      list_key.clear();
      if (section != "vulnerabilities") {
        warn(fmt::format("{} line {}: {} are not findings TCSS reports; the section is ignored",
                         path, line_no, section));
      }
      continue;
    }
    if (section != "vulnerabilities") continue;
    std::string body = line;
    bool dash = line.compare(0, 2, "- ") == 0 || line == "-";
    if (dash && (!entry.open || indent <= dash_indent)) {
      // A new entry: "- id: X" (or "-" alone, its keys below).
      Status st = flush();
      if (!st.ok()) return st.error();
      entry = Entry{};
      entry.open = true;
      entry.rule.line = line_no;
      dash_indent = indent;
      list_key.clear();
      body = text::Trim(line.substr(1));
      if (body.empty()) continue;
    } else if (dash) {
      // An item of the entry's paths/purls list.
      if (list_key != "paths" && list_key != "purls") {
        return fail(line_no, "a list item where no paths/purls list is open");
      }
      entry.restricted = true;
      continue;
    }
    if (!entry.open) return fail(line_no, "a line outside any - id: entry");
    size_t colon = body.find(':');
    if (colon == std::string::npos) return fail(line_no, "it is not key: value");
    std::string key = text::Trim(body.substr(0, colon));
    auto value = scalar(body.substr(colon + 1));
    if (!value) return fail(line_no, "only plain or quoted values are read");
    list_key.clear();
    if (key == "id") {
      if (!IsFindingId(*value)) return fail(line_no, "the id is not a vulnerability ID");
      entry.rule.id = *value;
    } else if (key == "statement") {
      AppendBounded(entry.rule.reason, *value);
    } else if (key == "expired_at") {
      entry.date = *value;
    } else if (key == "paths" || key == "purls") {
      if (!value->empty()) entry.restricted = true;
      list_key = key;
    }
    // Other keys (a later trivy's) are ignored, as trivy does.
  }
  Status st = flush();
  if (!st.ok()) return st.error();
  return rules;
}

// trivy's YAML form: named .yaml/.yml, or its first line that says anything is a section
// name ("vulnerabilities:"), which the plain form would take for an ID.
bool IsTrivyYaml(const std::string& path, std::string_view text) {
  auto ends = [&](std::string_view suffix) {
    return path.size() >= suffix.size() &&
           path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends(".yaml") || ends(".yml")) return true;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    std::string line = text::Trim(
        text.substr(start, nl == std::string_view::npos ? text.size() - start : nl - start));
    start = nl == std::string_view::npos ? text.size() : nl + 1;
    if (line.empty() || line[0] == '#' || line == "---") continue;
    if (line.back() != ':') return false;
    line.pop_back();
    return !line.empty() && std::all_of(line.begin(), line.end(), [](unsigned char c) {
      return std::islower(c) || c == '_';
    });
  }
  return false;
}

}  // namespace

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
  if (IsTrivyYaml(path, text)) return ParseTrivyYaml(path, text, warnings);
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
