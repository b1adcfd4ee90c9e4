// The registry-image actions of tcss 2020-11-01 (images in CCR/TCR/Harbor connected to TCSS,
// listed apart from the local images agents report). Pure: bodies and answers.
//
// Facts from the SDK models and tccli's examples, kept where they matter:
// - registry list entries are identified by `Id`, a uint64; TaskIDs of registry scans are
//   uint64 JSON numbers (local TaskIDs are strings). Both travel as decimal digit strings here
//   and are written back as raw JSON numbers: never through a double (IDs pass 2^53).
// - `ImageDigest` is the manifest digest (what `docker push` prints, `repo@sha256:…`);
//   `ImageId` is the config digest. A digest reference matches ImageDigest.
// - `DescribeAssetImageRegistryList` documents only the `IsAuthorized` filter; `ImageName`
//   (the repository's last path segment, "ollama" for ccr.ccs.tencentyun.com/csip/ollama) is
//   sent as the narrowest filter and results are compared on the client anyway.
// - `Level` and `CvssScore` of a registry vulnerability are strings ("3", "8.8").
// - Scan status values are not documented (examples: SCANNING, SCAN_TIMEOUT); READY and
//   SCANNING are read as running, END, SCANNED and SUCCESS as finished, anything else as a
//   terminal failure.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/api.h"
#include "core/config.h"
#include "core/image_ref.h"
#include "core/outputs.h"

namespace tcss::registry_api {

struct RegistryImage {
  std::string id;            // uint64 as decimal digits
  std::string repo_address;  // ccr.ccs.tencentyun.com/csip/ollama
  std::string tag;
  std::string digest;    // manifest digest
  std::string image_id;  // config digest
  std::string instance;
  std::string scan_status;
  std::string os_name;
  int64_t critical = 0, high = 0, medium = 0, low = 0, virus = 0, risk = 0;
};

struct RegistryListPage {
  int64_t total = 0;
  std::vector<RegistryImage> images;
  std::vector<std::string> skipped;  // why each unusable entry was left out (for warnings)
};

// `names` empty: no filter (the fall-back when the service refuses the ImageName filter).
std::string ListBody(const std::vector<std::string>& names, int64_t limit, int64_t offset);
Result<RegistryListPage> ParseList(const Poco::JSON::Object::Ptr& response);
// The value of the ImageName filter for a reference: the last segment of its repository path.
std::string NameFilterValue(const ImageRef& ref);
// Whether a list entry is the image `ref` names: the normalised repository and tag, or the
// repository and the manifest digest for a digest reference.
bool Matches(const ImageRef& ref, const RegistryImage& image);

// CreateAssetImageRegistryScanTask: Id[] (or All with Filters/ExcludeImageList) and ScanType
// from --scan (vul → CVE, virus → VIRUS, risk → RISK).
std::string CreateBody(const Config& config, const std::vector<std::string>& ids);
Result<api::CreateTaskResult> ParseCreate(const Poco::JSON::Object::Ptr& response);

bool IsRegistryTaskId(const std::string& task_id);  // digits only, fits uint64
std::string StatusBody(const std::string& task_id);
Result<api::ScanStatus> ParseStatus(const Poco::JSON::Object::Ptr& response);
bool IsFinishedStatus(const std::string& status);  // END, SCANNED, SUCCESS

std::string VulListBody(const std::string& id, int64_t limit, int64_t offset);
Result<std::vector<VulnFinding>> ParseVulList(const Poco::JSON::Object::Ptr& response,
                                              const std::string& id);

std::string SyncBody();  // SyncAssetImageRegistryAsset {"All":true}
// DescribeAssetImageRegistryAssetStatus: "doing", "success", "failed" (and Err).
struct SyncStatus {
  std::string status;
  std::string error;
};
Result<SyncStatus> ParseSyncStatus(const Poco::JSON::Object::Ptr& response);

}  // namespace tcss::registry_api
