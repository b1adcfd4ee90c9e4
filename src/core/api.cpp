#include "core/api.h"

#include <fmt/format.h>

#include "core/json.h"
#include "core/policy.h"
#include "core/text.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace tcss::api {

namespace {
Error Protocol(const std::string& what, const std::string& request_id = "") {
  return TransportError("InvalidResponse", "the service answered with " + what, request_id);
}
std::string Snippet(const std::string& body) {
  std::string s = text::ValidUtf8(text::TruncateUtf8(RedactSecretFields(body), 80));
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return s;
}
// An error code is words of letters and digits joined by '.' (AuthFailure.SignatureFailure).
bool IsErrorCode(const std::string& code) {
  return !code.empty() && code.size() <= 128 &&
         std::all_of(code.begin(), code.end(), [](unsigned char c) {
           return std::isalnum(c) || c == '.' || c == '_' || c == '-';
         });
}
bool SecretName(std::string_view key) {
  std::string k = text::Lower(key);
  for (const char* word :
       {"token", "secret", "key", "password", "credential", "signature", "authorization"}) {
    if (k.find(word) != std::string::npos) return true;
  }
  return false;
}
}  // namespace

std::string RedactSecretFields(std::string_view body) {
  std::string out;
  out.reserve(body.size());
  size_t i = 0;
  while (i < body.size()) {
    if (body[i] != '"') {
      out += body[i++];
      continue;
    }
    // A quoted string: a key when a ':' follows it.
    size_t end = i + 1;
    while (end < body.size() && body[end] != '"') end += body[end] == '\\' ? 2 : 1;
    end = std::min(end, body.size());
    std::string_view key = body.substr(i + 1, end - i - 1);
    out.append(body.substr(i, std::min(end + 1, body.size()) - i));
    i = std::min(end + 1, body.size());
    size_t j = i;
    while (j < body.size() &&
           (body[j] == ' ' || body[j] == '\t' || body[j] == '\n' || body[j] == '\r'))
      ++j;
    if (j >= body.size() || body[j] != ':' || !SecretName(key)) continue;
    ++j;
    while (j < body.size() &&
           (body[j] == ' ' || body[j] == '\t' || body[j] == '\n' || body[j] == '\r'))
      ++j;
    if (j >= body.size() || body[j] != '"') continue;
    size_t v = j + 1;
    while (v < body.size() && body[v] != '"') v += body[v] == '\\' ? 2 : 1;
    out.append(body.substr(i, j + 1 - i)).append("***");
    if (v < body.size()) out += '"';
    i = std::min(v + 1, body.size());
  }
  return out;
}

void WriteFilters(json::Writer& w, const std::vector<Filter>& filters) {
  if (filters.empty()) return;
  w.BeginArray("Filters");
  for (const auto& f : filters) {
    w.BeginObject().String("Name", f.name).StringArray("Values", f.values);
    w.Bool("ExactMatch", f.exact).EndObject();
  }
  w.EndArray();
}

std::string CreateScanTaskBody(const Config& c, const std::vector<std::string>& images) {
  json::Writer w;
  w.BeginObject();
  if (c.all) w.Bool("All", true);
  if (!images.empty()) w.StringArray("Images", images);
  w.Bool("ScanVul", c.scan_vul).Bool("ScanVirus", c.scan_virus).Bool("ScanRisk", c.scan_risk);
  WriteFilters(w, c.filters);
  if (!c.exclude_image_ids.empty()) w.StringArray("ExcludeImageIds", c.exclude_image_ids);
  w.EndObject();
  return w.str();
}

std::string DescribeImageListBody(const std::string& filter_name,
                                  const std::vector<std::string>& values, int64_t limit,
                                  int64_t offset) {
  json::Writer w;
  w.BeginObject().Int("Limit", limit).Int("Offset", offset).BeginArray("Filters");
  w.BeginObject().String("Name", filter_name).StringArray("Values", values);
  w.Bool("ExactMatch", false).EndObject();
  w.EndArray().EndObject();
  return w.str();
}

std::string ScanStatusBody(const std::string& task_id) {
  json::Writer w;
  w.BeginObject().String("TaskID", task_id).EndObject();
  return w.str();
}

std::string RequestIdOf(const Poco::JSON::Object::Ptr& response) {
  json::Reader r;
  std::string id = r.String(response, "RequestId", false);
  return IsValidRequestId(id) ? id : "";
}

