#include "core/reports/sbom.h"

#include <fmt/format.h>

#include <map>
#include <set>
#include <tuple>

#include "base/hash.h"
#include "core/image_ref.h"
#include "core/json.h"
#include "core/reports/model.h"
#include "core/reports/purl.h"
#include "core/text.h"

namespace tcss::reports {

namespace {

// "2024-01-02T03:04:05" → "2024-01-02T03:04:05Z".
std::string Rfc3339(const std::string& utc) {
  return utc.empty() || utc.back() == 'Z' ? utc : utc + "Z";
}

const char* Severity(int64_t level) {
  static const char* kSeverity[] = {"unknown", "low", "medium", "high", "critical"};
  return kSeverity[level >= 1 && level <= 4 ? level : 0];
}

// OpenVEX justification → CycloneDX's impactAnalysisJustification.
std::string CdxJustification(const std::string& reason) {
  static const std::pair<const char*, const char*> kMap[] = {
      {"component_not_present", "code_not_present"},
      {"vulnerable_code_not_present", "code_not_present"},
      {"vulnerable_code_not_in_execute_path", "code_not_reachable"},
      {"vulnerable_code_cannot_be_controlled_by_adversary", "protected_by_mitigating_control"},
      {"inline_mitigations_already_exist", "protected_by_mitigating_control"}};
  for (const auto& [vex, cdx] : kMap) {
    if (reason.rfind(vex, 0) == 0) return cdx;
  }
  return "";
}

void Analysis(json::Writer& w, const Suppression& s) {
  if (!s.active()) return;
  w.BeginObject("analysis");
  if (s.kind == Suppression::Kind::kVex) {
    w.String("state", s.status == "fixed" ? "resolved" : "not_affected");
    std::string j = CdxJustification(s.reason);
    if (!j.empty()) w.String("justification", j);
  } else {
    w.StringArray("response", {"will_not_fix"});
  }
  w.String("detail", text::TruncateUtf8(s.Describe(), 2000)).EndObject();
}

struct Package {
  std::string ref;
  const PackageComponent* component = nullptr;
  std::string name, version, type, path;
};

}  // namespace

std::string SerialNumber(const std::string& seed) {
  std::string h = base::Sha256Hex(seed).substr(0, 32);
  h[12] = '4';
  h[16] = "89ab"[(h[16] >= 'a' ? h[16] - 'a' + 10 : h[16] - '0') & 3];
  return "urn:uuid:" + h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" +
         h.substr(16, 4) + "-" + h.substr(20, 12);
}

std::string CycloneDxSbom(const RunReport& r, const SbomContext& ctx) {
  json::Writer w;
  w.BeginObject()
      .String("$schema", "http://cyclonedx.org/schema/bom-1.6.schema.json")
      .String("bomFormat", "CycloneDX")
      .String("specVersion", "1.6")
      .String("serialNumber", SerialNumber(r.task_id + "|" + ctx.timestamp))
      .Int("version", 1);
  w.BeginObject("metadata").String("timestamp", Rfc3339(ctx.timestamp));
  w.BeginObject("tools")
      .BeginArray("components")
      .BeginObject()
      .String("type", "application")
      .String("name", "tcss-scan")
      .String("version", TCSS_VERSION)
      .EndObject()
      .EndArray()
      .EndObject();
  w.BeginArray("properties")
      .BeginObject()
      .String("name", "tcss:taskId")
      .String("value", r.task_id)
      .EndObject()
      .EndArray();
  w.EndObject();  // metadata

  // Packages: the component lists, then any package a vulnerability names that they lack.
  std::map<std::tuple<std::string, std::string, std::string>, Package> packages;
  std::map<std::string, std::vector<std::string>> by_image;  // image → package refs, in order
  size_t next = 0;
  auto add = [&](const std::string& image, const std::string& name, const std::string& version,
                 const std::string& type, const std::string& path) -> const std::string& {
    auto [it, fresh] = packages.try_emplace({image, name, version});
    if (fresh) {
      it->second = {fmt::format("package-{}", ++next), nullptr, name, version, type, path};
      by_image[image].push_back(it->second.ref);
    }
    return it->second.ref;
  };
  const Findings* f = r.findings ? &*r.findings : nullptr;
  std::vector<std::tuple<std::string, std::string, std::string>> order;
  if (f) {
    for (const auto& c : f->components) {
      if (!packages.count({c.image_id, c.name, c.version}))
        order.emplace_back(c.image_id, c.name, c.version);
      add(c.image_id, c.name, c.version, c.type, c.path);
    }
    const auto& vulns = f->all.empty() ? f->top : f->all;
    for (const auto& v : vulns) {
      if (v.component.empty()) continue;
      if (!packages.count({v.image_id, v.component, v.version}))
        order.emplace_back(v.image_id, v.component, v.version);
      add(v.image_id, v.component, v.version, v.component_type, "");
    }
  }
  std::map<std::string, std::string> os_of;
  w.BeginArray("components");
  const auto images = [&] {
    std::vector<ImageFindings> out;
    if (f) return f->images;
    for (const auto& i : r.images) {
      ImageFindings row;
      row.image_id = i.image_id;
      row.reference = i.reference == i.image_id ? "" : i.reference;
      out.push_back(row);
    }
    return out;
  }();
  for (const auto& img : images) {
    os_of[img.image_id] = img.os_name;
    std::string first = img.reference.substr(0, img.reference.find(", "));
    auto ref = ParseImageRef(first);
    std::string digest = IsImageId(img.digest) ? img.digest : "";
    w.BeginObject().String("type", "container").String("bom-ref", "image-" + img.image_id);
    if (ref.ok()) {
      if (digest.empty() && !ref->digest.empty()) digest = ref->digest;
      w.String("name", ref->domain + "/" + ref->path);
      w.String("version", !ref->tag.empty() ? ref->tag : digest);
      w.String("purl", ImagePurl(ref->domain, ref->path, digest));
    } else {
      w.String("name", img.image_id);
    }
    if (IsImageId(img.image_id)) {
      w.BeginArray("hashes")
          .BeginObject()
          .String("alg", "SHA-256")
          .String("content", img.image_id.substr(7))
          .EndObject()
          .EndArray();
    }
    w.BeginArray("properties");
    w.BeginObject().String("name", "tcss:imageId").String("value", img.image_id).EndObject();
    if (!img.os_name.empty())
      w.BeginObject().String("name", "tcss:osName").String("value", img.os_name).EndObject();
    w.EndArray().EndObject();
  }
  for (const auto& key : order) {
    const Package& p = packages[key];
    const std::string& image = std::get<0>(key);
    w.BeginObject()
        .String("type", "library")
        .String("bom-ref", p.ref)
        .String("name", p.name.empty() ? "unknown" : p.name);
    if (!p.version.empty()) w.String("version", p.version);
    std::string purl = PackagePurl(p.type, os_of[image], p.name, p.version);
    if (!purl.empty()) w.String("purl", purl);
    w.BeginArray("properties");
    w.BeginObject().String("name", "tcss:imageId").String("value", image).EndObject();
    if (!p.type.empty())
      w.BeginObject().String("name", "tcss:type").String("value", p.type).EndObject();
    if (!p.path.empty())
      w.BeginObject().String("name", "tcss:path").String("value", p.path).EndObject();
    w.EndArray().EndObject();
  }
  w.EndArray();  // components

  w.BeginArray("dependencies");
  for (const auto& img : images) {
    w.BeginObject().String("ref", "image-" + img.image_id);
    w.StringArray("dependsOn", by_image[img.image_id]).EndObject();
  }
  for (const auto& key : order) w.BeginObject().String("ref", packages[key].ref).EndObject();
  w.EndArray();

  w.BeginArray("vulnerabilities");
  if (f) {
    size_t n = 0;
    const auto& vulns = f->all.empty() ? f->top : f->all;
    for (const auto& v : vulns) {
      std::string id = FindingId(v);
      const bool cve = id.rfind("CVE-", 0) == 0;
      w.BeginObject().String("bom-ref", fmt::format("vulnerability-{}", ++n)).String("id", id);
      w.BeginObject("source");
      if (cve) {
        w.String("name", "NVD").String("url", "https://nvd.nist.gov/vuln/detail/" + id);
      } else {
        w.String("name", "TCSS");
      }
      w.EndObject();
      w.BeginArray("ratings")
          .BeginObject()
          .BeginObject("source")
          .String("name", "TCSS")
          .EndObject();
      if (v.cvss > 0) w.Raw("score", fmt::format("{:.1f}", v.cvss)).String("method", "CVSSv3");
      w.String("severity", Severity(v.level)).EndObject().EndArray();
      if (!v.name.empty()) w.String("description", text::TruncateUtf8(v.name, 4000));
      if (!v.fixed_versions.empty()) {
        w.String("recommendation", "Upgrade " + v.component + " to " + v.fixed_versions);
      }
      if (!v.component.empty()) {
        w.BeginArray("affects")
            .BeginObject()
            .String("ref", packages[{v.image_id, v.component, v.version}].ref)
            .EndObject()
            .EndArray();
      } else {
        w.BeginArray("affects")
            .BeginObject()
            .String("ref", "image-" + v.image_id)
            .EndObject()
            .EndArray();
      }
      Analysis(w, v.suppression);
      if (v.cve_id != id && !v.cve_id.empty()) {
        w.BeginArray("properties")
            .BeginObject()
            .String("name", "tcss:cveId")
            .String("value", v.cve_id)
            .EndObject()
            .EndArray();
      }
      w.EndObject();
    }
  }
  w.EndArray();
  w.EndObject();
  return w.str() + "\n";
}

}  // namespace tcss::reports
