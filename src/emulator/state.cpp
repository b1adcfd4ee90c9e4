#include "emulator/state.h"

#include "emulator/identity.h"
#include "emulator/registry.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace tcss::emulator {

namespace {

bool AllDigits(const std::string& s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

// An API error code: dot-separated words, each a letter followed by letters and digits.
bool IsApiCode(const std::string& s) {
  if (s.empty() || s.size() > 128) return false;
  bool word_start = true;
  for (unsigned char c : s) {
    if (c == '.') {
      if (word_start) return false;
      word_start = true;
    } else if (word_start) {
      if (!std::isalpha(c)) return false;
      word_start = false;
    } else if (!std::isalnum(c) && c != '_') {
      return false;
    }
  }
  return !word_start;
}

}  // namespace

std::optional<Fault> ParseFault(const std::string& spec, std::string* why) {
  Fault f;
  size_t c1 = spec.find(':');
  if (c1 == std::string::npos || c1 == 0) {
    *why = "expected ACTION:CODE[:COUNT]";
    return std::nullopt;
  }
  f.action = spec.substr(0, c1);
  std::string rest = spec.substr(c1 + 1);
  size_t c2 = rest.find(':');
  f.code = rest.substr(0, c2);
  if (c2 != std::string::npos) {
    std::string count = rest.substr(c2 + 1);
    if (!AllDigits(count) || count.size() > 9) {
      *why = "COUNT must be a whole number below 1000000000";
      return std::nullopt;
    }
    f.remaining = std::stoll(count);
  }
  for (char ch : f.action) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '*') {
      *why = "ACTION must be an API action name or *";
      return std::nullopt;
    }
  }
  // Faults with a number: the number is checked here, so that no request can meet a bad one.
  struct Numbered {
    const char* prefix;
    int64_t min, max;
    const char* meaning;
  };
  static const Numbered kNumbered[] = {{"HTTP", 100, 599, "an HTTP status 100-599"},
                                       {"DELAY", 0, 600000, "milliseconds 0-600000"},
                                       {"DRIPBODY", 1, 10000, "milliseconds per byte 1-10000"},
                                       {"DRIPHEAD", 1, 10000, "milliseconds per byte 1-10000"}};
  for (const auto& n : kNumbered) {
    std::string prefix = n.prefix;
    if (f.code.compare(0, prefix.size(), prefix) != 0) continue;
    std::string number = f.code.substr(prefix.size());
    if (!AllDigits(number) || number.size() > 6 || std::stoll(number) < n.min ||
        std::stoll(number) > n.max) {
      *why = prefix + " must be followed by " + n.meaning;
      return std::nullopt;
    }
    f.code = prefix;
    f.arg = std::stoll(number);
    return f;
  }
  static const char* kPlain[] = {"DROP",    "TRUNCATE",   "HANG", "HALFJSON",
                                 "GARBAGE", "NOENVELOPE", "LOSE", "HUGELIST"};
  for (const char* p : kPlain) {
    if (f.code == p) return f;
  }
  if (f.code.rfind("STATUS", 0) == 0) {
    std::string name = f.code.substr(6);
    if (name.empty() || name.size() > 32 ||
        !std::all_of(name.begin(), name.end(), [](unsigned char c) {
          return std::isupper(c) || std::isdigit(c) || c == '_';
        })) {
      *why = "STATUS must be followed by a status name in capitals (e.g. STATUSFAILED)";
      return std::nullopt;
    }
    return f;
  }
  if (!IsApiCode(f.code)) {
    *why =
        "CODE must be an API error code (e.g. InternalError or AuthFailure.SignatureFailure), "
        "HTTPnnn, DELAYms, DRIPBODYms, DRIPHEADms, DROP, TRUNCATE, HANG, LOSE, HALFJSON, HUGELIST, "
        "GARBAGE, NOENVELOPE or STATUS<name>";
    return std::nullopt;
  }
  return f;
}

State::State(std::vector<Credential> creds, std::vector<Image> inventory, double scan_seconds,
             int rate_limit)
    : creds_(std::move(creds)),
      inventory_(inventory),
      initial_inventory_(std::move(inventory)),
      scan_ms_(static_cast<int64_t>(scan_seconds * 1000)),
      rate_limit_(rate_limit) {
  for (const auto& i : inventory_)
    if (i.scanned) scanned_before_.insert(i.image_id);
}

void State::SetInitialFaults(std::vector<Fault> f) {
  std::lock_guard<std::mutex> l(mu_);
  initial_faults_ = f;
  faults_ = std::move(f);
}

std::optional<Credential> State::FindCredential(const std::string& secret_id) const {
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& c : creds_)
    if (c.secret_id == secret_id) return c;
  if (identity_) return identity_->FindTemporary(secret_id);
  return std::nullopt;
}

bool State::AdmitRate(const std::string& action, const std::function<int64_t()>& clock_ms,
                      int64_t* admitted_ms) {
  std::lock_guard<std::mutex> l(mu_);
  const int64_t now_ms = clock_ms();
  if (admitted_ms) *admitted_ms = now_ms;
  if (rate_limit_ <= 0) return true;
  auto& q = admitted_[action];
  while (!q.empty() && now_ms - q.front() >= 1000) q.pop_front();
  if (static_cast<int>(q.size()) >= rate_limit_) return false;
  q.push_back(now_ms);
  return true;
}

