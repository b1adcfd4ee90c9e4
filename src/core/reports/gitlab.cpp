#include "core/reports/gitlab.h"

#include <fmt/format.h>

#include "base/hash.h"
#include "core/json.h"
#include "core/reports/model.h"
#include "core/text.h"

namespace tcss {

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
  // --baseline-image: GitLab's CS_DEFAULT_BRANCH_IMAGE, which tracks findings across branches.
  std::string default_branch_image;
  if (r.findings && r.findings->baseline && r.findings->baseline->kind == "image") {
    default_branch_image = text::TruncateUtf8(text::OneLine(r.findings->baseline->reference), 255);
  }
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
          base::Sha256Hex(v.image_id + "|" + name + "|" + v.component + "|" + v.version);
      // A UUID-shaped id, stable for the same finding in the same image.
      id = id.substr(0, 8) + "-" + id.substr(8, 4) + "-" + id.substr(12, 4) + "-" +
           id.substr(16, 4) + "-" + id.substr(20, 12);
      w.BeginObject().String("id", id).String("name", name);
      std::string description = v.name.empty() ? name : v.name;
      if (v.cve_id != name && !v.cve_id.empty()) description += " (TCSS: " + v.cve_id + ")";
      if (v.suppression.active()) description += " (" + v.suppression.Describe() + ")";
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
      w.String("operating_system", "linux").String("image", image);
      if (!default_branch_image.empty()) w.String("default_branch_image", default_branch_image);
      w.EndObject();
      w.EndObject();
    }
  }
  if (r.findings) {
    // Viruses and risks: the file (or, for a risk, the description) stands as the package.
    for (const auto& t : r.findings->threats) {
      const std::string image = reports::ImageLabel(*r.findings, t.image_id);
      std::string id = base::Sha256Hex(t.image_id + "|" + t.id);
      id = id.substr(0, 8) + "-" + id.substr(8, 4) + "-" + id.substr(12, 4) + "-" +
           id.substr(16, 4) + "-" + id.substr(20, 12);
      std::string name = text::TruncateUtf8(
          (t.kind == "virus" ? "Malware: " : "Sensitive risk: ") + text::OneLine(t.name), 255);
      std::string description = t.description.empty() ? t.name : t.description;
      if (t.kind == "virus" && !t.path.empty()) description += " (file " + t.path + ")";
      if (t.suppression.active()) description += " (" + t.suppression.Describe() + ")";
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
      w.String("operating_system", "linux").String("image", image);
      if (!default_branch_image.empty()) w.String("default_branch_image", default_branch_image);
      w.EndObject();
      w.EndObject();
    }
  }
  w.EndArray().BeginArray("remediations").EndArray().EndObject();
  return w.str() + "\n";
}

}  // namespace tcss
