#include "emulator/registry.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <set>

#include "core/image_ref.h"
#include "core/json.h"
#include "core/registry_api.h"
#include "emulator/options.h"

namespace tcss::emulator {

namespace {

using Obj = Poco::JSON::Object::Ptr;

std::string Inner(const json::Writer& w) {
  const std::string& s = w.str();
  return s.substr(1, s.size() - 2);
}

// Unknown fields and wrong types, as the real API answers them. `ints` are uint64 fields,
// `int_arrays` arrays of them; every other listed field may have any type.
std::optional<ApiResult> Check(const Obj& body, std::initializer_list<const char*> allowed,
                               std::initializer_list<const char*> ints,
                               std::initializer_list<const char*> int_arrays) {
  for (const auto& key : body->getNames()) {
    if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; })) {
      return ErrorResult("UnknownParameter", "The parameter `" + key + "` is not recognized.");
    }
    if (body->isNull(key)) continue;
    auto v = body->get(key);
    bool is_int = std::any_of(ints.begin(), ints.end(), [&](const char* a) { return key == a; });
    bool is_array =
        std::any_of(int_arrays.begin(), int_arrays.end(), [&](const char* a) { return key == a; });
    bool ok = true;
    if (is_int) ok = !json::Uint64Digits(v).empty();
    if (is_array) {
      ok = v.type() == typeid(Poco::JSON::Array::Ptr);
      if (ok) {
        auto a = v.extract<Poco::JSON::Array::Ptr>();
        for (size_t i = 0; i < a->size() && ok; ++i)
          ok = !json::Uint64Digits(a->get(static_cast<unsigned>(i))).empty();
      }
    }
    if (!ok) {
      return ErrorResult("InvalidParameter.InvalidFormat",
                         "The parameter `" + key + "` has the wrong type.");
    }
  }
  return std::nullopt;
}

uint64_t U64(const Poco::Dynamic::Var& v) { return std::stoull(json::Uint64Digits(v)); }

std::vector<uint64_t> U64s(const Obj& body, const std::string& key) {
  std::vector<uint64_t> out;
  if (!body->has(key) || body->isNull(key)) return out;
  auto a = body->getArray(key);
  for (size_t i = 0; i < a->size(); ++i) out.push_back(U64(a->get(static_cast<unsigned>(i))));
  return out;
}

std::string LastSegment(const std::string& repo) {
  size_t slash = repo.rfind('/');
  return slash == std::string::npos ? repo : repo.substr(slash + 1);
}

}  // namespace

std::vector<RegistryImage> DemoRegistryInventory() {
  RegistryImage web;
  web.id = 110207177;
  web.repo_address = "ccr.ccs.tencentyun.com/demo/web";
  web.tag = "2.0";
  web.digest = "sha256:1b31d8c7a3a09bfc5a0b1b3dd1c4d3a14b63fd7df4a4d4bfd6c5b1b1b7f1e3a1";
  web.image_id = "sha256:f2de6a3ce9d4e4b8a6f3b0c2a6b5d7e9c1a3f5b7d9e1c3a5f7b9d1e3c5a7f9b1";
  web.instance = "ccr-ap-guangzhou";
  web.registry_type = "ccr";
  web.critical = 1;
  web.high = 1;
  web.medium = 1;
  web.vulns = {
      {"CVE-2024-6387", "regreSSHion", 4, 9.8, "openssh-server", "9.2p1", "9.2p1-2+deb12u3"},
      {"CVE-2023-44487", "HTTP/2 rapid reset", 3, 7.5, "nghttp2", "1.52.0", "1.52.0-1+deb12u1"},
      {"CVE-2023-5678", "openssl DH check", 2, 5.3, "openssl", "3.0.11", ""}};
  return {web};
}

