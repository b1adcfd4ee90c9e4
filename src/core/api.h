// Request bodies and response envelopes, per action (tcss 2020-11-01). Pure.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "core/json.h"
#include "core/outputs.h"
#include "core/result.h"

namespace tcss::api {

inline constexpr const char* kVersion = "2020-11-01";
inline constexpr const char* kService = "tcss";
// Paging and batching: Limit is at most 100; the values of one filter are ORed, and 50 keeps a
// query small; a listing stops after kMaxPages pages whatever TotalCount claims.
inline constexpr int64_t kPageLimit = 100;
inline constexpr size_t kValuesPerFilter = 50;
inline constexpr int kMaxPages = 200;

// `"Filters":[{"Name":…,"Values":[…],"ExactMatch":…},…]` (AssetFilters), nothing when empty.
void WriteFilters(json::Writer& w, const std::vector<Filter>& filters);

// The body of CreateAssetImageScanTask: All?, Images?, ScanVul, ScanVirus, ScanRisk, Filters?,
// ExcludeImageIds?, in that order, no whitespace (as the official SDK sends it).
std::string CreateScanTaskBody(const Config& config, const std::vector<std::string>& images);
std::string DescribeImageListBody(const std::string& filter_name,
                                  const std::vector<std::string>& values, int64_t limit,
                                  int64_t offset);
std::string ScanStatusBody(const std::string& task_id);

// Checks the envelope of an HTTP answer. A 200 with {"Response":{"Error":...}} becomes a kApi
// error; any other status or shape is a kTransport error naming what was wrong. On success
// returns the Response object (RequestId present). An error quotes the start of a body it
// refuses, with the values of secret-named fields (keys, tokens) replaced by "***"; with
// `may_carry_credentials` (STS) it quotes nothing of the body at all.
Result<Poco::JSON::Object::Ptr> ParseEnvelope(int http_status, const std::string& body,
                                              bool may_carry_credentials = false);
// `body` with the string value of every field whose name says it holds a secret (Token,
// Secret, Key, Password, Credential, Signature, Authorization, access_token) replaced by
// "***", also when the value is cut off by the end of `body`.
std::string RedactSecretFields(std::string_view body);
std::string RequestIdOf(const Poco::JSON::Object::Ptr& response);
// The "List" of a list answer (null when absent, `r` not ok when it is no array), refused when
// it holds more entries than the kPageLimit every request asks for: a hostile page is never
// held (memory stays bounded at kMaxPages × kPageLimit entries per listing).
Result<Poco::JSON::Array::Ptr> PageEntries(json::Reader& r, const Poco::JSON::Object::Ptr& response,
                                           const std::string& action);

struct CreateTaskResult {
  std::string task_id;
  std::string request_id;
};
Result<CreateTaskResult> ParseCreateTask(const Poco::JSON::Object::Ptr& response);

struct ImageInfo {
  std::string image_id;
  std::string image_name;
  std::string scan_status;
  std::string os_name;
  int64_t critical = 0, high = 0, medium = 0, low = 0, virus = 0, risk = 0;
};
struct ImageListPage {
  int64_t total = 0;
  std::vector<ImageInfo> images;
};
Result<ImageListPage> ParseImageList(const Poco::JSON::Object::Ptr& response);

struct ScanStatus {
  std::string status;
  int64_t schedule = 0, image_total = 0, image_scan_cnt = 0, success_count = 0, risk_count = 0,
          left_seconds = 0;
};
Result<ScanStatus> ParseScanStatus(const Poco::JSON::Object::Ptr& response);

// DescribeAssetImageScanTask (no parameters): the one-click scan task TCSS is running or ran
// last. An empty task_id means none.
struct RunningTask {
  std::string task_id;
  std::string status;  // READY, SCANNING, END
  std::string last_scan_time;
};
Result<RunningTask> ParseScanTask(const Poco::JSON::Object::Ptr& response);
// Whether a task whose LastScanTime is `tcss_time` ("YYYY-MM-DD HH:MM:SS", in the service's
// own time zone, which the answer does not name) can have started between the Unix times
// `earliest` and `latest` (each widened by `slack` seconds) in some whole-hour zone from UTC-12
// to UTC+14. An empty or unreadable time cannot be checked: true.
bool MayHaveStartedBetween(const std::string& tcss_time, int64_t earliest, int64_t latest,
                           int64_t slack);

std::string ImageIdListBody(const std::vector<std::string>& image_ids);
std::string VulListBody(const std::string& image_id, int64_t limit, int64_t offset = 0);
// The fields the local and the registry vulnerability lists share: CVEID, Name, Component,
// Version, FixedVersions (their Level and score differ in type).
VulnFinding VulnCommonFields(json::Reader& r, const Poco::JSON::Object::Ptr& item,
                             const std::string& image_id);
// Vulnerabilities of one image; Level 1..4 and CVSSV3Score checked.
Result<std::vector<VulnFinding>> ParseVulList(const Poco::JSON::Object::Ptr& response,
                                              const std::string& image_id);

// The viruses or risks of one image, from the local (DescribeAssetImageVirusList,
// DescribeAssetImageRiskList) or the registry (…RegistryVirusList, …RegistryRiskInfoList)
// list: both shapes (RiskLevel/Level as a number or a word, Md5 or FileMd5). An entry whose
// level is off the scale is kept at high, with a line in `warnings` naming the image.
struct ThreatPage {
  std::vector<ThreatFinding> entries;
  int64_t total = 0;
};
Result<ThreatPage> ParseThreatList(const Poco::JSON::Object::Ptr& response,
                                   const std::string& image_id, bool viruses,
                                   const std::string& action, std::vector<std::string>* warnings);
// One page of DescribeImageComponentList (ImageID, Limit ≤ 100, Offset).
struct ComponentPage {
  std::vector<PackageComponent> entries;
  int64_t total = 0;
};
Result<ComponentPage> ParseComponentList(const Poco::JSON::Object::Ptr& response,
                                         const std::string& image_id);
std::string ComponentListBody(const std::string& image_id, int64_t limit, int64_t offset);

// 1..4 from TCSS's level: a digit, or a word (low, medium, high, critical, and the Chinese
// 低危, 中危, 高危, 严重); 0 when it is neither.
int64_t ThreatLevel(const std::string& raw);

}  // namespace tcss::api
