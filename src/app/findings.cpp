#include "app/findings.h"

#include <algorithm>
#include <map>

#include "core/api.h"

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
      }
    }
    auto it = info.find(id);
    if (it == info.end()) {
      log.Warn("TCSS lists no findings for " + id);
      row.scan_status = "UNKNOWN";
    } else {
      const auto& i = it->second;
      row.scan_status = i.scan_status;
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
  return f;
}

}  // namespace tcss