Result<std::vector<RegistryImage>> ParseRegistryImages(const std::string& what,
                                                       const std::string& text) {
  auto a = ParseJsonList(what, text);
  if (!a.ok()) return a.error();
  std::vector<RegistryImage> out;
  for (size_t i = 0; i < (*a)->size(); ++i) {
    auto fail = [&](const std::string& why) {
      return UsageError(fmt::format("{}: registry image #{}: {}", what, i + 1, why));
    };
    auto o = (*a)->getObject(static_cast<unsigned>(i));
    if (o.isNull()) return fail("not an object");
    json::Reader ir;
    RegistryImage img;
    img.repo_address = ir.String(o, "ImageRepoAddress", true);
    img.tag = ir.String(o, "ImageTag", false);
    img.digest = ir.String(o, "ImageDigest", true);
    img.image_id = ir.String(o, "ImageId", false);
    if (std::string os = ir.String(o, "OsName", false); !os.empty()) img.os_name = os;
    std::string instance = ir.String(o, "InstanceName", false);
    img.critical = ir.Int(o, "CriticalLevelVulCnt", false);
    img.high = ir.Int(o, "HighLevelVulCnt", false);
    img.medium = ir.Int(o, "MediumLevelVulCnt", false);
    img.low = ir.Int(o, "LowLevelVulCnt", false);
    img.virus = ir.Int(o, "VirusCnt", false);
    img.risk = ir.Int(o, "RiskCnt", false);
    auto vulns = ir.Array(o, "Vulns", false);
    if (!ir.ok) return fail("ImageRepoAddress and ImageDigest must be strings, counts numbers");
    if (!instance.empty()) img.instance = instance;
    if (img.tag.empty()) img.tag = "latest";
    if (!ParseImageRef(img.repo_address + ":" + img.tag).ok()) {
      return fail("\"" + img.repo_address + ":" + img.tag + "\" is not an image reference");
    }
    if (!IsImageId(img.digest)) return fail("ImageDigest must be sha256: and 64 hex digits");
    if (img.image_id.empty()) img.image_id = img.digest;
    if (o->has("Id")) {
      std::string id = json::Uint64Digits(o->get("Id"));
      if (id.empty()) return fail("Id must be a uint64");
      img.id = std::stoull(id);
    }
    auto parsed = ParseVulns(vulns);
    if (!parsed.ok()) return fail(parsed.error().message);
    img.vulns = std::move(*parsed);
    auto threats = ParseThreats(o);
    if (!threats.ok()) return fail(threats.error().message);
    img.viruses = std::move(threats->first);
    img.risks = std::move(threats->second);
    out.push_back(std::move(img));
  }
  return out;
}

RegistryStore::RegistryStore(std::vector<RegistryImage> images, double scan_seconds,
                             double sync_seconds)
    : images_(images),
      initial_(std::move(images)),
      scan_ms_(static_cast<int64_t>(scan_seconds * 1000)),
      sync_ms_(static_cast<int64_t>(sync_seconds * 1000)) {
  uint64_t next = 200000000;
  for (auto* list : {&images_, &initial_})
    for (auto& img : *list)
      if (img.id == 0) img.id = next++;
}

void RegistryStore::Push(std::vector<RegistryImage> images, int64_t now_ms) {
  std::lock_guard<std::mutex> l(mu_);
  uint64_t next = 300000000 + images_.size();
  for (auto& img : images) {
    if (img.id == 0) img.id = next++;
    img.pending = true;
    img.visible_from_ms = sync_ms_ > 0 ? now_ms + sync_ms_ : std::numeric_limits<int64_t>::max();
    images_.erase(std::remove_if(images_.begin(), images_.end(),
                                 [&](const RegistryImage& e) { return e.id == img.id; }),
                  images_.end());
    images_.push_back(std::move(img));
  }
}

void RegistryStore::Reset() {
  std::lock_guard<std::mutex> l(mu_);
  images_ = initial_;
  tasks_.clear();
  sync_started_ms_ = -1;
}

bool RegistryStore::Handles(const std::string& action) const {
  static const std::set<std::string> kActions = {"DescribeAssetImageRegistryList",
                                                 "CreateAssetImageRegistryScanTask",
                                                 "DescribeAssetImageRegistryScanStatusOneKey",
                                                 "DescribeAssetImageRegistryVulList",
                                                 "DescribeAssetImageRegistryVirusList",
                                                 "DescribeAssetImageRegistryRiskInfoList",
                                                 "SyncAssetImageRegistryAsset",
                                                 "DescribeAssetImageRegistryAssetStatus"};
  return kActions.count(action) > 0;
}

ApiResult RegistryStore::Handle(const std::string& action, const Obj& body, int64_t now_ms) {
  std::lock_guard<std::mutex> l(mu_);
  if (action == "DescribeAssetImageRegistryList") return List(body, now_ms);
  if (action == "CreateAssetImageRegistryScanTask") return Create(body, now_ms);
  if (action == "DescribeAssetImageRegistryScanStatusOneKey") return ScanStatus(body, now_ms);
  if (action == "DescribeAssetImageRegistryVulList") return VulList(body, now_ms);
  if (action == "DescribeAssetImageRegistryVirusList") return ThreatList(body, now_ms, true);
  if (action == "DescribeAssetImageRegistryRiskInfoList") return ThreatList(body, now_ms, false);
  if (action == "SyncAssetImageRegistryAsset") return Sync(body, now_ms);
  return SyncStatus(body, now_ms);
}

