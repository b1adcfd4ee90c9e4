// The emulator's registry images: what TCSS lists for the registries connected to it (CCR,
// TCR, …), with uint64 Ids, a sync that makes newly pushed tags visible, registry scan tasks
// with numeric TaskIDs and the OneKey status, and vulnerabilities with string Level/CvssScore.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "emulator/handlers.h"
#include "emulator/state.h"

namespace tcss::emulator {

struct RegistryImage {
  uint64_t id = 0;
  std::string repo_address;  // ccr.ccs.tencentyun.com/demo/app
  std::string tag;
  std::string digest;    // manifest digest
  std::string image_id;  // config digest
  std::string instance = "tcr-demo";
  std::string registry_type = "tcr";
  std::string os_name = "debian";  // OsName
  int64_t critical = 0, high = 0, medium = 0, low = 0, virus = 0, risk = 0;
  std::vector<Vuln> vulns;
  std::vector<Virus> viruses;
  std::vector<Risk> risks;
  int64_t visible_from_ms = 0;  // a push shows after a sync or --sync-seconds
  bool pending = false;         // pushed, not synced yet
};

// JSON list of {ImageRepoAddress, ImageTag, ImageDigest, ImageId?, Id?, InstanceName?,
// counts…, Vulns?} (POST /_emulator/registry-images, --registry-inventory).
Result<std::vector<RegistryImage>> ParseRegistryImages(const std::string& what,
                                                       const std::string& text);
std::vector<RegistryImage> DemoRegistryInventory();

class RegistryStore {
 public:
  RegistryStore(std::vector<RegistryImage> images, double scan_seconds, double sync_seconds);
  // A push arriving: visible after the next sync, or after --sync-seconds on its own.
  void Push(std::vector<RegistryImage> images, int64_t now_ms);
  void Reset();
  bool Handles(const std::string& action) const;
  ApiResult Handle(const std::string& action, const Poco::JSON::Object::Ptr& body, int64_t now_ms);

 private:
  struct Task {
    uint64_t id;
    std::vector<uint64_t> images;
    int64_t created_ms;
  };
  std::vector<RegistryImage> Visible(int64_t now_ms);
  std::string Status(const Task& t, int64_t now_ms) const;
  ApiResult List(const Poco::JSON::Object::Ptr& body, int64_t now_ms);
  ApiResult Create(const Poco::JSON::Object::Ptr& body, int64_t now_ms);
  ApiResult ScanStatus(const Poco::JSON::Object::Ptr& body, int64_t now_ms);
  // The request of an image's list (Id, Limit, Offset): the image, or why it is refused.
  struct ListRequest {
    std::optional<ApiResult> error;
    const RegistryImage* img = nullptr;
    int64_t limit = 10, offset = 0;
    bool scanned = false;  // a task that scanned it has ended
  };
  ListRequest ReadListRequest(const Poco::JSON::Object::Ptr& body, int64_t now_ms);
  ApiResult VulList(const Poco::JSON::Object::Ptr& body, int64_t now_ms);
  // DescribeAssetImageRegistryVirusList / DescribeAssetImageRegistryRiskInfoList.
  ApiResult ThreatList(const Poco::JSON::Object::Ptr& body, int64_t now_ms, bool viruses);
  ApiResult Sync(const Poco::JSON::Object::Ptr& body, int64_t now_ms);
  ApiResult SyncStatus(const Poco::JSON::Object::Ptr& body, int64_t now_ms);

  std::mutex mu_;
  std::vector<RegistryImage> images_, initial_;
  std::vector<Task> tasks_;
  int64_t scan_ms_, sync_ms_;
  int64_t sync_started_ms_ = -1;
  uint64_t next_task_ = 9007199254740993ULL;  // past 2^53: a double would lose it
};

}  // namespace tcss::emulator
