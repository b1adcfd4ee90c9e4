#include "emulator/handlers.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <set>

#include "core/image_ref.h"
#include "core/json.h"
#include "core/text.h"
#include "emulator/registry.h"

namespace tcss::emulator {

namespace {

using Obj = Poco::JSON::Object::Ptr;

enum class T { kBool, kInt, kString, kStringArray, kFilters };

struct Field {
  const char* name;
  T type;
};

// Checks that `body` has only the listed fields, each of the listed type.
std::optional<ApiResult> CheckFields(const Obj& body, std::initializer_list<Field> fields) {
  for (const auto& key : body->getNames()) {
    auto it =
        std::find_if(fields.begin(), fields.end(), [&](const Field& f) { return key == f.name; });
    if (it == fields.end()) {
      return ErrorResult("UnknownParameter", "The parameter `" + key + "` is not recognized.");
    }
    if (body->isNull(key)) continue;
    Poco::Dynamic::Var v = body->get(key);
    bool ok = true;
    auto string_array = [](const Poco::Dynamic::Var& var) {
      if (var.type() != typeid(Poco::JSON::Array::Ptr)) return false;
      auto a = var.extract<Poco::JSON::Array::Ptr>();
      for (size_t i = 0; i < a->size(); ++i)
        if (!a->get(static_cast<unsigned>(i)).isString()) return false;
      return true;
    };
    switch (it->type) {
      case T::kBool:
        ok = v.isBoolean();
        break;
      case T::kInt:
        ok = v.isInteger() && !v.isBoolean();
        break;
      case T::kString:
        ok = v.isString();
        break;
      case T::kStringArray:
        ok = string_array(v);
        break;
      case T::kFilters: {
        ok = v.type() == typeid(Poco::JSON::Array::Ptr);
        if (!ok) break;
        auto a = v.extract<Poco::JSON::Array::Ptr>();
        for (size_t i = 0; i < a->size() && ok; ++i) {
          auto f = a->getObject(static_cast<unsigned>(i));
          ok = !f.isNull() && f->has("Name") && f->get("Name").isString() && f->has("Values") &&
               string_array(f->get("Values")) &&
               (!f->has("ExactMatch") || f->get("ExactMatch").isBoolean());
          if (ok) {
            for (const auto& k : f->getNames())
              if (k != "Name" && k != "Values" && k != "ExactMatch") ok = false;
          }
        }
        break;
      }
    }
    if (!ok) {
      return ErrorResult("InvalidParameter.InvalidFormat",
                         "The parameter `" + key + "` has the wrong type.");
    }
  }
  return std::nullopt;
}

std::vector<std::string> Strings(const Obj& body, const std::string& key) {
  std::vector<std::string> out;
  if (!body->has(key) || body->isNull(key)) return out;
  auto a = body->getArray(key);
  for (size_t i = 0; a && i < a->size(); ++i)
    out.push_back(a->getElement<std::string>(static_cast<unsigned>(i)));
  return out;
}

bool BoolOf(const Obj& body, const std::string& key) {
  return body->has(key) && !body->isNull(key) && body->getValue<bool>(key);
}

int64_t IntOf(const Obj& body, const std::string& key, int64_t def) {
  if (!body->has(key) || body->isNull(key)) return def;
  return body->getValue<int64_t>(key);
}

struct FilterSpec {
  std::string name;
  std::vector<std::string> values;
  bool exact = false;
};

std::vector<FilterSpec> Filters(const Obj& body) {
  std::vector<FilterSpec> out;
  if (!body->has("Filters") || body->isNull("Filters")) return out;
  auto a = body->getArray("Filters");
  for (size_t i = 0; i < a->size(); ++i) {
    auto f = a->getObject(static_cast<unsigned>(i));
    FilterSpec s;
    s.name = f->getValue<std::string>("Name");
    s.values = Strings(f, "Values");
    s.exact = BoolOf(f, "ExactMatch");
    out.push_back(s);
  }
  return out;
}

// An image matches when every filter has a value that matches (substring unless exact).
std::optional<ApiResult> MatchFilters(const std::vector<FilterSpec>& filters, const Image& img,
                                      bool* matched) {
  *matched = true;
  for (const auto& f : filters) {
    const std::string* field = nullptr;
    if (f.name == "ImageName")
      field = &img.image_name;
    else if (f.name == "ImageID")
      field = &img.image_id;
    else
      return ErrorResult("InvalidParameterValue", "Unsupported filter `" + f.name + "`.");
    bool any = false;
    for (const auto& v : f.values) {
      bool exact = f.exact || f.name == "ImageID";
      if (exact ? *field == v : field->find(v) != std::string::npos) any = true;
    }
    if (!any) *matched = false;
  }
  return std::nullopt;
}

std::string ImageJson(const Image& img, const std::string& scan_status) {
  bool scanned = scan_status == "SCANNED";
  auto n = [&](int64_t v) { return scanned ? v : 0; };
  json::Writer w;
  w.BeginObject()
      .String("ImageID", img.image_id)
      .String("ImageName", img.image_name)
      .String("CreateTime", "2024-01-01T00:00:00Z")
      .Int("Size", 73400320)
      .Int("HostCnt", 1)
      .Int("ContainerCnt", 1)
      .String("ScanTime", scanned ? "2024-01-01T00:05:00Z" : "")
      .String("ScanStatus", scan_status)
      .Int("VulCnt", n(img.critical + img.high + img.medium + img.low))
      .Int("VirusCnt", n(img.virus))
      .Int("RiskCnt", n(img.risk))
      .Int("CriticalLevelVulCnt", n(img.critical))
      .Int("HighLevelVulCnt", n(img.high))
      .Int("MediumLevelVulCnt", n(img.medium))
      .Int("LowLevelVulCnt", n(img.low))
      .Bool("IsTrustImage", false)
      .String("OsName", img.os_name)
      .String("AgentError", "No Error")
      .String("ScanError", "No Error")
      .Int("IsAuthorized", 1)
      .EndObject();
  return w.str();
}

std::string Inner(const json::Writer& w) {
  const std::string& s = w.str();
  return s.substr(1, s.size() - 2);
}

ApiResult CreateScanTask(State& st, const Obj& body, int64_t now_ms) {
  if (auto e = CheckFields(body, {{"All", T::kBool},
                                  {"Images", T::kStringArray},
                                  {"ScanVul", T::kBool},
                                  {"ScanVirus", T::kBool},
                                  {"ScanRisk", T::kBool},
                                  {"Filters", T::kFilters},
                                  {"ExcludeImageIds", T::kStringArray},
                                  {"ContainerRunning", T::kBool},
                                  {"ScanScope", T::kInt},
                                  {"Timeout", T::kInt},
                                  {"IsOneClickScanningTask", T::kBool},
                                  {"ClusterIDs", T::kStringArray}}))
    return *e;
  bool all = BoolOf(body, "All");
  auto images = Strings(body, "Images");
  auto filters = Filters(body);
  if (!all && images.empty() && filters.empty()) {
    return ErrorResult("InvalidParameter", "Choose the images to scan: All, Images or Filters.");
  }
  if (!BoolOf(body, "ScanVul") && !BoolOf(body, "ScanVirus") && !BoolOf(body, "ScanRisk")) {
    return ErrorResult("InvalidParameter",
                       "At least one of ScanVul, ScanVirus, ScanRisk must be true.");
  }
  std::vector<std::string> ids;
  if (!images.empty()) {
    for (const auto& i : images) {
      auto img = st.FindImage(i);
      if (!img) return ErrorResult("ResourceNotFound", "The image `" + i + "` does not exist.");
      if (std::find(ids.begin(), ids.end(), img->image_id) == ids.end())
        ids.push_back(img->image_id);
    }
  } else {
    auto exclude = Strings(body, "ExcludeImageIds");
    for (const auto& img : st.Inventory()) {
      bool matched = true;
      if (auto e = MatchFilters(filters, img, &matched)) return *e;
      if (!matched) continue;
      if (std::find(exclude.begin(), exclude.end(), img.image_id) != exclude.end()) continue;
      ids.push_back(img.image_id);
    }
  }
  std::string busy;
  auto task = st.CreateTask(ids, now_ms, &busy);
  if (!task) {
    return ErrorResult("FailedOperation.ErrAlreadyScanning",
                       "The image `" + busy + "` is already being scanned.");
  }
  json::Writer w;
  w.BeginObject().String("TaskID", task->task_id).EndObject();
  return {"", "", Inner(w)};
}

ApiResult DescribeImageList(State& st, const Obj& body, int64_t now_ms) {
  if (auto e = CheckFields(body, {{"Limit", T::kInt},
                                  {"Offset", T::kInt},
                                  {"Filters", T::kFilters},
                                  {"By", T::kString},
                                  {"Order", T::kString}}))
    return *e;
  int64_t limit = IntOf(body, "Limit", 10);
  int64_t offset = IntOf(body, "Offset", 0);
  if (limit < 0 || limit > 100 || offset < 0) {
    return ErrorResult("InvalidParameterValue", "Limit must be 0 to 100 and Offset at least 0.");
  }
  auto filters = Filters(body);
  std::vector<Image> matched;
  for (const auto& img : st.Inventory()) {
    bool m = true;
    if (auto e = MatchFilters(filters, img, &m)) return *e;
    if (m) matched.push_back(img);
  }
  std::string list;
  for (int64_t i = offset; i < offset + limit && i < static_cast<int64_t>(matched.size()); ++i) {
    const Image& img = matched[static_cast<size_t>(i)];
    if (!list.empty()) list += ",";
    list += ImageJson(img, st.ImageScanStatus(img.image_id, now_ms));
  }
  return {"", "", "\"List\":[" + list + "],\"TotalCount\":" + std::to_string(matched.size())};
}

ApiResult ScanStatus(State& st, const Obj& body, int64_t now_ms) {
  if (auto e = CheckFields(body, {{"TaskID", T::kString}})) return *e;
  std::optional<Task> task;
  if (body->has("TaskID") && !body->isNull("TaskID")) {
    task = st.FindTask(body->getValue<std::string>("TaskID"));
    if (!task) return ErrorResult("ResourceNotFound", "The task does not exist.");
  } else {
    task = st.LatestTask();
    if (!task) return ErrorResult("ResourceNotFound", "There is no scan task.");
  }
  std::string status = State::TaskStatus(*task, now_ms);
  int64_t elapsed = now_ms - task->created_ms;
  int64_t total = static_cast<int64_t>(task->image_ids.size());
  int64_t schedule = status == "END"      ? 100
                     : task->scan_ms <= 0 ? 100
                                          : std::min<int64_t>(99, elapsed * 100 / task->scan_ms);
  if (status == "READY") schedule = 0;
  int64_t scanned = total * schedule / 100;
  int64_t risky = 0;
  if (status == "END") {
    for (const auto& id : task->image_ids) {
      auto img = st.FindImage(id);
      if (img && (img->critical + img->high + img->medium + img->low + img->virus + img->risk) > 0)
        ++risky;
    }
  }
  json::Writer w;
  w.BeginObject()
      .Int("ImageTotal", total)
      .Int("ImageScanCnt", scanned)
      .String("Status", status)
      .Int("Schedule", schedule)
      .Int("SuccessCount", status == "END" ? total - risky : 0)
      .Int("RiskCount", risky)
      .Int("LeftSeconds", std::max<int64_t>(0, (task->scan_ms - elapsed + 999) / 1000))
      .EndObject();
  return {"", "", Inner(w)};
}

ApiResult ScanTask(State& st, const Obj& body, int64_t now_ms, int64_t now_unix) {
  if (auto e = CheckFields(body, {})) return *e;
  auto task = st.LatestTask();
  json::Writer w;
  w.BeginObject();
  if (task) {
    std::string status = State::TaskStatus(*task, now_ms);
    std::string started =
        text::FormatUtc(now_unix - (now_ms - task->created_ms) / 1000, "%Y-%m-%d %H:%M:%S");
    w.String("TaskID", task->task_id)
        .String("LastScanTime", started)
        .String("Status", status == "STOPPED" ? "END" : status)
        .String("SubStatus", status == "STOPPED" ? "Cancel"
                             : status == "END"   ? "Success"
                                                 : "");
  } else {
    w.String("TaskID", "").String("Status", "END").String("SubStatus", "");
  }
  w.EndObject();
  return {"", "", Inner(w)};
}

ApiResult ScanStop(State& st, const Obj& body) {
  if (auto e = CheckFields(body, {{"TaskID", T::kString},
                                  {"Images", T::kStringArray},
                                  {"Filters", T::kFilters},
                                  {"ExcludeImageIds", T::kString}}))
    return *e;
  std::string task_id =
      body->has("TaskID") && !body->isNull("TaskID") ? body->getValue<std::string>("TaskID") : "";
  auto images = Strings(body, "Images");
  if (task_id.empty() && images.empty()) {
    return ErrorResult("InvalidParameter", "Give TaskID or Images.");
  }
  st.StopTasks(task_id, images);
  return {"", "", "\"Status\":\"SUCCESS\""};
}

// The request of an image's list (vulnerabilities, viruses, risks): ImageID, Limit 0-100,
// Offset; `error` set when it is refused.
struct ImageListRequest {
  std::optional<ApiResult> error;
  std::string id;
  std::optional<Image> img;
  int64_t limit = 10, offset = 0;
};

ImageListRequest ReadImageListRequest(State& st, const Obj& body) {
  ImageListRequest q;
  if (auto e = CheckFields(body, {{"ImageID", T::kString},
                                  {"Limit", T::kInt},
                                  {"Offset", T::kInt},
                                  {"Filters", T::kFilters},
                                  {"By", T::kString},
                                  {"Order", T::kString}})) {
    q.error = *e;
  } else if (!body->has("ImageID") || body->isNull("ImageID")) {
    q.error = ErrorResult("MissingParameter", "ImageID is required.");
  } else {
    q.id = body->getValue<std::string>("ImageID");
    q.img = st.FindImage(q.id);
    q.limit = IntOf(body, "Limit", 10);
    q.offset = IntOf(body, "Offset", 0);
    if (!q.img || q.img->image_id != q.id) {
      q.error = ErrorResult("ResourceNotFound", "The image does not exist.");
    } else if (q.limit < 0 || q.limit > 100 || q.offset < 0) {
      q.error =
          ErrorResult("InvalidParameterValue", "Limit must be 0 to 100 and Offset at least 0.");
    }
  }
  return q;
}

ApiResult VulList(State& st, const Obj& body, int64_t now_ms) {
  ImageListRequest q = ReadImageListRequest(st, body);
  if (q.error) return *q.error;
  const int64_t limit = q.limit;
  const int64_t offset = q.offset;
  std::vector<Vuln> vulns;
  if (st.ImageScanStatus(q.id, now_ms) == "SCANNED") vulns = q.img->vulns;
  std::sort(vulns.begin(), vulns.end(), [](const Vuln& a, const Vuln& b) {
    return a.level != b.level ? a.level > b.level : a.cvss > b.cvss;
  });
  std::string list;
  for (int64_t i = offset; i < offset + limit && i < static_cast<int64_t>(vulns.size()); ++i) {
    const Vuln& v = vulns[static_cast<size_t>(i)];
    json::Writer w;
    w.BeginObject()
        .String("CVEID", v.cve_id)
        .String("Name", v.name)
        .String("Component", v.component)
        .String("Version", v.version)
        .String("FixedVersions", v.fixed_versions)
        .String("CategoryType", v.category_type)
        .Int("Level", v.level)
        .Raw("CVSSV3Score", fmt::format("{}", v.cvss))
        .EndObject();
    if (!list.empty()) list += ",";
    list += w.str();
  }
  return {"", "", "\"List\":[" + list + "],\"TotalCount\":" + std::to_string(vulns.size())};
}

// DescribeImageComponentList: the image's packages once its scan has ended (the inventory's
// Components, else those its vulnerabilities name), by name, paged (Limit 0-100).
ApiResult ComponentList(State& st, const Obj& body, int64_t now_ms) {
  ImageListRequest q = ReadImageListRequest(st, body);
  if (q.error) return *q.error;
  std::vector<Component> all = q.img->components;
  if (all.empty()) {
    std::set<std::pair<std::string, std::string>> seen;
    for (const auto& v : q.img->vulns) {
      if (seen.emplace(v.component, v.version).second)
        all.push_back({v.component, v.version, "/var/lib/dpkg/status", "SYSTEM_COMPONENT"});
    }
  }
  if (st.ImageScanStatus(q.id, now_ms) != "SCANNED") all.clear();
  std::string list;
  for (int64_t i = q.offset; i < q.offset + q.limit && i < static_cast<int64_t>(all.size()); ++i) {
    const Component& c = all[static_cast<size_t>(i)];
    size_t vulns = 0;
    for (const auto& v : q.img->vulns) vulns += v.component == c.name && v.version == c.version;
    json::Writer w;
    w.BeginObject()
        .String("Name", c.name)
        .String("Version", c.version)
        .String("Path", c.path)
        .String("Type", c.type)
        .Int("VulCount", static_cast<int64_t>(vulns))
        .String("ImageID", q.id)
        .EndObject();
    list += (list.empty() ? "" : ",") + w.str();
  }
  return {"", "", "\"List\":[" + list + "],\"TotalCount\":" + std::to_string(all.size())};
}

// DescribeAssetImageVirusList / DescribeAssetImageRiskList: the image's list once its scan has
// ended, paged like every list (Limit 0-100).
ApiResult ThreatList(State& st, const Obj& body, int64_t now_ms, bool viruses) {
  ImageListRequest q = ReadImageListRequest(st, body);
  if (q.error) return *q.error;
  return ThreatPage(
      q.img->viruses, q.img->risks,
      {viruses, false, st.ImageScanStatus(q.id, now_ms) == "SCANNED", q.limit, q.offset});
}

}  // namespace

ApiResult ErrorResult(const std::string& code, const std::string& message) {
  return {code, message, ""};
}

ApiResult ThreatPage(const std::vector<Virus>& viruses, const std::vector<Risk>& risks,
                     const ThreatQuery& q) {
  const bool want_viruses = q.viruses;
  const bool registry = q.registry;
  static const char* const kWords[] = {"LOW", "LOW", "MEDIUM", "HIGH", "CRITICAL"};
  auto level = [&](json::Writer& w, const char* key, int64_t l) {
    if (registry) {
      w.String(key, kWords[std::clamp<int64_t>(l, 0, 4)]);
    } else {
      w.Int(key, l);
    }
  };
  const size_t total = !q.scanned ? 0 : want_viruses ? viruses.size() : risks.size();
  std::string list;
  for (int64_t i = q.offset; i < q.offset + q.limit && i < static_cast<int64_t>(total); ++i) {
    json::Writer w;
    w.BeginObject();
    if (want_viruses) {
      const Virus& v = viruses[static_cast<size_t>(i)];
      w.String("Path", v.path);
      level(w, "RiskLevel", v.level);
      if (registry) w.String("Category", "Trojan").String("FileType", "ELF");
      w.String("VirusName", v.name)
          .Raw("Tags", "[]")
          .String("Desc", v.desc)
          .String("Solution", v.solution)
          .Int(registry ? "FileSize" : "Size", 4096)
          .String("FirstScanTime", "2024-10-11 14:34:15")
          .String("LatestScanTime", "2024-10-11 14:34:15")
          .String(registry ? "FileMd5" : "Md5", v.md5)
          .String("FileName", v.file_name);
      if (!registry) w.Raw("CheckPlatform", "[\"1\"]");
    } else {
      const Risk& r = risks[static_cast<size_t>(i)];
      w.Int("Behavior", r.behavior).Int("Type", r.type);
      level(w, "Level", r.level);
      w.String("Desc", r.desc).String("InstructionContent", r.instruction);
    }
    w.EndObject();
    list += (list.empty() ? "" : ",") + w.str();
  }
  std::string fields = "\"List\":[" + list + "],\"TotalCount\":" + std::to_string(total);
  // Only the local virus list says how the virus scan went (2 ended, 0 not scanned).
  if (want_viruses && !registry)
    fields += ",\"VirusScanStatus\":" + std::string(q.scanned ? "2" : "0");
  return {"", "", fields};
}

bool IsKnownAction(const std::string& a) {
  static const std::set<std::string> kActions = {"CreateAssetImageScanTask",
                                                 "DescribeAssetImageList",
                                                 "DescribeAssetImageScanStatus",
                                                 "DescribeAssetImageScanTask",
                                                 "ModifyAssetImageScanStop",
                                                 "DescribeAssetImageVulList",
                                                 "DescribeAssetImageVirusList",
                                                 "DescribeAssetImageRiskList",
                                                 "DescribeImageComponentList",
                                                 "DescribeAssetImageRegistryList",
                                                 "CreateAssetImageRegistryScanTask",
                                                 "DescribeAssetImageRegistryScanStatusOneKey",
                                                 "DescribeAssetImageRegistryVulList",
                                                 "DescribeAssetImageRegistryVirusList",
                                                 "DescribeAssetImageRegistryRiskInfoList",
                                                 "SyncAssetImageRegistryAsset",
                                                 "DescribeAssetImageRegistryAssetStatus"};
  return kActions.count(a) > 0;
}

ApiResult HandleAction(State& state, const std::string& action, const Obj& body, int64_t now_ms,
                       int64_t now_unix) {
  if (state.registry() && state.registry()->Handles(action)) {
    return state.registry()->Handle(action, body, now_ms);
  }
  if (action == "CreateAssetImageScanTask") return CreateScanTask(state, body, now_ms);
  if (action == "DescribeAssetImageList") return DescribeImageList(state, body, now_ms);
  if (action == "DescribeAssetImageScanStatus") return ScanStatus(state, body, now_ms);
  if (action == "DescribeAssetImageScanTask") return ScanTask(state, body, now_ms, now_unix);
  if (action == "ModifyAssetImageScanStop") return ScanStop(state, body);
  if (action == "DescribeAssetImageVulList") return VulList(state, body, now_ms);
  if (action == "DescribeAssetImageVirusList") return ThreatList(state, body, now_ms, true);
  if (action == "DescribeAssetImageRiskList") return ThreatList(state, body, now_ms, false);
  if (action == "DescribeImageComponentList") return ComponentList(state, body, now_ms);
  return ErrorResult("InvalidAction", "The action `" + action + "` does not exist.");
}

std::string Envelope(const ApiResult& r, const std::string& request_id) {
  if (!r.error_code.empty()) {
    return "{\"Response\":{\"Error\":{\"Code\":" + json::Quote(r.error_code) +
           ",\"Message\":" + json::Quote(r.error_message) +
           "},\"RequestId\":" + json::Quote(request_id) + "}}";
  }
  return "{\"Response\":{" + r.fields + (r.fields.empty() ? "" : ",") +
         "\"RequestId\":" + json::Quote(request_id) + "}}";
}

}  // namespace tcss::emulator
