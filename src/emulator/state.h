// The emulator's world: credentials, the image inventory, scan tasks, faults, the rate limiter
// and the request log. Every public method takes the lock; times are passed in.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace tcss::emulator {

class RegistryStore;
class Identity;

struct Credential {
  std::string secret_id;
  std::string secret_key;
  std::string token;         // required as X-TC-Token when set
  int64_t expires_unix = 0;  // temporary keys (STS, CVM role): refused from then on; 0 = never
};

struct Vuln {
  std::string cve_id;
  std::string name;
  int64_t level = 1;  // 1 low … 4 critical
  double cvss = 0;
  std::string component;
  std::string version;
  std::string fixed_versions;
  std::string category_type = "SYSTEM";  // CategoryType: SYSTEM (an OS package), APP, ...
};

// A package in an image (ImageComponent), served by DescribeImageComponentList.
struct Component {
  std::string name;
  std::string version;
  std::string path;
  std::string type = "SYSTEM_COMPONENT";
};

// A malicious file TCSS's virus scan found (ImageVirusInfo / ImageVirus).
struct Virus {
  std::string path;
  std::string name;
  std::string md5;
  std::string file_name;
  int64_t level = 3;  // RiskLevel; the registry list sends it as a word
  std::string desc;
  std::string solution;
};

// A sensitive risk (ImageRiskInfo / ImageRisk): no path in the API.
struct Risk {
  int64_t behavior = 1;
  int64_t type = 1;
  int64_t level = 3;
  std::string desc;
  std::string instruction;
};

struct Image {
  std::string image_id;
  std::string image_name;
  std::string os_name = "debian";  // OsName
  int64_t critical = 0, high = 0, medium = 0, low = 0, virus = 0, risk = 0;
  std::vector<Vuln> vulns;
  std::vector<Virus> viruses;
  std::vector<Risk> risks;
  // Its packages; when the inventory names none, the vulnerabilities' packages (and, for the
  // demo images, a few without vulnerabilities).
  std::vector<Component> components;
  // Scanned before the emulator started (inventory "Scanned": true; the demo app's :main, a
  // baseline): its findings are served without a task.
  bool scanned = false;
};

// ACTION:CODE[:COUNT]. CODE is an API error code, HTTP<status>, DELAY<ms> (then answer),
// DROP (close without answering), TRUNCATE (close mid-body), HANG (never answer), LOSE (carry
// out the request, then close without answering: a lost answer), DRIPBODY<ms> (carry it out;
// headers at once, then the body one byte every ms), DRIPHEAD<ms> (the whole answer one byte
// every ms), HALFJSON (200, JSON cut half-way), GARBAGE (200 with a non-JSON body), NOENVELOPE
// (200 with JSON but no Response), STATUS<name> (a scan status answer with Status <name>).
// ACTION may be '*'. COUNT omitted: every matching request. Numbers are checked on entry.
struct Fault {
  std::string action;
  std::string code;  // without its number: HTTP, DELAY, DRIPBODY, DRIPHEAD
  int64_t arg = 0;   // the number of HTTP/DELAY/DRIPBODY/DRIPHEAD
  int64_t remaining = -1;
};

struct Task {
  std::string task_id;
  std::vector<std::string> image_ids;
  int64_t created_ms = 0;
  int64_t scan_ms = 0;
  bool stopped = false;
};

struct LoggedRequest {
  int64_t seq = 0;
  int64_t time_ms = 0;  // wall clock, milliseconds
  std::string action;
  std::string secret_id;
  std::map<std::string, std::string> headers;  // Authorization signature and X-TC-Token removed
  std::string body;
  int status = 0;
  std::string error_code;  // "" when the call succeeded
};

std::optional<Fault> ParseFault(const std::string& spec, std::string* why);

class State {
 public:
  State(std::vector<Credential> creds, std::vector<Image> inventory, double scan_seconds,
        int rate_limit);

  std::optional<Credential> FindCredential(const std::string& secret_id) const;
  // Sliding one-second window per action; true when the call may proceed (and is counted).
  // The clock is read under the lock, so calls are counted in the order they are admitted, and
  // `admitted_ms` is the time the call was admitted on that clock (the request log's time):
  // a time taken before the lock (on arrival, before the body was read) let a loaded server
  // count calls out of order and admit more than the limit in a second.
  bool AdmitRate(const std::string& action, const std::function<int64_t()>& clock_ms,
                 int64_t* admitted_ms);
  // Consumes one use of the first fault matching `action`.
  std::optional<Fault> TakeFault(const std::string& action);
  void AddFault(Fault f);
  // Adds or replaces (by ImageID) an image, as an agent reporting it would.
  void AddImage(Image img);
  void Reset();

  int64_t Log(LoggedRequest r);
  std::vector<LoggedRequest> Requests() const;

  // The task status at `now_ms`: READY, SCANNING or END (or STOPPED).
  static std::string TaskStatus(const Task& t, int64_t now_ms);

  // Handlers' views; they copy what they need under the lock.
  std::vector<Image> Inventory() const;
  std::optional<Image> FindImage(const std::string& id_or_name) const;
  // "NOT_SCAN", "SCANNING" or "SCANNED" for an image at `now_ms`.
  std::string ImageScanStatus(const std::string& image_id, int64_t now_ms) const;
  // Creates a task or returns the image already in a running task (ErrAlreadyScanning).
  std::optional<Task> CreateTask(const std::vector<std::string>& image_ids, int64_t now_ms,
                                 std::string* busy_image);
  std::optional<Task> FindTask(const std::string& task_id) const;
  std::optional<Task> LatestTask() const;
  int StopTasks(const std::string& task_id, const std::vector<std::string>& image_ids);

 private:
  mutable std::mutex mu_;
  std::vector<Credential> creds_;
  std::vector<Image> inventory_;
  std::vector<Image> initial_inventory_;
  std::set<std::string> scanned_before_;  // IDs of the images with `scanned`
  int64_t scan_ms_;
  int rate_limit_;
  std::map<std::string, std::deque<int64_t>> admitted_;
  std::vector<Fault> faults_;
  std::vector<Fault> initial_faults_;
  std::vector<Task> tasks_;
  std::vector<size_t> running_;  // indexes into tasks_ that may still be READY/SCANNING
  std::deque<LoggedRequest> log_;
  int64_t seq_ = 0;
  uint64_t next_task_ = 0x34b9a9000cf519bdULL;

 public:
  void SetInitialFaults(std::vector<Fault> f);
  // The registry side (owned by main); Reset() resets it too.
  void SetRegistry(RegistryStore* registry) { registry_ = registry; }
  RegistryStore* registry() const { return registry_; }
  // The keyless side (owned by main): its temporary keys are credentials too.
  void SetIdentity(Identity* identity) { identity_ = identity; }
  Identity* identity() const { return identity_; }

 private:
  RegistryStore* registry_ = nullptr;
  Identity* identity_ = nullptr;
};

}  // namespace tcss::emulator
