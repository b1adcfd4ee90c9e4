// Decisions with no IO: which API codes fail the build, what exit code an outcome gets, which
// failures are retried and after how long.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace tcss {

// Patterns: "*" all; "Code" that code and its sub-codes ("AuthFailure" matches
// "AuthFailure.SignatureFailure"); "-Code" excludes. The last matching pattern wins.
Status ValidateFailOn(const std::vector<std::string>& patterns);
bool FailOnSelects(const std::vector<std::string>& patterns, const std::string& code);
// Whether a pattern other than "*" selects `code`: the user named it (or its family) on purpose.
bool FailOnNames(const std::vector<std::string>& patterns, const std::string& code);

// SPEC §6. kApi errors map to 1 here; callers turn unselected codes into warnings first.
int ExitCodeFor(ErrorKind kind);

bool IsRetryableApiCode(const std::string& code);
// RequestLimitExceeded and its sub-codes: retried until --timeout, not counted in --retries.
bool IsThrottleCode(const std::string& code);

// TaskIDs and RequestIds must be safe to write into dotenv files and workflow outputs.
bool IsValidTaskId(const std::string& s);
bool IsValidRequestId(const std::string& s);

// Exponential backoff with full jitter: uniform in [0, min(cap, base * 2^attempt)].
// `unit_random` is in [0, 1).
int64_t BackoffMillis(int attempt, double unit_random, int64_t base_ms = 500,
                      int64_t cap_ms = 8000);

// Delay before status poll number `poll_index` (0 = the first after submitting): 1 s, 2 s,
// 4 s, 8 s, then every 15 s; sooner when the service says fewer seconds are left.
int64_t PollDelayMillis(int poll_index, int64_t left_seconds);

// READY and SCANNING mean running; anything else is terminal.
bool IsRunningStatus(const std::string& status);

struct Findings;
// Why the findings fail the gate, or "" when they pass. `threshold` 0 means none. `only_new`
// (--gate new): only what the baseline does not hold counts.
std::string GateViolation(const Findings& findings, int threshold, bool gate_virus, bool gate_risk,
                          bool only_new = false);

}  // namespace tcss
