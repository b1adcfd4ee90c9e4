#include "core/outputs.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

#include "core/json.h"
#include "core/reports/model.h"
#include "core/text.h"
#include "sign/tc3.h"

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
  }
  return out;
}
std::string Upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
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

std::string GithubSummaryMarkdown(const RunReport& r, size_t max_bytes) {
  std::string out = "### TCSS image scan\n\n";
  if (r.error && !r.error_is_warning) {
    out +=
        fmt::format("**Failed**: {}{}\n\n", text::MarkdownLiteral(r.error->message),
                    r.error->code.empty() ? "" : " (" + text::MarkdownLiteral(r.error->code) + ")");
    if (!r.error->request_id.empty()) out += "RequestId: `" + r.error->request_id + "`\n\n";
  } else if (r.dry_run) {
    out += "Dry run: nothing was sent.\n\n";
  } else if (!r.task_id.empty()) {
    out += fmt::format("Scan task `{}` submitted (RequestId `{}`).\n\n", r.task_id, r.request_id);
  }
  if (r.error && r.error_is_warning) {
    out += fmt::format("**Warning**: {}: {}\n\n", text::MarkdownLiteral(r.error->code),
                       text::MarkdownLiteral(r.error->message));
  }
  if (r.progress) {
    out += fmt::format("Scan status: **{}** ({}%, {}/{} images)\n\n",
                       text::MarkdownLiteral(r.progress->status), r.progress->schedule,
                       r.progress->image_scan_cnt, r.progress->image_total);
  }
  if (!r.gate.empty()) out += "**Gate failed**: " + text::MarkdownLiteral(r.gate) + "\n\n";
  if (r.findings) {
    const auto& f = *r.findings;
    out +=
        "| Image | Critical | High | Medium | Low | Viruses | Risks "
        "|\n|---|---:|---:|---:|---:|---:|---:|\n";
    for (const auto& i : f.images) {
      std::string row =
          fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n",
                      text::MarkdownLiteral(i.reference.empty() ? i.image_id : i.reference),
                      i.critical, i.high, i.medium, i.low, i.virus, i.risk);
      if (out.size() + row.size() + 4096 > max_bytes) break;
      out += row;
    }
    out += fmt::format("| **Total** | {} | {} | {} | {} | {} | {} |\n\n", f.totals.critical,
                       f.totals.high, f.totals.medium, f.totals.low, f.totals.virus, f.totals.risk);
    if (!f.top.empty()) {
      out +=
          "Top vulnerabilities:\n\n| CVE | Level | CVSS | Component | Version | Fixed in "
          "|\n|---|---|---:|---|---|---|\n";
      for (const auto& v : f.top) {
        std::string fid = reports::FindingId(v);
        bool cve = fid.rfind("CVE-", 0) == 0 &&
                   fid.find_first_not_of("CVE-0123456789") == std::string::npos;
        std::string id = cve ? fmt::format("[{0}](https://nvd.nist.gov/vuln/detail/{0})", fid)
                             : text::MarkdownLiteral(fid);
        std::string row =
            fmt::format("| {} | {} | {:.1f} | {} | {} | {} |\n", id, LevelName(v.level), v.cvss,
                        text::MarkdownLiteral(v.component), text::MarkdownLiteral(v.version),
                        text::MarkdownLiteral(v.fixed_versions));
        if (out.size() + row.size() + 2048 > max_bytes) break;
        out += row;
      }
      out += "\n";
    }
    if (!f.threats.empty()) {
      out +=
          "Malware and risks:\n\n| Kind | Level | Name | Where | Image | ID "
          "|\n|---|---|---|---|---|---|\n";
      for (const auto& t : f.threats) {
        std::string image = reports::ImageLabel(f, t.image_id);
        std::string where = t.kind == "virus" ? t.path : t.description;
        std::string row = fmt::format("| {}{} | {} | {} | {} | {} | {} |\n", t.kind,
                                      t.ignored ? " (ignored)" : "", LevelName(t.level),
                                      text::MarkdownLiteral(t.name),
                                      text::MarkdownLiteral(text::TruncateUtf8(where, 300)),
                                      text::MarkdownLiteral(image), text::MarkdownLiteral(t.id));
        if (out.size() + row.size() + 2048 > max_bytes) break;
        out += row;
      }
      out += "\n";
    }
    if (f.totals.ignored > 0) {
      out += fmt::format(
          "Ignored ({}; not in the counts or the gate):\n\n| ID | Image | Level | Reason | Until "
          "|\n|---|---|---|---|---|\n",
          f.totals.ignored);
      for (const auto& v : f.all) {
        if (!v.ignored) continue;
        std::string image;
        for (const auto& i : f.images) {
          if (i.image_id == v.image_id) image = i.reference.empty() ? i.image_id : i.reference;
        }
        std::string row =
            fmt::format("| {} | {} | {} | {} | {} |\n",
                        text::MarkdownLiteral(reports::FindingId(v)), text::MarkdownLiteral(image),
                        LevelName(v.level), text::MarkdownLiteral(v.ignore_reason),
                        v.ignore_expires.empty() ? "-" : text::MarkdownLiteral(v.ignore_expires));
        if (out.size() + row.size() + 1024 > max_bytes) break;
        out += row;
      }
      out += "\n";
    }
    return out;
  }
  if (r.selection == "all") out += "Selection: all images.\n";
  if (r.selection == "filters") out += "Selection: by filter.\n";
  if (!r.images.empty()) {
    out += "| Image | Image ID |\n|---|---|\n";
    std::string tail = "\n";
    for (size_t i = 0; i < r.images.size(); ++i) {
      std::string row =
          "| " + text::MarkdownLiteral(r.images[i].reference) + " | " +
          text::MarkdownLiteral(r.images[i].image_id.empty() ? "-" : r.images[i].image_id) + " |\n";
      if (out.size() + row.size() + 64 > max_bytes) {
        out += fmt::format("| … {} more | |\n", r.images.size() - i);
        break;
      }
      out += row;
    }
    out += tail;
  }
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
    w.EndArray().EndObject();
  }
  if (r.waited) {
    w.BeginObject("gate").Bool("passed", r.gate.empty()).String("reason", r.gate);
    w.String("threshold", r.threshold).EndObject();
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

std::string GitlabContainerScanningReport(const RunReport& r, const std::string& start_time,
                                          const std::string& end_time) {
  static const char* kSeverity[] = {"Unknown", "Low", "Medium", "High", "Critical"};
  json::Writer w;
  w.BeginObject().String("version", kGitlabReportSchemaVersion).BeginObject("scan");
  w.BeginObject("analyzer").String("id", "tcss-scan").String("name", "tcss-scan");
  w.String("version", TCSS_VERSION).BeginObject("vendor").String("name", "tcss-scan");
  w.EndObject().EndObject();
  w.BeginObject("scanner").String("id", "tencent-tcss");
  w.String("name", "Tencent Cloud Container Security Service").String("version", "2020-11-01");
  w.BeginObject("vendor").String("name", "Tencent Cloud").EndObject().EndObject();
  w.String("type", "container_scanning").String("start_time", start_time);
  w.String("end_time", end_time);
  w.String("status", r.progress && r.progress->status == "END" ? "success" : "failure");
  w.EndObject().BeginArray("vulnerabilities");
  if (r.findings) {
    for (const auto& v : r.findings->all) {
      std::string image;
      for (const auto& i : r.findings->images) {
        if (i.image_id == v.image_id) image = i.reference.empty() ? i.image_id : i.reference;
      }
      // The schema (15.0.7) refuses the whole report over one value out of its limits
      // (gitlab-org/gitlab#443628): name and identifiers 1..255, solution ≤ 7000, description
      // ≤ 1 MiB. FindingId is 1..128 characters.
      std::string name = reports::FindingId(v);
      std::string id =
          sign::Sha256Hex(v.image_id + "|" + name + "|" + v.component + "|" + v.version);
      // A UUID-shaped id, stable for the same finding in the same image.
      id = id.substr(0, 8) + "-" + id.substr(8, 4) + "-" + id.substr(12, 4) + "-" +
           id.substr(16, 4) + "-" + id.substr(20, 12);
      w.BeginObject().String("id", id).String("name", name);
      std::string description = v.name.empty() ? name : v.name;
      if (v.cve_id != name && !v.cve_id.empty()) description += " (TCSS: " + v.cve_id + ")";
      if (v.ignored) {
        description += " (ignored: " + v.ignore_reason +
                       (v.ignore_expires.empty() ? "" : ", until " + v.ignore_expires) + ")";
      }
      w.String("description", text::TruncateUtf8(description, 1U << 20));
      w.String("severity", kSeverity[v.level >= 1 && v.level <= 4 ? v.level : 0]);
      if (!v.fixed_versions.empty()) {
        w.String("solution",
                 text::TruncateUtf8("Upgrade " + v.component + " to " + v.fixed_versions, 7000));
      }
      w.BeginArray("identifiers");
      bool cve = name.rfind("CVE-", 0) == 0;
      w.BeginObject()
          .String("type", cve ? "cve" : "tcss")
          .String("name", name)
          .String("value", name);
      if (cve) w.String("url", "https://nvd.nist.gov/vuln/detail/" + name);
      w.EndObject().EndArray();
      w.BeginObject("location").BeginObject("dependency").BeginObject("package");
      w.String("name", v.component.empty() ? "unknown" : v.component).EndObject();
      w.String("version", v.version).EndObject();
      w.String("operating_system", "linux").String("image", image).EndObject();
      w.EndObject();
    }
  }
  if (r.findings) {
    // Viruses and risks: the file (or, for a risk, the description) stands as the package.
    for (const auto& t : r.findings->threats) {
      const std::string image = reports::ImageLabel(*r.findings, t.image_id);
      std::string id = sign::Sha256Hex(t.image_id + "|" + t.id);
      id = id.substr(0, 8) + "-" + id.substr(8, 4) + "-" + id.substr(12, 4) + "-" +
           id.substr(16, 4) + "-" + id.substr(20, 12);
      std::string name = text::TruncateUtf8(
          (t.kind == "virus" ? "Malware: " : "Sensitive risk: ") + text::OneLine(t.name), 255);
      std::string description = t.description.empty() ? t.name : t.description;
      if (t.kind == "virus" && !t.path.empty()) description += " (file " + t.path + ")";
      if (t.ignored) {
        description += " (ignored: " + t.ignore_reason +
                       (t.ignore_expires.empty() ? "" : ", until " + t.ignore_expires) + ")";
      }
      w.BeginObject().String("id", id).String("name", name);
      w.String("description", text::TruncateUtf8(description, 1U << 20));
      w.String("severity", kSeverity[t.level >= 1 && t.level <= 4 ? t.level : 0]);
      if (!t.solution.empty()) w.String("solution", text::TruncateUtf8(t.solution, 7000));
      w.BeginArray("identifiers")
          .BeginObject()
          .String("type", t.kind == "virus" ? "tcss_virus" : "tcss_risk")
          .String("name", t.id)
          .String("value", t.id)
          .EndObject()
          .EndArray();
      std::string package = t.kind == "virus" ? (t.path.empty() ? t.name : t.path) : t.name;
      w.BeginObject("location").BeginObject("dependency").BeginObject("package");
      w.String("name", text::TruncateUtf8(text::OneLine(package), 255)).EndObject();
      w.String("version", "").EndObject();
      w.String("operating_system", "linux").String("image", image).EndObject();
      w.EndObject();
    }
  }
  w.EndArray().BeginArray("remediations").EndArray().EndObject();
  return w.str() + "\n";
}

}  // namespace tcss