std::vector<RegistryImage> RegistryStore::Visible(int64_t now_ms) {
  std::vector<RegistryImage> out;
  for (const auto& img : images_)
    if (!img.pending || now_ms >= img.visible_from_ms) out.push_back(img);
  return out;
}

std::string RegistryStore::Status(const Task& t, int64_t now_ms) const {
  int64_t elapsed = std::max<int64_t>(0, now_ms - t.created_ms);
  if (elapsed >= scan_ms_) return "END";
  if (elapsed < scan_ms_ / 5) return "READY";
  return "SCANNING";
}

ApiResult RegistryStore::List(const Obj& body, int64_t now_ms) {
  if (auto e =
          Check(body, {"Limit", "Offset", "Filters", "By", "Order", "OnlyShowLatest", "IsRunning"},
                {"Limit", "Offset"}, {}))
    return *e;
  int64_t limit = body->has("Limit") ? static_cast<int64_t>(U64(body->get("Limit"))) : 10;
  int64_t offset = body->has("Offset") ? static_cast<int64_t>(U64(body->get("Offset"))) : 0;
  if (limit > 100) return ErrorResult("InvalidParameterValue", "Limit must be 0 to 100.");
  std::vector<std::pair<std::string, std::vector<std::string>>> filters;
  std::vector<bool> exact;
  if (body->has("Filters") && !body->isNull("Filters")) {
    auto a = body->getArray("Filters");
    for (size_t i = 0; a && i < a->size(); ++i) {
      auto f = a->getObject(static_cast<unsigned>(i));
      json::Reader r;
      std::string name = f.isNull() ? "" : r.String(f, "Name", true);
      auto values = f.isNull() ? nullptr : r.Array(f, "Values", true);
      if (!r.ok)
        return ErrorResult("InvalidParameter.InvalidFormat", "Filters need Name and Values.");
      if (name != "ImageName" && name != "IsAuthorized") {
        return ErrorResult("InvalidParameter", "The filter `" + name + "` is not supported.");
      }
      std::vector<std::string> vs;
      for (size_t j = 0; j < values->size(); ++j)
        vs.push_back(values->get(static_cast<unsigned>(j)).toString());
      filters.emplace_back(name, vs);
      exact.push_back(f->has("ExactMatch") && f->get("ExactMatch").isBoolean() &&
                      f->getValue<bool>("ExactMatch"));
    }
  }
  std::vector<RegistryImage> matched;
  for (const auto& img : Visible(now_ms)) {
    bool ok = true;
    for (size_t i = 0; i < filters.size(); ++i) {
      if (filters[i].first != "ImageName") continue;
      std::string name = LastSegment(img.repo_address);
      bool any = std::any_of(filters[i].second.begin(), filters[i].second.end(),
                             [&](const std::string& v) {
                               return exact[i] ? name == v : name.find(v) != std::string::npos;
                             });
      ok = ok && any;
    }
    if (ok) matched.push_back(img);
  }
  std::string list;
  for (int64_t i = offset; i < offset + limit && i < static_cast<int64_t>(matched.size()); ++i) {
    const auto& img = matched[static_cast<size_t>(i)];
    bool scanned = std::any_of(tasks_.begin(), tasks_.end(), [&](const Task& t) {
      return Status(t, now_ms) == "END" &&
             std::find(t.images.begin(), t.images.end(), img.id) != t.images.end();
    });
    bool scanning = !scanned && std::any_of(tasks_.begin(), tasks_.end(), [&](const Task& t) {
      return std::find(t.images.begin(), t.images.end(), img.id) != t.images.end();
    });
    auto n = [&](int64_t v) { return scanned ? v : 0; };
    std::string ns = img.repo_address.substr(img.repo_address.find('/') + 1);
    ns = ns.find('/') == std::string::npos ? "" : ns.substr(0, ns.rfind('/'));
    json::Writer w;
    w.BeginObject().Raw("Id", std::to_string(img.id)).String("ImageRepoAddress", img.repo_address);
    w.String("ImageName", LastSegment(img.repo_address)).String("Namespace", ns);
    w.String("ImageTag", img.tag).String("ImageDigest", img.digest).String("ImageId", img.image_id);
    w.String("InstanceName", img.instance)
        .String("InstanceId", "")
        .String("RegistryType", img.registry_type)
        .String("OsName", img.os_name);
    w.String("ScanStatus", scanned ? "SCANNED" : scanning ? "SCANNING" : "NOT_SCAN");
    w.Int("CriticalLevelVulCnt", n(img.critical)).Int("HighLevelVulCnt", n(img.high));
    w.Int("MediumLevelVulCnt", n(img.medium)).Int("LowLevelVulCnt", n(img.low));
    w.Int("VulCnt", n(img.critical + img.high + img.medium + img.low));
    w.Int("VirusCnt", n(img.virus)).Int("RiskCnt", n(img.risk));
    w.Bool("HasNeedFixVul", scanned && img.critical + img.high > 0).Int("IsAuthorized", 1);
    w.Bool("IsLatestImage", true).EndObject();
    list += (list.empty() ? "" : ",") + w.str();
  }
  return {"", "", "\"List\":[" + list + "],\"TotalCount\":" + std::to_string(matched.size())};
}

