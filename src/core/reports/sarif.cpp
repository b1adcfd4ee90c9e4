#include "core/reports/sarif.h"

#include "base/hash.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "core/json.h"
#include "core/reports/model.h"
#include "core/text.h"
#include "core/url.h"

namespace tcss::reports {

namespace {

constexpr size_t kMaxResults = 25000;
constexpr size_t kMaxRules = 25000;
constexpr size_t kMaxRuns = 20;
constexpr size_t kMaxDescription = 1024;

// security-severity: the CVSS score when there is one, else the band's usual value.
// A level's usual security-severity, for findings without a score.
std::string BandSeverity(int64_t level) {
  static const char* kBand[] = {"0.0", "2.0", "5.5", "8.0", "9.5"};
  return kBand[level >= 1 && level <= 4 ? level : 0];
}

std::string SecuritySeverity(const VulnFinding& v) {
  if (v.cvss > 0) return fmt::format("{:.1f}", std::min(v.cvss, 10.0));
  return BandSeverity(v.level);
}

const char* ResultLevel(int64_t level) {
  return level >= 3 ? "error" : level == 2 ? "warning" : "note";
}

std::string Link(const VulnFinding& v) {
  std::string id = FindingId(v);
  if (id.rfind("CVE-", 0) == 0) return "https://nvd.nist.gov/vuln/detail/" + id;
  return "";
}

// Opens a run, its tool and driver, and the driver's rules.
void BeginDriver(json::Writer& w) {
  w.BeginObject().BeginObject("tool").BeginObject("driver");
  w.String("name", "tcss-scan")
      .String("fullName", "tcss-scan (Tencent Cloud Container Security Service)")
      .String("version", TCSS_VERSION)
      .String("semanticVersion", TCSS_VERSION)
      .String("informationUri", TCSS_HOME_URL)
      .BeginArray("rules");
}

struct Run {
  std::string repository;
  std::vector<const VulnFinding*> findings;
  std::vector<const ThreatFinding*> threats;
  int64_t worst = 0;
};

// A virus's rule is its name, a risk's its type and behaviour: "virus/<name>", "risk/<...>".
std::string ThreatRule(const ThreatFinding& t) { return t.kind + "/" + t.category; }

std::string ThreatWhere(const ThreatFinding& t) {
  return t.kind == "virus" ? (t.path.empty() ? t.id : t.path) : t.description;
}

// A result: its rule, level and message, the one location every result has (the image's
// repository: code scanning needs a file), its fingerprint and, when accepted, why.
void WriteResult(json::Writer& w, const std::string& rule, size_t index, int64_t level,
                 const std::string& message, const std::string& uri, const std::string& fingerprint,
                 const Suppression& suppression, BaselineState state) {
  w.BeginObject().String("ruleId", rule);
  // With a baseline: SARIF's own word for what a change brings.
  if (state != BaselineState::kNone) {
    w.String("baselineState", state == BaselineState::kUnchanged ? "unchanged" : "new");
  }
  w.Int("ruleIndex", static_cast<int64_t>(index))
      .String("level", ResultLevel(level))
      .BeginObject("message")
      .String("text", message)
      .EndObject()
      .BeginArray("locations")
      .BeginObject()
      .BeginObject("physicalLocation")
      .BeginObject("artifactLocation")
      .String("uri", uri)
      .EndObject()
      .BeginObject("region")
      .Int("startLine", 1)
      .Int("startColumn", 1)
      .Int("endLine", 1)
      .Int("endColumn", 1)
      .EndObject()
      .EndObject()
      .EndObject()
      .EndArray()
      .BeginObject("partialFingerprints")
      .String("primaryLocationLineHash", fingerprint)
      .EndObject();
  if (suppression.active()) {
    // Both the ignore file and a VEX document live outside the code scanned: "external".
    w.BeginArray("suppressions")
        .BeginObject()
        .String("kind", "external")
        .String("status", "accepted")
        .String("justification", suppression.Describe())
        .EndObject()
        .EndArray();
  }
  w.EndObject();
}

}  // namespace

std::string SarifRunId(const std::string& repository) {
  return "tcss-scan/" + PercentEncode(repository, false) + "/";
}

SarifOutput SarifReport(const RunReport& report) {
  SarifOutput out;
  std::vector<std::string> dropped;
  // Group by repository; two tags of one repository are one run, each finding once.
  std::map<std::string, Run> by_repo;
  if (report.findings) {
    const Findings& f = *report.findings;
    std::set<std::string> seen;
    for (const auto& v : f.all) {
      std::string repo = Repository(ImageLabel(f, v.image_id));
      if (!seen.insert(repo + "|" + FindingId(v) + "|" + v.component + "|" + v.version).second) {
        continue;
      }
      Run& run = by_repo[repo];
      run.repository = repo;
      run.findings.push_back(&v);  // f.all is sorted, most severe first
      run.worst = std::max(run.worst, v.level);
    }
    for (const auto& t : f.threats) {
      std::string repo = Repository(ImageLabel(f, t.image_id));
      Run& run = by_repo[repo];
      run.repository = repo;
      run.threats.push_back(&t);  // most severe first
      run.worst = std::max(run.worst, t.level);
    }
    for (const auto& img : f.images) {  // an image without findings still gets its run
      std::string repo = Repository(ImageLabel(f, img.image_id));
      by_repo[repo].repository = repo;
    }
  }
  std::vector<Run> runs;
  runs.reserve(by_repo.size());
  for (auto& [repo, run] : by_repo) runs.push_back(std::move(run));
  std::stable_sort(runs.begin(), runs.end(),
                   [](const Run& a, const Run& b) { return a.worst > b.worst; });
  if (runs.size() > kMaxRuns) {
    dropped.push_back(fmt::format("{} image repositories (GitHub takes 20 runs per file)",
                                  runs.size() - kMaxRuns));
    runs.resize(kMaxRuns);
  }
  json::Writer w;
  w.BeginObject()
      .String("$schema", "https://json.schemastore.org/sarif-2.1.0.json")
      .String("version", "2.1.0")
      .BeginArray("runs");
  for (auto& run : runs) {
    std::vector<std::string> rule_ids;
    std::vector<const VulnFinding*> rule_finding;  // each rule's most severe finding
    std::map<std::string, size_t> rule_index;
    std::vector<const VulnFinding*> results;
    for (const VulnFinding* v : run.findings) {
      std::string id = FindingId(*v);
      if (rule_index.count(id) == 0) {
        if (rule_ids.size() == kMaxRules) continue;
        rule_index[id] = rule_ids.size();
        rule_ids.push_back(id);
        rule_finding.push_back(v);
      }
      if (results.size() == kMaxResults) continue;
      results.push_back(v);
    }
    if (results.size() < run.findings.size()) {
      dropped.push_back(
          fmt::format("{} findings of {} (GitHub takes 25,000 results per run; "
                      "the most severe were kept)",
                      run.findings.size() - results.size(), run.repository));
    }
    BeginDriver(w);
    for (size_t r = 0; r < rule_ids.size(); ++r) {
      // The rule's text comes from its most severe finding (the list is sorted).
      const std::string& id = rule_ids[r];
      const VulnFinding* v = rule_finding[r];
      std::string title = v->name.empty() ? id : v->name;
      std::string sev = LevelName(v->level);
      std::string fixed = v->fixed_versions.empty() ? "no fixed version yet" : v->fixed_versions;
      std::string link = Link(*v);
      std::string help_text =
          fmt::format("{}\nSeverity: {}\nPackage: {}\nInstalled: {}\nFixed: {}{}", title, sev,
                      v->component, v->version, fixed, link.empty() ? "" : "\nLink: " + link);
      // Server text is shown literally, as in the step summary: no links, images or table
      // cells of its own.
      std::string help_md = fmt::format(
          "**{}**\n\n| Severity | Package | Installed | Fixed | Link |\n|---|---|---|---|---|\n| "
          "{} | {} | {} | {} | {} |\n",
          text::MarkdownLiteral(title), sev, text::MarkdownLiteral(v->component),
          text::MarkdownLiteral(v->version), text::MarkdownLiteral(fixed),
          link.empty() ? "-" : "[" + id + "](" + link + ")");
      w.BeginObject()
          .String("id", id)
          .String("name", "ContainerImageVulnerability")
          .BeginObject("shortDescription")
          .String("text", text::TruncateUtf8(
                              id + " in " + (v->component.empty() ? "the image" : v->component),
                              kMaxDescription))
          .EndObject()
          .BeginObject("fullDescription")
          .String("text", text::TruncateUtf8(title, kMaxDescription))
          .EndObject()
          .BeginObject("defaultConfiguration")
          .String("level", ResultLevel(v->level))
          .EndObject();
      if (!link.empty()) w.String("helpUri", link);
      w.BeginObject("help").String("text", help_text).String("markdown", help_md).EndObject();
      w.BeginObject("properties")
          .String("security-severity", SecuritySeverity(*v))
          .StringArray("tags", {"security", "vulnerability", sev})
          .String("precision", "very-high")
          .EndObject()
          .EndObject();
    }
    std::map<std::string, size_t> threat_rule;
    for (const ThreatFinding* t : run.threats) {
      std::string id = ThreatRule(*t);
      if (threat_rule.count(id) || rule_ids.size() + threat_rule.size() >= kMaxRules) continue;
      threat_rule[id] = rule_ids.size() + threat_rule.size();
      std::string sev = LevelName(t->level);
      std::string what = t->kind == "virus" ? "Malware" : "Sensitive risk";
      std::string help_text = fmt::format("{}: {}\nSeverity: {}\n{}\nSolution: {}", what, t->name,
                                          sev, t->description, t->solution);
      std::string help_md = fmt::format(
          "**{}: {}**\n\n| Severity | Description | Solution |\n|---|---|---|\n| {} | {} | {} |\n",
          what, text::MarkdownLiteral(t->name), sev, text::MarkdownLiteral(t->description),
          text::MarkdownLiteral(t->solution));
      w.BeginObject()
          .String("id", id)
          .String("name", t->kind == "virus" ? "ContainerImageMalware" : "ContainerImageRisk")
          .BeginObject("shortDescription")
          .String("text", text::TruncateUtf8(what + ": " + t->name, kMaxDescription))
          .EndObject()
          .BeginObject("fullDescription")
          .String("text", text::TruncateUtf8(t->description.empty() ? t->name : t->description,
                                             kMaxDescription))
          .EndObject()
          .BeginObject("defaultConfiguration")
          .String("level", ResultLevel(t->level))
          .EndObject()
          .BeginObject("help")
          .String("text", help_text)
          .String("markdown", help_md)
          .EndObject()
          .BeginObject("properties")
          .String("security-severity", BandSeverity(t->level))
          .StringArray("tags", {"security", t->kind == "virus" ? "malware" : "risk", sev})
          .String("precision", "very-high")
          .EndObject()
          .EndObject();
    }
    w.EndArray().EndObject().EndObject();  // rules, driver, tool
    w.BeginObject("automationDetails").String("id", SarifRunId(run.repository)).EndObject();
    w.BeginArray("results");
    const std::string threat_uri = PercentEncode(run.repository, true);
    for (const ThreatFinding* t : run.threats) {
      std::string rule = ThreatRule(*t);
      if (!threat_rule.count(rule)) continue;
      std::string message =
          fmt::format("{} {} ({}): {} in image {} [{}]", t->kind, t->name, LevelName(t->level),
                      ThreatWhere(*t), ImageLabel(*report.findings, t->image_id), t->id);
      WriteResult(w, rule, threat_rule[rule], t->level, text::TruncateUtf8(message, 4096),
                  threat_uri, base::Sha256Hex(run.repository + "|" + t->id), t->suppression,
                  t->state);
    }
    const std::string uri = PercentEncode(run.repository, true);
    for (const VulnFinding* v : results) {
      std::string id = FindingId(*v);
      std::string fixed =
          v->fixed_versions.empty() ? "no fixed version yet" : "fixed in " + v->fixed_versions;
      std::string message =
          fmt::format("{} ({}{}) in {} {}: {} in image {}", id, LevelName(v->level),
                      v->cvss > 0 ? fmt::format(", CVSS {:.1f}", v->cvss) : "", v->component,
                      v->version, fixed, ImageLabel(*report.findings, v->image_id));
      WriteResult(w, id, rule_index[id], v->level, message, uri,
                  base::Sha256Hex(run.repository + "|" + id + "|" + v->component), v->suppression,
                  v->state);
    }
    w.EndArray().EndObject();  // results, run
  }
  if (!report.findings) {
    // No findings read: one run that says why, under its own category, so that it neither
    // shows an earlier run's findings nor closes the alerts of a repository's category.
    BeginDriver(w);
    w.EndArray().EndObject().EndObject();  // rules, driver, tool
    w.BeginArray("invocations")
        .BeginObject()
        .Bool("executionSuccessful", false)
        .BeginArray("toolExecutionNotifications")
        .BeginObject()
        .String("level", "error")
        .BeginObject("message")
        .String("text", NoFindingsReason(report))
        .EndObject()
        .EndObject()
        .EndArray()
        .EndObject()
        .EndArray();
    w.BeginObject("automationDetails").String("id", "tcss-scan/no-findings/").EndObject();
    w.BeginArray("results").EndArray().EndObject();
  }
  w.EndArray().EndObject();
  out.text = w.str() + "\n";
  for (const auto& d : dropped) out.dropped += (out.dropped.empty() ? "" : "; ") + d;
  return out;
}

}  // namespace tcss::reports
