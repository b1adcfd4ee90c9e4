#include "core/registry_api.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "core/json.h"
#include "core/policy.h"
#include "core/text.h"

namespace tcss::registry_api {

namespace {

Error Protocol(const std::string& what, const Poco::JSON::Object::Ptr& response) {
  return TransportError("InvalidResponse", "the service answered with " + what,
                        api::RequestIdOf(response));
}

std::string IdArray(const std::vector<std::string>& ids) {
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + ids[i];
  return out + "]";
}

}  // namespace

bool IsRegistryTaskId(const std::string& task_id) {
  // Digits of a uint64 as JSON writes them: no sign, no leading zero ({"TaskID":0123} is not JSON).
  if (task_id.empty() || task_id.size() > 20 || (task_id.size() > 1 && task_id[0] == '0') ||
      !std::all_of(task_id.begin(), task_id.end(),
                   [](unsigned char c) { return std::isdigit(c) != 0; })) {
    return false;
  }
  return task_id.size() < 20 || task_id <= "18446744073709551615";
}

std::string ListBody(const std::vector<std::string>& names, int64_t limit, int64_t offset) {
  json::Writer w;
  w.BeginObject().Int("Limit", limit).Int("Offset", offset);
  if (!names.empty()) {
    w.BeginArray("Filters").BeginObject().String("Name", "ImageName");
    w.StringArray("Values", names).Bool("ExactMatch", true).EndObject().EndArray();
  }
  w.EndObject();
  return w.str();
}

Result<RegistryListPage> ParseList(const Poco::JSON::Object::Ptr& response) {
  json::Reader r;
  RegistryListPage page;
  page.total = r.Int(response, "TotalCount", false);
  auto entries = api::PageEntries(r, response, "DescribeAssetImageRegistryList");
  if (!entries.ok()) return entries.error();
  const auto& list = *entries;
  if (!r.ok)
    return Protocol("a DescribeAssetImageRegistryList answer of the wrong shape", response);
  for (size_t i = 0; list && i < list->size(); ++i) {
    auto item = list->getObject(static_cast<unsigned>(i));
    if (item.isNull()) return Protocol("a registry image that is not an object", response);
    json::Reader ir;
    RegistryImage img;
    img.id = item->has("Id") ? json::Uint64Digits(item->get("Id")) : "";
    img.repo_address = ir.String(item, "ImageRepoAddress", false);
    img.tag = ir.String(item, "ImageTag", false);
    img.digest = ir.String(item, "ImageDigest", false);
    img.image_id = ir.String(item, "ImageId", false);
    img.instance = ir.String(item, "InstanceName", false);
    img.scan_status = ir.String(item, "ScanStatus", false);
    img.os_name = ir.String(item, "OsName", false);
    img.critical = ir.Int(item, "CriticalLevelVulCnt", false);
    img.high = ir.Int(item, "HighLevelVulCnt", false);
    img.medium = ir.Int(item, "MediumLevelVulCnt", false);
    img.low = ir.Int(item, "LowLevelVulCnt", false);
    img.virus = ir.Int(item, "VirusCnt", false);
    img.risk = ir.Int(item, "RiskCnt", false);
    if (!ir.ok || img.id.empty()) {
      // One bad entry (an Id that is a string, negative, out of range) must not hide the
      // others, nor become another image: it is left out, and the caller says so.
      std::string name = text::OneLine(
          text::TruncateUtf8(img.repo_address + (img.tag.empty() ? "" : ":" + img.tag), 200));
      page.skipped.push_back(
          fmt::format("entry {} of the registry list ({}) has no valid Id (a uint64) or fields "
                      "of the wrong type; it is left out",
                      i + 1, name.empty() ? "no name" : name));
      continue;
    }
    page.images.push_back(std::move(img));
  }
  return page;
}

std::string NameFilterValue(const ImageRef& ref) {
  size_t slash = ref.path.rfind('/');
  return slash == std::string::npos ? ref.path : ref.path.substr(slash + 1);
}

bool Matches(const ImageRef& ref, const RegistryImage& image) {
  std::string text = image.repo_address;
  if (!ref.digest.empty()) {
    auto repo = ParseImageRef(text);
    if (!repo.ok() || image.digest != ref.digest) return false;
    return repo->domain == ref.domain && repo->path == ref.path;
  }
  auto listed = ParseImageRef(text + ":" + (image.tag.empty() ? "latest" : image.tag));
  return listed.ok() && listed->Normalized() == ref.Normalized();
}

std::string CreateBody(const Config& c, const std::vector<std::string>& ids) {
  std::vector<std::string> types;
  if (c.scan_vul) types.push_back("CVE");
  if (c.scan_virus) types.push_back("VIRUS");
  if (c.scan_risk) types.push_back("RISK");
  json::Writer w;
  w.BeginObject();
  if (c.all) w.Bool("All", true);
  if (!ids.empty()) w.Raw("Id", IdArray(ids));
  w.StringArray("ScanType", types);
  api::WriteFilters(w, c.filters);
  if (!c.exclude_image_ids.empty()) {
    // Registry exclusions are list Ids (digits); anything else cannot be excluded here.
    std::vector<std::string> excluded;
    for (const auto& e : c.exclude_image_ids)
      if (IsRegistryTaskId(e)) excluded.push_back(e);
    if (!excluded.empty()) w.Raw("ExcludeImageList", IdArray(excluded));
  }
  w.EndObject();
  return w.str();
}

Result<api::CreateTaskResult> ParseCreate(const Poco::JSON::Object::Ptr& response) {
  api::CreateTaskResult out;
  out.request_id = api::RequestIdOf(response);
  out.task_id = response->has("TaskID") ? json::Uint64Digits(response->get("TaskID")) : "";
  if (out.task_id.empty() && response->has("TaskID") && response->get("TaskID").isString()) {
    std::string s = response->get("TaskID").extract<std::string>();
    if (IsRegistryTaskId(s)) out.task_id = s;
  }
  if (out.task_id.empty()) {
    return Protocol("a CreateAssetImageRegistryScanTask answer without a TaskID (a uint64)",
                    response);
  }
  return out;
}

std::string StatusBody(const std::string& task_id) { return "{\"TaskID\":" + task_id + "}"; }

Result<api::ScanStatus> ParseStatus(const Poco::JSON::Object::Ptr& response) {
  json::Reader r;
  api::ScanStatus s;
  s.status = r.String(response, "Status", true);
  s.schedule = r.Int(response, "Schedule", false);
  s.image_total = r.Int(response, "ImageTotal", false);
  s.image_scan_cnt = r.Int(response, "ImageScanCnt", false);
  s.success_count = r.Int(response, "SuccessCount", false);
  s.risk_count = r.Int(response, "RiskCount", false);
  s.left_seconds = r.Int(response, "ScanRemainTime", false);
  if (!r.ok || s.status.empty() || s.status.size() > 64 ||
      !std::all_of(s.status.begin(), s.status.end(),
                   [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '-'; })) {
    return Protocol("a DescribeAssetImageRegistryScanStatusOneKey answer without a valid Status",
                    response);
  }
  return s;
}

bool IsFinishedStatus(const std::string& status) {
  return status == "END" || status == "SCANNED" || status == "SUCCESS";
}

std::string VulListBody(const std::string& id, int64_t limit, int64_t offset) {
  return "{\"Id\":" + id + ",\"Limit\":" + std::to_string(limit) +
         ",\"Offset\":" + std::to_string(offset) + "}";
}

Result<std::vector<VulnFinding>> ParseVulList(const Poco::JSON::Object::Ptr& response,
                                              const std::string& id) {
  json::Reader r;
  auto entries = api::PageEntries(r, response, "DescribeAssetImageRegistryVulList");
  if (!entries.ok()) return entries.error();
  const auto& list = *entries;
  if (!r.ok)
    return Protocol("a DescribeAssetImageRegistryVulList answer of the wrong shape", response);
  std::vector<VulnFinding> out;
  for (size_t i = 0; list && i < list->size(); ++i) {
    auto item = list->getObject(static_cast<unsigned>(i));
    if (item.isNull()) return Protocol("a registry vulnerability that is not an object", response);
    json::Reader vr;
    VulnFinding v = api::VulnCommonFields(vr, item, id);
    std::string level = vr.String(item, "Level", false);
    std::string cvss = vr.String(item, "CvssScore", false);
    if (!vr.ok) return Protocol("a registry vulnerability of the wrong shape", response);
    // Strings here, unlike the local list: "3", "8.8". A level outside 1-4 stays 0 (unknown).
    v.level = level.size() == 1 && level[0] >= '1' && level[0] <= '4' ? level[0] - '0' : 0;
    char* end = nullptr;
    double score = std::strtod(cvss.c_str(), &end);
    v.cvss = (!cvss.empty() && end && *end == '\0' && score >= 0 && score <= 10) ? score : 0;
    out.push_back(std::move(v));
  }
  return out;
}

std::string SyncBody() { return "{\"All\":true}"; }

Result<SyncStatus> ParseSyncStatus(const Poco::JSON::Object::Ptr& response) {
  json::Reader r;
  SyncStatus s;
  s.status = r.String(response, "Status", false);
  s.error = text::TruncateUtf8(r.String(response, "Err", false), 300);
  if (!r.ok)
    return Protocol("a DescribeAssetImageRegistryAssetStatus answer of the wrong shape", response);
  return s;
}

}  // namespace tcss::registry_api