ApiResult RegistryStore::Create(const Obj& body, int64_t now_ms) {
  if (auto e = Check(body,
                     {"All", "Images", "ScanType", "Id", "Filters", "ExcludeImageList",
                      "OnlyScanLatest", "Timeout"},
                     {"Timeout"}, {"Id", "ExcludeImageList"}))
    return *e;
  json::Reader r;
  auto types = r.Array(body, "ScanType", true);
  if (!r.ok || types->size() == 0) {
    return ErrorResult("InvalidParameter", "ScanType must list CVE, VIRUS and/or RISK.");
  }
  for (size_t i = 0; i < types->size(); ++i) {
    std::string t = types->get(static_cast<unsigned>(i)).toString();
    if (t != "CVE" && t != "VIRUS" && t != "RISK") {
      return ErrorResult("InvalidParameter", "ScanType `" + t + "` is not CVE, VIRUS or RISK.");
    }
  }
  std::vector<uint64_t> ids = U64s(body, "Id");
  auto visible = Visible(now_ms);
  if (body->has("All") && body->get("All").isBoolean() && body->getValue<bool>("All")) {
    auto exclude = U64s(body, "ExcludeImageList");
    for (const auto& img : visible)
      if (std::find(exclude.begin(), exclude.end(), img.id) == exclude.end()) ids.push_back(img.id);
  }
  if (ids.empty()) return ErrorResult("InvalidParameter", "Choose the images: Id, Images or All.");
  for (uint64_t id : ids) {
    if (std::none_of(visible.begin(), visible.end(),
                     [&](const RegistryImage& i) { return i.id == id; }))
      return ErrorResult("ResourceNotFound",
                         "The registry image " + std::to_string(id) + " does not exist.");
  }
  Task t{next_task_++, ids, now_ms};
  tasks_.push_back(t);
  return {"", "", "\"TaskID\":" + std::to_string(t.id)};
}

ApiResult RegistryStore::ScanStatus(const Obj& body, int64_t now_ms) {
  if (auto e = Check(body, {"Images", "All", "Id", "TaskID"}, {"TaskID"}, {"Id"})) return *e;
  const Task* task = nullptr;
  if (body->has("TaskID") && !body->isNull("TaskID")) {
    uint64_t id = U64(body->get("TaskID"));
    for (const auto& t : tasks_)
      if (t.id == id) task = &t;
  } else if (!tasks_.empty()) {
    task = &tasks_.back();
  }
  if (!task) return ErrorResult("ResourceNotFound", "The task does not exist.");
  std::string status = Status(*task, now_ms);
  int64_t elapsed = now_ms - task->created_ms;
  int64_t total = static_cast<int64_t>(task->images.size());
  int64_t schedule = status == "END" ? 100
                     : status == "READY"
                         ? 0
                         : std::min<int64_t>(99, elapsed * 100 / std::max<int64_t>(scan_ms_, 1));
  json::Writer w;
  w.BeginObject().Int("ImageTotal", total).Int("ImageScanCnt", total * schedule / 100);
  w.BeginArray("ImageStatus");
  for (uint64_t id : task->images) {
    w.BeginObject()
        .Raw("Id", std::to_string(id))
        .String("Status", status == "END" ? "SCANNED" : "SCANNING")
        .EndObject();
  }
  w.EndArray().Int("SuccessCount", status == "END" ? total : 0).Int("RiskCount", 0);
  w.Int("Schedule", schedule).String("Status", status);
  w.Int("ScanRemainTime", std::max<int64_t>(0, (scan_ms_ - elapsed + 999) / 1000)).EndObject();
  return {"", "", Inner(w)};
}

