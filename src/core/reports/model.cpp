#include "core/reports/model.h"

#include "base/hash.h"

#include <algorithm>
#include <cctype>

#include "core/image_ref.h"

namespace tcss::reports {

std::string ImageLabel(const Findings& f, const std::string& image_id) {
  for (const auto& i : f.images) {
    if (i.image_id != image_id) continue;
    if (i.reference.empty()) return image_id;
    return i.reference.substr(0, i.reference.find(", "));
  }
  return image_id;
}

std::string Repository(const std::string& label) {
  if (IsImageId(label)) return "image/" + label.substr(7);
  auto ref = ParseImageRef(label);
  if (!ref.ok()) return label;
  return ref->domain + "/" + ref->path;
}

bool IsFindingId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.' ||
           c == ':';
  });
}

std::string FindingId(const VulnFinding& v) {
  if (IsFindingId(v.cve_id)) return v.cve_id;
  return "TCSS-" + base::Sha256Hex(v.cve_id + "\n" + v.name).substr(0, 12);
}

std::string ThreatId(const ThreatFinding& t) {
  const bool md5 =
      t.md5.size() == 32 && std::all_of(t.md5.begin(), t.md5.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0 || (c >= 'a' && c <= 'f');
      });
  if (t.kind == "virus") {
    if (md5) return "md5:" + t.md5;
    return "TCSS-VIRUS-" + base::Sha256Hex(t.name + "\n" + t.path).substr(0, 12);
  }
  return "TCSS-RISK-" + base::Sha256Hex(t.name + "\n" + t.description).substr(0, 12);
}

bool FailsGate(const VulnFinding& v, int threshold, bool only_new) {
  return threshold > 0 && !v.suppression.active() && v.level >= threshold &&
         !(only_new && v.state == BaselineState::kUnchanged);
}

bool FailsGate(const ThreatFinding& t, const RunReport& report) {
  const bool gated = t.kind == "virus" ? report.gate_virus : report.gate_risk;
  return gated && !t.suppression.active() &&
         !(report.gate_new && t.state == BaselineState::kUnchanged);
}

int ThresholdLevel(const std::string& name) {
  for (int l = 1; l <= 4; ++l)
    if (LevelName(l) == name) return l;
  return 0;
}

std::string NoFindingsReason(const RunReport& report) {
  std::string why = "no findings were read: ";
  if (report.error && !report.error_is_warning) return why + report.error->message;
  if (report.progress && report.progress->status != "END") {
    return why + "the scan did not end (status " + report.progress->status + ")";
  }
  if (!report.waited) return why + "the run did not wait for the scan (--wait)";
  return why + "no image was scanned";
}

}  // namespace tcss::reports
