#include "core/outputs.h"

#include "base/hash.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

#include "core/json.h"
#include "core/reports/findings_file.h"
#include "core/reports/model.h"
#include "core/text.h"

namespace tcss {

Result<std::string> GithubOutputEntry(const std::string& name, const std::string& value,
                                      const std::string& delimiter) {
  if (name.empty()) return UsageError("empty GitHub output name");
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') {
      return UsageError("GitHub output name \"" + name +
                        "\" has a character outside [A-Za-z0-9_-]");
    }
  }
  if (delimiter.empty() || value.find(delimiter) != std::string::npos ||
      name.find(delimiter) != std::string::npos) {
    return UsageError("the output value contains the heredoc delimiter");
  }
  return name + "<<" + delimiter + "\n" + value + "\n" + delimiter + "\n";
}

std::string EscapeWorkflowData(const std::string& raw) {
  // The runner decodes %25, %0D and %0A; every other control character (ESC, BEL, ...) is
  // written as %XX too, which it shows as is: nothing reaches the log or a command raw.
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text::ValidUtf8(raw)) {
    if (c == '%' || c < 0x20 || c == 0x7f) {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

std::string EscapeWorkflowProperty(const std::string& s) {
  std::string out;
  for (char c : EscapeWorkflowData(s)) {
    if (c == ':')
      out += "%3A";
    else if (c == ',')
      out += "%2C";
    else
      out.push_back(c);
  }
  return out;
}

std::string WorkflowAnnotation(const std::string& level, const std::string& title,
                               const std::string& message) {
  return "::" + level + " title=" + EscapeWorkflowProperty(title) +
         "::" + EscapeWorkflowData(message) + "\n";
}

std::string AddMaskCommand(const std::string& secret) {
  std::string out;
  size_t start = 0;
  while (start < secret.size()) {
    size_t nl = secret.find_first_of("\r\n", start);
    std::string line = secret.substr(start, nl == std::string::npos ? nl : nl - start);
    // The runner decodes %25 (and %0D, %0A) in the value before it masks it: a token holding
    // "%25" must be registered as itself, as @actions/core's setSecret escapes it.
    if (!line.empty()) out += "::add-mask::" + text::ReplaceAll(line, "%", "%25") + "\n";
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}

Result<std::string> DotenvContent(const std::vector<std::pair<std::string, std::string>>& vars) {
  std::string out;
  for (const auto& [key, value] : vars) {
    if (key.empty()) return UsageError("empty dotenv key");
    for (char c : key) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') {
        return UsageError("dotenv key \"" + key + "\" may hold only letters, digits and '_'");
      }
    }
    for (char c : value) {
      unsigned char u = static_cast<unsigned char>(c);
      if (u <= 0x20 || u == 0x7f || c == '"' || c == '\'' || c == '#' || c == '\\' || c == '`' ||
          c == '$') {
        return UsageError("dotenv value for " + key +
                          " contains whitespace, a quote, '#', '$' or a backslash, which GitLab's "
                          "dotenv rules forbid");
      }
    }
    out += key + "=" + value + "\n";
  }
  if (out.size() >= size_t{5} * 1024)
    return UsageError("the dotenv report would exceed GitLab's 5 KB limit");
  return out;
}

Dotenv BuildDotenv(std::vector<std::pair<std::string, std::string>> vars) {
  Dotenv out;
  std::vector<std::pair<std::string, std::string>> kept;
  for (auto& kv : vars) {
    auto one = DotenvContent({kv});
    if (one.ok()) {
      kept.push_back(std::move(kv));
    } else {
      out.dropped.emplace_back(kv.first, one.error().message);
    }
  }
  auto too_big = [](const std::vector<std::pair<std::string, std::string>>& v) {
    return !DotenvContent(v).ok();
  };
  auto ids = std::find_if(kept.begin(), kept.end(),
                          [](const auto& kv) { return kv.first == "TCSS_IMAGE_IDS"; });
  if (too_big(kept) && ids != kept.end()) {
    out.dropped.emplace_back(ids->first, "it would pass GitLab's 5 KB dotenv limit");
    kept.erase(ids);
  }
  while (!kept.empty() && too_big(kept)) {
    out.dropped.emplace_back(kept.back().first, "it would pass GitLab's 5 KB dotenv limit");
    kept.pop_back();
  }
  auto text = DotenvContent(kept);
  if (text.ok()) out.text = *text;
  return out;
}

namespace {
std::string Join(const std::vector<ImageResult>& images, const char* sep, bool ids) {
  std::string out;
  for (const auto& i : images) {
    if (!out.empty()) out += sep;
    out += ids ? i.image_id : i.reference;
  }
  return out;
}
}  // namespace

std::string Suppression::Describe() const {
  switch (kind) {
    case Kind::kNone:
      return "";
    case Kind::kIgnore:
      return "ignored: " + reason + (expires.empty() ? "" : " (until " + expires + ")");
    case Kind::kVex:
      return "VEX " + status + (reason.empty() ? "" : ": " + reason) + " (" + document + ")";
  }
  return "";
}

std::string LevelName(int64_t level) {
  switch (level) {
    case 1:
      return "low";
    case 2:
      return "medium";
    case 3:
      return "high";
    case 4:
      return "critical";
  }
  return "unknown";
}

namespace {
// The --wait outputs: name (GitHub form), value.
std::vector<std::pair<std::string, std::string>> WaitOutputs(const RunReport& r) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!r.waited || !r.progress) return out;
  out.emplace_back("status", r.progress->status);
  if (r.findings) {
    const auto& t = r.findings->totals;
    out.emplace_back("critical", std::to_string(t.critical));
    out.emplace_back("high", std::to_string(t.high));
    out.emplace_back("medium", std::to_string(t.medium));
    out.emplace_back("low", std::to_string(t.low));
    out.emplace_back("viruses", std::to_string(t.virus));
    out.emplace_back("risks", std::to_string(t.risk));
    if (r.findings->baseline) {
      // Against the baseline: what this change brings and what it removes.
      out.emplace_back("new-critical", std::to_string(t.new_critical));
      out.emplace_back("new-high", std::to_string(t.new_high));
      out.emplace_back("new-medium", std::to_string(t.new_medium));
      out.emplace_back("new-low", std::to_string(t.new_low));
      out.emplace_back("new-viruses", std::to_string(t.new_virus));
      out.emplace_back("new-risks", std::to_string(t.new_risk));
      out.emplace_back("fixed-count", std::to_string(r.findings->baseline->fixed.size()));
    }
  }
  return out;
}
std::string Upper(std::string s) {
  for (auto& c : s) {
    c = c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return s;
}
}  // namespace