RegistryStore::ListRequest RegistryStore::ReadListRequest(const Obj& body, int64_t now_ms) {
  ListRequest q;
  if (auto e = Check(body, {"Limit", "Offset", "Filters", "ImageInfo", "Id", "By", "Order"},
                     {"Limit", "Offset", "Id"}, {})) {
    q.error = *e;
    return q;
  }
  if (!body->has("Id")) {
    q.error = ErrorResult("MissingParameter", "Id is required.");
    return q;
  }
  uint64_t id = U64(body->get("Id"));
  q.limit = body->has("Limit") ? static_cast<int64_t>(U64(body->get("Limit"))) : 10;
  q.offset = body->has("Offset") ? static_cast<int64_t>(U64(body->get("Offset"))) : 0;
  if (q.limit > 100) {
    q.error = ErrorResult("InvalidParameterValue", "Limit must be 0 to 100.");
    return q;
  }
  for (const auto& i : images_)
    if (i.id == id) q.img = &i;
  if (!q.img) {
    q.error = ErrorResult("ResourceNotFound", "The registry image does not exist.");
    return q;
  }
  q.scanned = std::any_of(tasks_.begin(), tasks_.end(), [&](const Task& t) {
    return Status(t, now_ms) == "END" &&
           std::find(t.images.begin(), t.images.end(), id) != t.images.end();
  });
  return q;
}

ApiResult RegistryStore::VulList(const Obj& body, int64_t now_ms) {
  ListRequest q = ReadListRequest(body, now_ms);
  if (q.error) return *q.error;
  const int64_t limit = q.limit;
  const int64_t offset = q.offset;
  std::vector<Vuln> vulns = q.scanned ? q.img->vulns : std::vector<Vuln>{};
  std::string list;
  for (int64_t i = offset; i < offset + limit && i < static_cast<int64_t>(vulns.size()); ++i) {
    const Vuln& v = vulns[static_cast<size_t>(i)];
    json::Writer w;
    w.BeginObject().String("CVEID", v.cve_id).String("POCID", "").String("Name", v.name);
    w.String("Level", std::to_string(v.level)).String("CvssScore", fmt::format("{:.1f}", v.cvss));
    w.String("Component", v.component).String("Version", v.version);
    w.String("CategoryType", v.category_type);
    w.String("FixedVersions", v.fixed_versions)
        .String("IsSuggest", v.fixed_versions.empty() ? "false" : "true");
    w.BeginArray("Components")
        .BeginObject()
        .String("Name", v.component)
        .String("Version", v.version);
    w.String("FixedVersion", v.fixed_versions)
        .String("Path", "")
        .String("Type", v.category_type)
        .EndObject()
        .EndArray();
    w.EndObject();
    list += (list.empty() ? "" : ",") + w.str();
  }
  return {"", "", "\"List\":[" + list + "],\"TotalCount\":" + std::to_string(vulns.size())};
}

// The registry lists send levels as words (the SDK types them as strings).
ApiResult RegistryStore::ThreatList(const Obj& body, int64_t now_ms, bool viruses) {
  ListRequest q = ReadListRequest(body, now_ms);
  if (q.error) return *q.error;
  return ThreatPage(q.img->viruses, q.img->risks, {viruses, true, q.scanned, q.limit, q.offset});
}

ApiResult RegistryStore::Sync(const Obj& body, int64_t now_ms) {
  if (auto e = Check(body, {"All", "RegistryIds"}, {}, {"RegistryIds"})) return *e;
  sync_started_ms_ = now_ms;
  for (auto& img : images_)
    if (img.pending) img.visible_from_ms = std::min(img.visible_from_ms, now_ms + 1000);
  return {"", "", ""};
}

ApiResult RegistryStore::SyncStatus(const Obj& body, int64_t now_ms) {
  if (auto e = Check(body, {}, {}, {})) return *e;
  std::string status =
      sync_started_ms_ >= 0 && now_ms < sync_started_ms_ + 1000 ? "doing" : "success";
  json::Writer w;
  w.BeginObject()
      .String("Status", status)
      .String("Err", "")
      .String("LatestSyncSuccessTime", "2024-01-01 00:00:00")
      .EndObject();
  return {"", "", Inner(w)};
}

}  // namespace tcss::emulator
