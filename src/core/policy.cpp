#include "core/policy.h"

#include <fmt/format.h>

#include "core/outputs.h"

#include <algorithm>
#include <cctype>

namespace tcss {

namespace {
bool ValidCode(const std::string& s) {
  if (s.empty() || s.size() > 128) return false;
  return std::all_of(s.begin(), s.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '.' || c == '_'; });
}
bool CodeMatches(const std::string& pattern, const std::string& code) {
  if (pattern == "*") return true;
  if (code == pattern) return true;
  return code.size() > pattern.size() && code.compare(0, pattern.size(), pattern) == 0 &&
         code[pattern.size()] == '.';
}
}  // namespace

Status ValidateFailOn(const std::vector<std::string>& patterns) {
  for (const auto& p : patterns) {
    std::string body = p[0] == '-' ? p.substr(1) : p;
    if (body == "*" || ValidCode(body)) continue;
    return UsageError("--fail-on pattern \"" + p +
                      "\" is not '*', an error code such as AuthFailure, or -Code to exclude one");
  }
  return OkStatus();
}

bool FailOnSelects(const std::vector<std::string>& patterns, const std::string& code) {
  bool selected = false;
  for (const auto& p : patterns) {
    bool exclude = !p.empty() && p[0] == '-';
    std::string body = exclude ? p.substr(1) : p;
    if (CodeMatches(body, code)) selected = !exclude;
  }
  return selected;
}

bool FailOnNames(const std::vector<std::string>& patterns, const std::string& code) {
  std::vector<std::string> named;
  for (const auto& p : patterns)
    if (p != "*") named.push_back(p);
  return FailOnSelects(named, code);
}

int ExitCodeFor(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kApi:
      return 1;
    case ErrorKind::kFindings:
      return 2;
    case ErrorKind::kTransport:
      return 3;
    case ErrorKind::kUsage:
      return 4;
    case ErrorKind::kWaitTimeout:
      return 5;
    case ErrorKind::kOutput:
      return 6;
    case ErrorKind::kPush:
      return 7;
    case ErrorKind::kInterrupted:
      return 130;
  }
  return 3;
}

bool IsRetryableApiCode(const std::string& code) {
  auto starts = [&](const std::string& prefix) {
    return code == prefix || code.compare(0, prefix.size() + 1, prefix + ".") == 0;
  };
  // InternalError's sub-codes (InternalError.ErrRoleNotExist) are permanent.
  return starts("RequestLimitExceeded") || code == "InternalError" || starts("ServiceUnavailable");
}

bool IsValidTaskId(const std::string& s) {
  if (s.empty() || s.size() > 128) return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.';
  });
}

bool IsValidRequestId(const std::string& s) { return IsValidTaskId(s); }

bool IsThrottleCode(const std::string& code) {
  const std::string kPrefix = "RequestLimitExceeded";
  return code == kPrefix || code.compare(0, kPrefix.size() + 1, kPrefix + ".") == 0;
}

int64_t BackoffMillis(int attempt, double unit_random, int64_t base_ms, int64_t cap_ms) {
  int64_t ceiling = base_ms;
  for (int i = 0; i < attempt && ceiling < cap_ms; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, cap_ms);
  double r = std::clamp(unit_random, 0.0, 1.0);
  return static_cast<int64_t>(r * static_cast<double>(ceiling));
}

int64_t PollDelayMillis(int poll_index, int64_t left_seconds) {
  int64_t delay = 15000;
  if (poll_index < 4) delay = int64_t{1000} << poll_index;
  if (left_seconds > 0) delay = std::min(delay, std::max<int64_t>(1000, left_seconds * 1000));
  return delay;
}

bool IsRunningStatus(const std::string& status) {
  return status == "READY" || status == "SCANNING";
}

std::string GateViolation(const Findings& f, int threshold, bool gate_virus, bool gate_risk,
                          bool only_new) {
  std::vector<std::string> why;
  const auto& t = f.totals;
  const char* fresh = only_new ? "new " : "";
  const std::pair<int, int64_t> levels[] = {{4, only_new ? t.new_critical : t.critical},
                                            {3, only_new ? t.new_high : t.high},
                                            {2, only_new ? t.new_medium : t.medium},
                                            {1, only_new ? t.new_low : t.low}};
  if (threshold > 0) {
    for (const auto& [level, count] : levels) {
      if (level >= threshold && count > 0) {
        why.push_back(fmt::format("{} {}{}", count, fresh, LevelName(level)));
      }
    }
  }
  const int64_t virus = only_new ? t.new_virus : t.virus;
  const int64_t risk = only_new ? t.new_risk : t.risk;
  if (gate_virus && virus > 0) why.push_back(fmt::format("{} {}virus(es)", virus, fresh));
  if (gate_risk && risk > 0) why.push_back(fmt::format("{} {}risk(s)", risk, fresh));
  if (why.empty()) return "";
  std::string out;
  for (const auto& w : why) out += (out.empty() ? "" : ", ") + w;
  if (threshold > 0) out += fmt::format(" (threshold: {})", LevelName(threshold));
  return out;
}

}  // namespace tcss