std::vector<std::pair<std::string, std::string>> GithubOutputs(const RunReport& r) {
  std::vector<std::pair<std::string, std::string>> out = {
      {"task-id", r.task_id},
      {"request-id", r.request_id},
      {"image-ids", Join(r.images, "\n", true)}};
  if (!r.source.empty()) out.emplace_back("source", r.source);
  for (auto& kv : WaitOutputs(r)) out.push_back(std::move(kv));
  return out;
}

std::vector<std::pair<std::string, std::string>> DotenvVars(const RunReport& r) {
  std::vector<std::pair<std::string, std::string>> out = {{"TCSS_TASK_ID", r.task_id},
                                                          {"TCSS_REQUEST_ID", r.request_id}};
  std::string ids = Join(r.images, ",", true);
  if (!ids.empty()) out.emplace_back("TCSS_IMAGE_IDS", ids);
  if (!r.source.empty()) out.emplace_back("TCSS_SOURCE", r.source);
  for (const auto& [k, v] : WaitOutputs(r)) out.emplace_back("TCSS_" + Upper(k), v);
  return out;
}

std::string JsonReport(const RunReport& r) {
  json::Writer w;
  w.BeginObject().String("taskId", r.task_id).String("requestId", r.request_id);
  if (!r.source.empty()) w.String("source", r.source);
  w.BeginArray("images");
  for (const auto& i : r.images) {
    w.BeginObject().String("reference", i.reference).String("imageId", i.image_id).EndObject();
  }
  w.EndArray();
  if (r.error) {
    w.BeginObject("error")
        .String("code", r.error->code)
        .String("message", r.error->message)
        .String("requestId", r.error->request_id)
        .Bool("warning", r.error_is_warning)
        .EndObject();
  }
  if (r.dry_run) w.Bool("dryRun", true);
  if (r.progress) {
    w.String("status", r.progress->status);
    w.BeginObject("progress")
        .Int("schedule", r.progress->schedule)
        .Int("imageTotal", r.progress->image_total)
        .Int("imageScanCnt", r.progress->image_scan_cnt)
        .Int("leftSeconds", r.progress->left_seconds)
        .EndObject();
  }
  if (r.findings) {
    auto counts = [&w](const ImageFindings& i) {
      w.Int("critical", i.critical).Int("high", i.high).Int("medium", i.medium).Int("low", i.low);
      w.Int("viruses", i.virus).Int("risks", i.risk);
    };
    w.BeginObject("findings");
    counts(r.findings->totals);
    w.BeginArray("images");
    for (const auto& i : r.findings->images) {
      w.BeginObject().String("imageId", i.image_id).String("reference", i.reference);
      w.String("scanStatus", i.scan_status);
      counts(i);
      w.EndObject();
    }
    w.EndArray().BeginArray("top");
    for (const auto& v : r.findings->top) {
      w.BeginObject()
          .String("imageId", v.image_id)
          .String("id", reports::FindingId(v))
          .String("cve", v.cve_id)
          .String("name", v.name)
          .String("level", LevelName(v.level))
          .Raw("cvss", fmt::format("{:.1f}", v.cvss))
          .String("component", v.component)
          .String("version", v.version)
          .String("fixedVersions", v.fixed_versions)
          .EndObject();
    }
    // Every virus and risk listed (the lists are short); accepted ones carry why.
    w.EndArray().BeginArray("threats");
    for (const auto& t : r.findings->threats) {
      w.BeginObject()
          .String("imageId", t.image_id)
          .String("kind", t.kind)
          .String("id", t.id)
          .String("name", t.name)
          .String("level", LevelName(t.level))
          .String("path", t.path)
          .String("md5", t.md5);
      if (t.suppression.active()) w.String("suppressed", t.suppression.Describe());
      w.EndObject();
    }
    w.EndArray();
    w.Int("ignored", r.findings->totals.ignored).Int("suppressed", r.findings->totals.suppressed);
    reports::WriteBaseline(w, *r.findings);
    w.EndObject();
  }
  if (r.waited) {
    w.BeginObject("gate").Bool("passed", r.gate.empty()).String("reason", r.gate);
    w.String("threshold", r.threshold).String("counts", r.gate_new ? "new" : "all").EndObject();
  }
  w.EndObject();
  // Azure acts on "##vso[" anywhere in a line of output (and warns about any other "##vso"), and
  // "##[" starts Azure's and CNB's line commands: inside JSON strings (the only place a '#' can
  // be) "\u005b" is the same '[', "\u0076" the same 'v'.
  return text::BreakRunnerKeywords(w.str(), [](char c) { return fmt::format("\\u{:04x}", c); }) +
         "\n";
}

std::string IsoUtc(int64_t unix_seconds) {
  return text::FormatUtc(unix_seconds, "%Y-%m-%dT%H:%M:%S");
}

}  // namespace tcss