std::optional<Fault> State::TakeFault(const std::string& action) {
  std::lock_guard<std::mutex> l(mu_);
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if (it->action != "*" && it->action != action) continue;
    Fault f = *it;
    if (it->remaining > 0 && --it->remaining == 0) faults_.erase(it);
    return f;
  }
  return std::nullopt;
}

void State::AddFault(Fault f) {
  std::lock_guard<std::mutex> l(mu_);
  faults_.push_back(std::move(f));
}

void State::AddImage(Image img) {
  std::lock_guard<std::mutex> l(mu_);
  if (img.scanned) scanned_before_.insert(img.image_id);
  for (auto& existing : inventory_) {
    if (existing.image_id == img.image_id) {
      existing = std::move(img);
      return;
    }
  }
  inventory_.push_back(std::move(img));
}

void State::Reset() {
  std::lock_guard<std::mutex> l(mu_);
  faults_ = initial_faults_;
  tasks_.clear();
  running_.clear();
  log_.clear();
  admitted_.clear();
  inventory_ = initial_inventory_;
  scanned_before_.clear();
  for (const auto& i : inventory_)
    if (i.scanned) scanned_before_.insert(i.image_id);
  if (registry_) registry_->Reset();
  if (identity_) identity_->Reset();
}

int64_t State::Log(LoggedRequest r) {
  std::lock_guard<std::mutex> l(mu_);
  r.seq = ++seq_;
  log_.push_back(std::move(r));
  while (log_.size() > 100000) log_.pop_front();
  return seq_;
}

std::vector<LoggedRequest> State::Requests() const {
  std::lock_guard<std::mutex> l(mu_);
  return {log_.begin(), log_.end()};
}

std::string State::TaskStatus(const Task& t, int64_t now_ms) {
  if (t.stopped) return "STOPPED";
  // `now_ms` may be a little older than created_ms (taken by another thread first).
  int64_t elapsed = std::max<int64_t>(0, now_ms - t.created_ms);
  if (elapsed >= t.scan_ms) return "END";
  if (elapsed < t.scan_ms / 5) return "READY";
  return "SCANNING";
}

std::vector<Image> State::Inventory() const {
  std::lock_guard<std::mutex> l(mu_);
  return inventory_;
}

std::optional<Image> State::FindImage(const std::string& id_or_name) const {
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& i : inventory_)
    if (i.image_id == id_or_name || i.image_name == id_or_name) return i;
  return std::nullopt;
}

std::string State::ImageScanStatus(const std::string& image_id, int64_t now_ms) const {
  std::lock_guard<std::mutex> l(mu_);
  std::string status = "NOT_SCAN";
  for (const auto& t : tasks_) {
    if (std::find(t.image_ids.begin(), t.image_ids.end(), image_id) == t.image_ids.end()) continue;
    std::string s = TaskStatus(t, now_ms);
    if (s == "END") return "SCANNED";
    if (s == "READY" || s == "SCANNING") status = "SCANNING";
  }
  if (status == "NOT_SCAN" && scanned_before_.count(image_id)) return "SCANNED";
  return status;
}

std::optional<Task> State::CreateTask(const std::vector<std::string>& image_ids, int64_t now_ms,
                                      std::string* busy_image) {
  std::lock_guard<std::mutex> l(mu_);
  // Only tasks that may still run are checked, so a long run stays linear.
  running_.erase(std::remove_if(running_.begin(), running_.end(),
                                [&](size_t i) {
                                  std::string s = TaskStatus(tasks_[i], now_ms);
                                  return s != "READY" && s != "SCANNING";
                                }),
                 running_.end());
  for (size_t i : running_) {
    const Task& t = tasks_[i];
    for (const auto& id : image_ids) {
      if (std::find(t.image_ids.begin(), t.image_ids.end(), id) != t.image_ids.end()) {
        *busy_image = id;
        return std::nullopt;
      }
    }
  }
  Task t;
  t.task_id = fmt::format("6013a6c3{:016x}", ++next_task_);  // shaped like TCSS's own IDs
  t.image_ids = image_ids;
  t.created_ms = now_ms;
  t.scan_ms = scan_ms_;
  tasks_.push_back(t);
  running_.push_back(tasks_.size() - 1);
  return t;
}

std::optional<Task> State::FindTask(const std::string& task_id) const {
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& t : tasks_)
    if (t.task_id == task_id) return t;
  return std::nullopt;
}

std::optional<Task> State::LatestTask() const {
  std::lock_guard<std::mutex> l(mu_);
  if (tasks_.empty()) return std::nullopt;
  return tasks_.back();
}

int State::StopTasks(const std::string& task_id, const std::vector<std::string>& image_ids) {
  std::lock_guard<std::mutex> l(mu_);
  int stopped = 0;
  for (auto& t : tasks_) {
    bool match = t.task_id == task_id;
    for (const auto& id : image_ids)
      match |= std::find(t.image_ids.begin(), t.image_ids.end(), id) != t.image_ids.end();
    if (match && !t.stopped) {
      t.stopped = true;
      ++stopped;
    }
  }
  return stopped;
}

}  // namespace tcss::emulator
