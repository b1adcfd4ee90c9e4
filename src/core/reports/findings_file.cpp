#include "core/reports/findings_file.h"

#include <fmt/format.h>

#include <map>

#include "core/json.h"
#include "core/reports/model.h"
#include "core/reports/purl.h"
#include "core/text.h"

namespace tcss::reports {

namespace {

// "2024-01-02T03:04:05" (UTC, as IsoUtc writes it) with its zone: RFC 3339.
std::string Rfc3339(const std::string& utc) {
  return utc.empty() || utc.back() == 'Z' ? utc : utc + "Z";
}

void WriteSuppression(json::Writer& w, const Suppression& s) {
  if (!s.active()) return;
  const bool vex = s.kind == Suppression::Kind::kVex;
  w.BeginObject("suppression").String("kind", vex ? "vex" : "ignore").String("reason", s.reason);
  if (!s.expires.empty()) w.String("expires", s.expires);
  if (vex) w.String("status", s.status).String("document", s.document);
  w.EndObject();
}

void Counts(json::Writer& w, const char* key, const ImageFindings& c) {
  w.BeginObject(key)
      .Int("critical", c.critical)
      .Int("high", c.high)
      .Int("medium", c.medium)
      .Int("low", c.low)
      .Int("virus", c.virus)
      .Int("risk", c.risk)
      .Int("ignored", c.ignored)
      .Int("suppressed", c.suppressed)
      .EndObject();
}

void State(json::Writer& w, const Findings& f, BaselineState state) {
  if (!f.baseline) return;
  w.String("baselineState", state == BaselineState::kUnchanged ? "unchanged" : "new");
}

}  // namespace

void WriteBaseline(json::Writer& w, const Findings& f) {
  if (!f.baseline) return;
  const Baseline& b = *f.baseline;
  const auto& t = f.totals;
  w.BeginObject("baseline")
      .String("kind", b.kind)
      .String("reference", b.reference)
      .String("imageId", b.image_id)
      .Bool("available", b.available());
  if (!b.available()) w.String("missing", b.missing);
  w.BeginObject("new")
      .Int("critical", t.new_critical)
      .Int("high", t.new_high)
      .Int("medium", t.new_medium)
      .Int("low", t.new_low)
      .Int("virus", t.new_virus)
      .Int("risk", t.new_risk)
      .EndObject();
  w.BeginArray("fixed");
  for (const auto& x : b.fixed) {
    w.BeginObject()
        .String("kind", x.kind)
        .String("id", x.id)
        .String("level", LevelName(x.level))
        .String("name", x.name)
        .String("package", x.package)
        .String("installedVersion", x.version)
        .EndObject();
  }
  w.EndArray().EndObject();
}

std::string FindingsFile(const RunReport& r, const FindingsFileContext& ctx) {
  json::Writer w;
  w.BeginObject()
      .String("schemaVersion", kFindingsSchemaVersion)
      .BeginObject("tool")
      .String("name", "tcss-scan")
      .String("version", TCSS_VERSION)
      .String("apiVersion", "2020-11-01")
      .EndObject()
      .String("taskId", r.task_id)
      .String("requestId", r.request_id)
      .String("source", r.source)
      .String("startedAt", Rfc3339(ctx.started_at))
      .String("finishedAt", Rfc3339(ctx.finished_at))
      .String("status", r.progress ? r.progress->status : std::string())
      .Bool("complete", r.findings.has_value());
  if (!r.findings) w.String("incompleteReason", NoFindingsReason(r));
  // The gate as it was applied.
  w.BeginObject("gate");
  if (!r.threshold.empty()) w.String("threshold", r.threshold);
  std::vector<std::string> kinds;
  if (r.gate_virus) kinds.push_back("virus");
  if (r.gate_risk) kinds.push_back("risk");
  w.StringArray("failOnFindings", kinds).Bool("failed", !r.gate.empty());
  w.String("counts", r.gate_new ? "new" : "all");
  if (!r.gate.empty()) w.String("reason", r.gate);
  w.EndObject();
  w.BeginArray("images");
  if (r.findings) {
    for (const auto& img : r.findings->images) {
      w.BeginObject()
          .String("imageId", img.image_id)
          .String("reference", ImageLabel(*r.findings, img.image_id))
          .String("source", r.source)
          .String("scanStatus", img.scan_status)
          .String("digest", img.digest)
          .String("osName", img.os_name);
      Counts(w, "counts", img);
      w.EndObject();
    }
  } else {
    for (const auto& img : r.images) {
      w.BeginObject()
          .String("imageId", img.image_id)
          .String("reference", img.reference)
          .String("source", r.source)
          .EndObject();
    }
  }
  w.EndArray();
  w.BeginArray("findings");
  if (r.findings) {
    const Findings& f = *r.findings;
    const auto& vulns = f.all.empty() ? f.top : f.all;
    std::map<std::string, std::string> os_of;
    for (const auto& img : f.images) os_of[img.image_id] = img.os_name;
    for (const auto& v : vulns) {
      w.BeginObject()
          .String("kind", "vulnerability")
          .String("id", FindingId(v))
          .String("imageId", v.image_id)
          .String("level", LevelName(v.level))
          .String("name", v.name)
          .String("tcssId", v.cve_id)
          .String("package", v.component)
          .String("installedVersion", v.version)
          .String("fixedVersions", v.fixed_versions)
          .String("packageType", v.component_type)
          .String("purl", PackagePurl(v.component_type, os_of[v.image_id], v.component, v.version))
          .Raw("cvss", fmt::format("{:.1f}", v.cvss));
      WriteSuppression(w, v.suppression);
      State(w, f, v.state);
      w.EndObject();
    }
    for (const auto& t : f.threats) {
      w.BeginObject()
          .String("kind", t.kind)
          .String("id", t.id)
          .String("imageId", t.image_id)
          .String("level", LevelName(t.level))
          .String("name", t.name)
          .String("path", t.path)
          .String("md5", t.md5)
          .String("description", t.description)
          .String("solution", t.solution);
      WriteSuppression(w, t.suppression);
      State(w, f, t.state);
      w.EndObject();
    }
  }
  w.EndArray();
  const ImageFindings totals = r.findings ? r.findings->totals : ImageFindings{};
  Counts(w, "totals", totals);
  if (r.findings) WriteBaseline(w, *r.findings);
  w.Bool("allVulnerabilities", r.findings && !r.findings->all.empty()).EndObject();
  return w.str() + "\n";
}

}  // namespace tcss::reports
