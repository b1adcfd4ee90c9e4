#include "core/reports/model.h"

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

std::string FindingId(const VulnFinding& v) {
  if (!v.cve_id.empty()) return v.cve_id;
  return v.name.empty() ? "unnamed-finding" : v.name;
}

bool FailsGate(const VulnFinding& v, int threshold) {
  return threshold > 0 && !v.ignored && v.level >= threshold;
}

int ThresholdLevel(const std::string& name) {
  for (int l = 1; l <= 4; ++l)
    if (LevelName(l) == name) return l;
  return 0;
}

}  // namespace tcss::reports