Result<Poco::JSON::Object::Ptr> ParseEnvelope(int http_status, const std::string& body,
                                              bool may_carry_credentials) {
  const char* kWithheld = " (the body is not quoted: it may carry credentials)";
  if (http_status != 200) {
    std::string what = "HTTP " + std::to_string(http_status);
    auto maybe = json::ParseObject(body);
    std::string rid;
    if (maybe.ok()) {
      json::Reader r;
      auto resp = r.Object(*maybe, "Response", false);
      if (resp) rid = RequestIdOf(resp);
    }
    if (may_carry_credentials) {
      what += kWithheld;
    } else if (!body.empty()) {
      what += " (body starts: \"" + Snippet(body) + "\")";
    }
    return Protocol(what + ", not an API response", rid);
  }
  auto root = json::ParseObject(body);
  if (!root.ok()) {
    if (may_carry_credentials) return Protocol(std::string("a body that is not JSON") + kWithheld);
    return Protocol("a body that is not JSON (" + root.error().message + "; starts: \"" +
                    Snippet(body) + "\")");
  }
  json::Reader r;
  auto response = r.Object(*root, "Response", true);
  if (!r.ok) return Protocol("JSON without a \"Response\" object");
  std::string request_id = r.String(response, "RequestId", false);
  if (!r.ok || !IsValidRequestId(request_id)) request_id.clear();
  auto error = r.Object(response, "Error", false);
  if (!r.ok) return Protocol("a \"Response.Error\" that is not an object", request_id);
  if (error) {
    json::Reader er;
    std::string code = er.String(error, "Code", true);
    std::string message = er.String(error, "Message", false);
    if (!er.ok || !IsErrorCode(code)) {
      return Protocol("an Error without a valid Code", request_id);
    }
    message = text::ValidUtf8(text::TruncateUtf8(message, 1000));
    for (char& ch : message)
      if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ch = ' ';
    // Found by fuzzing: an Error without Message would print an empty explanation.
    if (message.empty()) message = "the API answered " + code + " without a message";
    return Error{ErrorKind::kApi, code, message, request_id};
  }
  if (request_id.empty()) return Protocol("a Response without a valid RequestId");
  return response;
}

Result<CreateTaskResult> ParseCreateTask(const Poco::JSON::Object::Ptr& response) {
  CreateTaskResult out;
  out.request_id = RequestIdOf(response);
  Poco::Dynamic::Var v = response->has("TaskID") ? response->get("TaskID") : Poco::Dynamic::Var();
  // TaskID is a string in this API; a number is accepted and written as digits.
  if (v.isString()) {
    out.task_id = v.extract<std::string>();
  } else if (v.isInteger() && !v.isBoolean()) {
    // Digits as the server sent them; an integer out of range arrives as a string and is
    // refused below, never read as another number.
    out.task_id = json::Uint64Digits(v);
  }
  if (!IsValidTaskId(out.task_id)) {
    return Protocol("a Response without a valid TaskID (letters, digits, '.', '_', '-')",
                    out.request_id);
  }
  return out;
}

Result<Poco::JSON::Array::Ptr> PageEntries(json::Reader& r, const Poco::JSON::Object::Ptr& response,
                                           const std::string& action) {
  auto list = r.Array(response, "List", false);
  if (list && list->size() > static_cast<size_t>(kPageLimit)) {
    return Protocol(fmt::format("a {} page of {} entries, more than the {} asked for", action,
                                list->size(), kPageLimit),
                    RequestIdOf(response));
  }
  return list;
}

Result<ImageListPage> ParseImageList(const Poco::JSON::Object::Ptr& response) {
  json::Reader r;
  ImageListPage page;
  page.total = r.Int(response, "TotalCount", false);
  auto entries = PageEntries(r, response, "DescribeAssetImageList");
  if (!entries.ok()) return entries.error();
  const auto& list = *entries;
  if (!r.ok)
    return Protocol("a DescribeAssetImageList answer of the wrong shape", RequestIdOf(response));
  if (list) {
    for (size_t i = 0; i < list->size(); ++i) {
      auto item = list->getObject(static_cast<unsigned>(i));
      if (item.isNull())
        return Protocol("a List entry that is not an object", RequestIdOf(response));
      ImageInfo info;
      info.image_id = r.String(item, "ImageID", true);
      info.image_name = r.String(item, "ImageName", false);
      info.scan_status = r.String(item, "ScanStatus", false);
      info.os_name = r.String(item, "OsName", false);
      info.critical = r.Int(item, "CriticalLevelVulCnt", false);
      info.high = r.Int(item, "HighLevelVulCnt", false);
      info.medium = r.Int(item, "MediumLevelVulCnt", false);
      info.low = r.Int(item, "LowLevelVulCnt", false);
      info.virus = r.Int(item, "VirusCnt", false);
      info.risk = r.Int(item, "RiskCnt", false);
      if (!r.ok) return Protocol("an image entry of the wrong shape", RequestIdOf(response));
      page.images.push_back(std::move(info));
    }
  }
  return page;
}

