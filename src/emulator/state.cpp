#include "emulator/state.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace tcss::emulator {

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
    if (count.empty() || count.size() > 9 ||
        !std::all_of(count.begin(), count.end(),
                     [](unsigned char ch) { return std::isdigit(ch); })) {
      *why = "COUNT must be a whole number";
      return std::nullopt;
    }
    f.remaining = std::stoll(count);
  }
  if (f.code.empty() || !std::all_of(f.code.begin(), f.code.end(), [](unsigned char ch) {
        return std::isalnum(ch) || ch == '.' || ch == '_';
      })) {
    *why = "CODE must be an error code, HTTPnnn, DELAYms, DROP, TRUNCATE, HANG or GARBAGE";
    return std::nullopt;
  }
  for (char ch : f.action) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '*') {
      *why = "ACTION must be an API action name or *";
      return std::nullopt;
    }
  }
  return f;
}

State::State(std::vector<Credential> creds, std::vector<Image> inventory, double scan_seconds,
             int rate_limit)
    : creds_(std::move(creds)),
      inventory_(inventory),
      initial_inventory_(std::move(inventory)),
      scan_ms_(static_cast<int64_t>(scan_seconds * 1000)),
      rate_limit_(rate_limit) {}

void State::SetInitialFaults(std::vector<Fault> f) {
  std::lock_guard<std::mutex> l(mu_);
  initial_faults_ = f;
  faults_ = std::move(f);
}

std::optional<Credential> State::FindCredential(const std::string& secret_id) const {
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& c : creds_)
    if (c.secret_id == secret_id) return c;
  return std::nullopt;
}

bool State::AdmitRate(const std::string& action, int64_t now_ms) {
  std::lock_guard<std::mutex> l(mu_);
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
