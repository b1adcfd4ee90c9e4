#include "app/findings.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "core/api.h"
#include "core/image_ref.h"
#include "core/reports/model.h"

namespace tcss {

void AddImageFindings(Findings& f, const ImageFindings& row) {
  f.totals.critical += row.critical;
  f.totals.high += row.high;
  f.totals.medium += row.medium;
  f.totals.low += row.low;
  f.totals.virus += row.virus;
  f.totals.risk += row.risk;
  f.images.push_back(row);
}

void SetVulnerabilities(Findings& f, std::vector<VulnFinding> found, bool every_vulnerability) {
  constexpr size_t kTop = 10;
  std::stable_sort(found.begin(), found.end(), [](const VulnFinding& a, const VulnFinding& b) {
    return a.level != b.level ? a.level > b.level : a.cvss > b.cvss;
  });
  f.top.assign(found.begin(),
               found.begin() + static_cast<std::ptrdiff_t>(std::min(kTop, found.size())));
  if (every_vulnerability) f.all = std::move(found);
}

Status ReadThreats(ApiClient& client, Logger& log, Findings& f, bool every,
                   const std::string& virus_action, const std::string& risk_action,
                   const ListBody& body) {
  for (auto& row : f.images) {
    if (row.scan_status == "UNKNOWN") continue;
    if (!every && row.virus == 0 && row.risk == 0) continue;
    for (bool viruses : {true, false}) {
      const std::string& action = viruses ? virus_action : risk_action;
      const int64_t count = viruses ? row.virus : row.risk;
      if (!every && count == 0) continue;
      std::vector<ThreatFinding> found;
      int64_t total = 0;
      for (int64_t page = 0; page < api::kMaxPages; ++page) {
        auto resp =
            client.Call(action, body(row.image_id, api::kPageLimit, page * api::kPageLimit));
        if (!resp.ok()) return resp.error();
        std::vector<std::string> warnings;
        auto list = api::ParseThreatList(*resp, row.image_id, viruses, action, &warnings);
        if (!list.ok()) return list.error();
        for (const auto& w : warnings) log.Warn(w);
        total = list->total;
        for (auto& t : list->entries) found.push_back(std::move(t));
        if (static_cast<int64_t>(list->entries.size()) < api::kPageLimit) break;
      }
      std::set<std::string> seen;
      for (auto& t : found) {
        t.id = reports::ThreatId(t);
        if (!seen.insert(t.id).second) {
          log.Warn(
              fmt::format("{} lists {} {} twice; both are reported", row.image_id, t.kind, t.id));
        }
        f.threats.push_back(t);
      }
      const auto n = static_cast<int64_t>(found.size());
      if (n != count || n != total) {
        // More listed than counted: the list. Fewer: the count stands (the gate must not pass
        // on what TCSS did not list), the unlisted ones counted without details.
        log.Warn(fmt::format("TCSS counts {} {}(s) in {} but its list ({}) holds {}; {}", count,
                             viruses ? "virus" : "risk", row.image_id, action, n,
                             n > count ? "every listed one is reported"
                                       : "the count stands, the unlisted ones without details"));
      }
      (viruses ? row.virus : row.risk) = std::max(n, count);
      (viruses ? row.unlisted_virus : row.unlisted_risk) = std::max<int64_t>(0, count - n);
    }
    row.threats_read = true;
  }
  f.totals.virus = f.totals.risk = 0;
  for (const auto& row : f.images) {
    f.totals.virus += row.virus;
    f.totals.risk += row.risk;
  }
  std::stable_sort(
      f.threats.begin(), f.threats.end(),
      [](const ThreatFinding& a, const ThreatFinding& b) { return a.level > b.level; });
  return OkStatus();
}

Status ReadComponentLists(ApiClient& client, Logger& log, Findings& f) {
  f.components.clear();
  for (const auto& row : f.images) {
    if (row.scan_status == "UNKNOWN") continue;
    int64_t total = 0, read = 0;
    for (int64_t page = 0; page < api::kMaxPages; ++page) {
      auto resp = client.Call(
          "DescribeImageComponentList",
          api::ComponentListBody(row.image_id, api::kPageLimit, page * api::kPageLimit));
      if (!resp.ok()) return resp.error();
      auto list = api::ParseComponentList(*resp, row.image_id);
      if (!list.ok()) return list.error();
      total = list->total;
      read += static_cast<int64_t>(list->entries.size());
      for (auto& c : list->entries) f.components.push_back(std::move(c));
      if (static_cast<int64_t>(list->entries.size()) < api::kPageLimit) break;
    }
    if (read != total) {
      log.Warn(
          fmt::format("TCSS counts {} package(s) in {} but its list holds {}; the SBOM has "
                      "what was listed",
                      total, row.image_id, read));
    }
  }
  return OkStatus();
}

std::vector<PackageComponent> ComponentsOfVulnerabilities(const Findings& f) {
  std::vector<PackageComponent> out;
  std::set<std::tuple<std::string, std::string, std::string>> seen;
  for (const auto& v : f.all) {
    if (v.component.empty() || !seen.emplace(v.image_id, v.component, v.version).second) continue;
    out.push_back({v.image_id, v.component, v.version, "", v.component_type});
  }
  return out;
}

Result<Findings> CollectFindings(ApiClient& client, Logger& log,
                                 const std::vector<ImageResult>& images, bool every_vulnerability) {
  constexpr size_t kMaxVulnLookups = 20;
  Findings f;
  std::vector<std::string> ids;
  for (const auto& i : images) {
    if (std::find(ids.begin(), ids.end(), i.image_id) == ids.end()) ids.push_back(i.image_id);
  }
  std::map<std::string, api::ImageInfo> info;
  for (size_t b = 0; b < ids.size(); b += api::kValuesPerFilter) {
    size_t end = std::min(ids.size(), b + api::kValuesPerFilter);
    std::vector<std::string> batch(ids.begin() + static_cast<std::ptrdiff_t>(b),
                                   ids.begin() + static_cast<std::ptrdiff_t>(end));
    auto resp = client.Call("DescribeAssetImageList", api::ImageIdListBody(batch));
    if (!resp.ok()) return resp.error();
    auto list = api::ParseImageList(*resp);
    if (!list.ok()) return list.error();
    for (const auto& img : list->images) info[img.image_id] = img;
  }
  for (const auto& id : ids) {
    ImageFindings row;
    row.image_id = id;
    for (const auto& i : images) {
      if (i.image_id == id && i.reference != id) {
        row.reference += (row.reference.empty() ? "" : ", ") + i.reference;
        // A reference by digest (the push hook's) names the manifest: VEX and the SBOM use it.
        auto ref = ParseImageRef(i.reference);
        if (ref.ok() && !ref->digest.empty()) row.digest = ref->digest;
      }
    }
    auto it = info.find(id);
    if (it == info.end()) {
      log.Warn("TCSS lists no findings for " + id);
      row.scan_status = "UNKNOWN";
    } else {
      const auto& i = it->second;
      row.scan_status = i.scan_status;
      row.os_name = i.os_name;
      row.critical = i.critical;
      row.high = i.high;
      row.medium = i.medium;
      row.low = i.low;
      row.virus = i.virus;
      row.risk = i.risk;
    }
    AddImageFindings(f, row);
  }
  // The top list needs the 20 worst of a few images; a report needs every vulnerability.
  const bool everything = every_vulnerability;
  size_t lookups = 0;
  std::vector<VulnFinding> found;
  for (const auto& row : f.images) {
    if (row.critical + row.high + row.medium + row.low == 0) continue;
    if (!everything && ++lookups > kMaxVulnLookups) break;
    for (int64_t page = 0; page < (everything ? api::kMaxPages : 1); ++page) {
      int64_t limit = everything ? api::kPageLimit : 20;
      auto resp = client.Call("DescribeAssetImageVulList",
                              api::VulListBody(row.image_id, limit, page * limit));
      if (!resp.ok()) return resp.error();
      auto vulns = api::ParseVulList(*resp, row.image_id);
      if (!vulns.ok()) return vulns.error();
      for (auto& v : *vulns) found.push_back(std::move(v));
      if (static_cast<int64_t>(vulns->size()) < limit) break;
    }
  }
  SetVulnerabilities(f, std::move(found), everything);
  Status threats = ReadThreats(client, log, f, everything, "DescribeAssetImageVirusList",
                               "DescribeAssetImageRiskList",
                               [](const std::string& id, int64_t limit, int64_t offset) {
                                 return api::VulListBody(id, limit, offset);
                               });
  if (!threats.ok()) return threats.error();
  return f;
}

}  // namespace tcss