Result<ScanStatus> ParseScanStatus(const Poco::JSON::Object::Ptr& response) {
  json::Reader r;
  ScanStatus s;
  s.status = r.String(response, "Status", true);
  s.schedule = r.Int(response, "Schedule", false);
  s.image_total = r.Int(response, "ImageTotal", false);
  s.image_scan_cnt = r.Int(response, "ImageScanCnt", false);
  s.success_count = r.Int(response, "SuccessCount", false);
  s.risk_count = r.Int(response, "RiskCount", false);
  s.left_seconds = r.Int(response, "LeftSeconds", false);
  if (!r.ok || s.status.empty() || s.status.size() > 64) {
    return Protocol("a DescribeAssetImageScanStatus answer without a valid Status",
                    RequestIdOf(response));
  }
  // The status word reaches stdout (`tcss-scan status`) and every CI system's variables: a
  // word of [A-Za-z0-9_-] as TCSS's statuses are, else it is not shown but called UNKNOWN
  // (a terminal status: the wait ends with ScanStatus.UNKNOWN).
  if (!std::all_of(s.status.begin(), s.status.end(),
                   [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '-'; })) {
    s.status = "UNKNOWN";
  }
  return s;
}

Result<RunningTask> ParseScanTask(const Poco::JSON::Object::Ptr& response) {
  json::Reader r;
  RunningTask t;
  t.task_id = r.String(response, "TaskID", false);
  t.status = r.String(response, "Status", false);
  t.last_scan_time = r.String(response, "LastScanTime", false);
  if (!r.ok || (!t.task_id.empty() && !IsValidTaskId(t.task_id)) || t.status.size() > 64) {
    return Protocol("a DescribeAssetImageScanTask answer of the wrong shape",
                    RequestIdOf(response));
  }
  return t;
}

bool MayHaveStartedBetween(const std::string& tcss_time, int64_t earliest, int64_t latest,
                           int64_t slack) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char tail = 0;
  if (std::sscanf(tcss_time.c_str(), "%4d-%2d-%2d %2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s,
                  &tail) != 6 ||
      mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) {
    return true;
  }
  // Days from the civil date (Howard Hinnant's algorithm): no time zone database involved.
  const int yy = y - (mo <= 2 ? 1 : 0);
  const int era = (yy >= 0 ? yy : yy - 399) / 400;
  const int yoe = yy - era * 400;
  const int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const int64_t days = int64_t{era} * 146097 + doe - 719468;
  const int64_t local = days * 86400 + int64_t{h} * 3600 + int64_t{mi} * 60 + s;
  for (int zone = -12; zone <= 14; ++zone) {
    int64_t utc = local - int64_t{zone} * 3600;
    if (utc >= earliest - slack && utc <= latest + slack) return true;
  }
  return false;
}

std::string ImageIdListBody(const std::vector<std::string>& image_ids) {
  return DescribeImageListBody("ImageID", image_ids, 100, 0);
}

std::string VulListBody(const std::string& image_id, int64_t limit, int64_t offset) {
  json::Writer w;
  w.BeginObject().String("ImageID", image_id).Int("Limit", limit).Int("Offset", offset);
  w.String("By", "Level").String("Order", "desc").EndObject();
  return w.str();
}

VulnFinding VulnCommonFields(json::Reader& r, const Poco::JSON::Object::Ptr& item,
                             const std::string& image_id) {
  VulnFinding v;
  v.image_id = image_id;
  v.cve_id = r.String(item, "CVEID", false);
  v.name = r.String(item, "Name", false);
  v.component = r.String(item, "Component", false);
  v.version = r.String(item, "Version", false);
  v.fixed_versions = r.String(item, "FixedVersions", false);
  v.component_type = r.String(item, "CategoryType", false);
  return v;
}

Result<std::vector<VulnFinding>> ParseVulList(const Poco::JSON::Object::Ptr& response,
                                              const std::string& image_id) {
  json::Reader r;
  std::vector<VulnFinding> out;
  auto entries = PageEntries(r, response, "DescribeAssetImageVulList");
  if (!entries.ok()) return entries.error();
  const auto& list = *entries;
  (void)r.Int(response, "TotalCount", false);
  for (size_t i = 0; r.ok && list && i < list->size(); ++i) {
    auto item = list->getObject(static_cast<unsigned>(i));
    if (item.isNull())
      return Protocol("a vulnerability entry that is not an object", RequestIdOf(response));
    VulnFinding v = VulnCommonFields(r, item, image_id);
    v.level = r.Int(item, "Level", false);
    v.cvss = r.Number(item, "CVSSV3Score", false);
    out.push_back(std::move(v));
  }
  if (!r.ok)
    return Protocol("a DescribeAssetImageVulList answer of the wrong shape", RequestIdOf(response));
  return out;
}

int64_t ThreatLevel(const std::string& raw) {
  const std::string t = text::Lower(text::Trim(raw));
  if (t.size() == 1 && t[0] >= '1' && t[0] <= '4') return t[0] - '0';
  if (t == "low" || t == "低危" || t == "低") return 1;
  if (t == "medium" || t == "middle" || t == "中危" || t == "中") return 2;
  if (t == "high" || t == "高危" || t == "高") return 3;
  if (t == "critical" || t == "serious" || t == "严重") return 4;
  return 0;
}

namespace {
// A field TCSS types as a number in one list and a string in the other.
std::string ScalarText(const Poco::JSON::Object::Ptr& o, const std::string& key, bool* ok) {
  if (!o->has(key) || o->isNull(key)) return "";
  const Poco::Dynamic::Var v = o->get(key);
  if (v.isString()) return v.convert<std::string>();
  if (v.isInteger() && !v.isBoolean()) return std::to_string(v.convert<int64_t>());
  *ok = false;
  return "";
}
}  // namespace

Result<ComponentPage> ParseComponentList(const Poco::JSON::Object::Ptr& response,
                                         const std::string& image_id) {
  json::Reader r;
  ComponentPage out;
  auto entries = PageEntries(r, response, "DescribeImageComponentList");
  if (!entries.ok()) return entries.error();
  const auto& list = *entries;
  out.total = r.Int(response, "TotalCount", false);
  for (size_t i = 0; r.ok && list && i < list->size(); ++i) {
    auto item = list->getObject(static_cast<unsigned>(i));
    if (item.isNull())
      return Protocol("a component entry that is not an object", RequestIdOf(response));
    PackageComponent c;
    c.image_id = image_id;
    c.name = r.String(item, "Name", false);
    c.version = r.String(item, "Version", false);
    c.path = r.String(item, "Path", false);
    c.type = r.String(item, "Type", false);
    (void)r.Int(item, "VulCount", false);
    out.entries.push_back(std::move(c));
  }
  if (!r.ok)
    return Protocol("a DescribeImageComponentList answer of the wrong shape",
                    RequestIdOf(response));
  return out;
}

std::string ComponentListBody(const std::string& image_id, int64_t limit, int64_t offset) {
  json::Writer w;
  w.BeginObject().String("ImageID", image_id).Int("Limit", limit).Int("Offset", offset).EndObject();
  return w.str();
}

Result<ThreatPage> ParseThreatList(const Poco::JSON::Object::Ptr& response,
                                   const std::string& image_id, bool viruses,
                                   const std::string& action, std::vector<std::string>* warnings) {
  json::Reader r;
  ThreatPage out;
  auto entries = PageEntries(r, response, action);
  if (!entries.ok()) return entries.error();
  const auto& list = *entries;
  out.total = r.Int(response, "TotalCount", false);
  bool shape = true;
  for (size_t i = 0; r.ok && shape && list && i < list->size(); ++i) {
    auto item = list->getObject(static_cast<unsigned>(i));
    if (item.isNull())
      return Protocol("a " + action + " entry that is not an object", RequestIdOf(response));
    ThreatFinding t;
    t.image_id = image_id;
    t.kind = viruses ? "virus" : "risk";
    if (viruses) {
      t.name = r.String(item, "VirusName", false);
      t.path = r.String(item, "Path", false);
      std::string file = r.String(item, "FileName", false);
      if (t.path.empty()) t.path = file;
      t.md5 = text::Lower(item->has("FileMd5") ? r.String(item, "FileMd5", false)
                                               : r.String(item, "Md5", false));
      t.description = r.String(item, "Desc", false);
      t.solution = r.String(item, "Solution", false);
      t.raw_level = ScalarText(item, "RiskLevel", &shape);
      if (t.name.empty()) t.name = "unnamed virus";
      t.category = text::OneLine(text::TruncateUtf8(t.name, 200));
    } else {
      std::string type = ScalarText(item, "Type", &shape);
      std::string behavior = ScalarText(item, "Behavior", &shape);
      if (type.empty()) type = "-";
      if (behavior.empty()) behavior = "-";
      t.name = fmt::format("sensitive risk (type {}, behaviour {})", type, behavior);
      t.category = fmt::format("type-{}-behaviour-{}", type, behavior);
      t.description = r.String(item, "Desc", false);
      t.solution = r.String(item, "InstructionContent", false);
      t.raw_level = ScalarText(item, "Level", &shape);
    }
    t.level = ThreatLevel(t.raw_level);
    if (t.level == 0) {
      if (warnings != nullptr) {
        warnings->push_back(
            fmt::format("{} of {}: level \"{}\" is not on the 1-4 scale; reported as high", t.kind,
                        image_id, text::OneLine(text::TruncateUtf8(t.raw_level, 40))));
      }
      t.level = 3;
    }
    out.entries.push_back(std::move(t));
  }
  if (!r.ok || !shape)
    return Protocol("a " + action + " answer of the wrong shape", RequestIdOf(response));
  return out;
}

}  // namespace tcss::api
