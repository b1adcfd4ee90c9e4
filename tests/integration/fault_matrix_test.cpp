// The fault matrix: every retryable and non-retryable error code, HTTP 5xx, broken and silent
// servers, slow answers either side of --timeout, and 60 concurrent processes against a 20/s
// rate limit. Each case asserts the exit code, the message and how many calls were made.
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "harness.h"

namespace tcss::it {
namespace {

class Retryable : public ::testing::TestWithParam<std::string> {};

TEST_P(Retryable, RetriedThenSucceeds) {
  TempDir home;
  Emulator emu({"--fault", "CreateAssetImageScanTask:" + GetParam() + ":2"});
  auto r = RunProcess({ScanBin(), kNginxId}, ScanEnv(emu, home));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(emu.Requests()->size(), 3u);
  EXPECT_NE(r.err.find(GetParam() + ": Injected fault"), std::string::npos) << r.err;
}

TEST_P(Retryable, GivesUpWithExit1) {
  TempDir home;
  Emulator emu({"--fault", "CreateAssetImageScanTask:" + GetParam()});
  Env env = ScanEnv(emu, home);
  env["TCSS_RETRIES"] = "2";
  env["TCSS_TIMEOUT"] = "3";
  auto r = RunProcess({ScanBin(), kNginxId}, env);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  if (GetParam().rfind("RequestLimitExceeded", 0) == 0) {
    // Throttling is retried until --timeout, whatever --retries says.
    EXPECT_GE(emu.Requests()->size(), 3u);
    EXPECT_LT(r.seconds, 5);
  } else {
    EXPECT_EQ(emu.Requests()->size(), 3u);
  }
  EXPECT_NE(r.err.find("[" + GetParam() + "]"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("RequestId "), std::string::npos) << r.err;
}

INSTANTIATE_TEST_SUITE_P(Codes, Retryable,
                         ::testing::Values("RequestLimitExceeded",
                                           "RequestLimitExceeded.UinLimitExceeded",
                                           "RequestLimitExceeded.IPLimitExceeded",
                                           "RequestLimitExceeded.GlobalRegionUinLimitExceeded",
                                           "InternalError", "ServiceUnavailable"),
                         [](const auto& p) {
                           std::string n = p.param;
                           std::replace(n.begin(), n.end(), '.', '_');
                           return n;
                         });

class NotRetryable : public ::testing::TestWithParam<std::string> {};

TEST_P(NotRetryable, OneCallExit1AndTheCodeNamed) {
  TempDir home;
  Emulator emu({"--fault", "CreateAssetImageScanTask:" + GetParam()});
  auto r = RunProcess({ScanBin(), kNginxId}, ScanEnv(emu, home));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(Count(emu.Actions(), "CreateAssetImageScanTask"), 1);
  EXPECT_NE(r.err.find("[" + GetParam() + "]"), std::string::npos) << r.err;
  // The same code, not selected by --fail-on: a warning and exit 0.
  auto w = RunProcess({ScanBin(), "--fail-on", "*,-" + GetParam(), kNginxId}, ScanEnv(emu, home));
  EXPECT_EQ(w.exit_code, 0) << w.err;
  EXPECT_NE(w.err.find("warning: "), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Codes, NotRetryable,
    ::testing::Values("AuthFailure.SignatureFailure", "AuthFailure.SecretIdNotFound",
                      "AuthFailure.SignatureExpire", "AuthFailure.TokenFailure",
                      "AuthFailure.InvalidSecretId", "AuthFailure.InvalidAuthorization",
                      "AuthFailure.UnauthorizedOperation", "AuthFailure.MFAFailure",
                      "UnauthorizedOperation", "InvalidParameter", "InvalidParameter.InvalidFormat",
                      "InvalidParameter.ParsingError", "InvalidParameterValue", "MissingParameter",
                      "UnknownParameter", "ResourceNotFound", "FailedOperation.ErrAlreadyScanning",
                      "InternalError.ErrRoleNotExist", "LimitExceeded", "InvalidAction",
                      "NoSuchVersion", "RequestSizeLimitExceeded", "UnsupportedOperation",
                      "OperationDenied", "UnsupportedRegion"),
    [](const auto& p) {
      std::string n = p.param;
      std::replace(n.begin(), n.end(), '.', '_');
      return n;
    });

class HttpStatus : public ::testing::TestWithParam<int> {};

TEST_P(HttpStatus, RetriedThenExit3) {
  TempDir home;
  std::string code = "HTTP" + std::to_string(GetParam());
  Emulator emu({"--fault", "CreateAssetImageScanTask:" + code});
  Env env = ScanEnv(emu, home);
  env["TCSS_RETRIES"] = "2";
  auto r = RunProcess({ScanBin(), kNginxId}, env);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  // A 5xx may come after the service acted: each one is followed by a look for the task.
  EXPECT_EQ(Count(emu.Actions(), "CreateAssetImageScanTask"), 3);
  EXPECT_EQ(Count(emu.Actions(), "DescribeAssetImageScanTask"), 3);
  EXPECT_NE(r.err.find("HTTP " + std::to_string(GetParam())), std::string::npos) << r.err;
  // Once is weathered.
  Emulator once({"--fault", "CreateAssetImageScanTask:" + code + ":1"});
  auto ok = RunProcess({ScanBin(), kNginxId}, ScanEnv(once, home));
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

INSTANTIATE_TEST_SUITE_P(Statuses, HttpStatus, ::testing::Values(500, 502, 503, 504));

TEST(Faults, ConnectionResetMidBodyIsRetried) {
  TempDir home;
  for (const char* fault : {"TRUNCATE", "DROP"}) {
    Emulator once({"--fault", std::string("CreateAssetImageScanTask:") + fault + ":1"});
    auto ok = RunProcess({ScanBin(), kNginxId}, ScanEnv(once, home));
    EXPECT_EQ(ok.exit_code, 0) << fault << ok.err;
    EXPECT_EQ(Count(once.Actions(), "CreateAssetImageScanTask"), 2) << fault;
    Emulator always({"--fault", std::string("CreateAssetImageScanTask:") + fault});
    Env env = ScanEnv(always, home);
    env["TCSS_RETRIES"] = "1";
    auto bad = RunProcess({ScanBin(), kNginxId}, env);
    EXPECT_EQ(bad.exit_code, 3) << fault << bad.err;
    EXPECT_NE(bad.err.find("Network.ConnectionReset"), std::string::npos) << bad.err;
  }
}

TEST(Faults, AServerThatNeverAnswersEndsAtTheTimeout) {
  TempDir home;
  Emulator emu({"--fault", "CreateAssetImageScanTask:HANG"});
  Env env = ScanEnv(emu, home);
  env["TCSS_TIMEOUT"] = "2";
  auto r = RunProcess({ScanBin(), kNginxId}, env);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("Network.Timeout"), std::string::npos) << r.err;
  EXPECT_GE(r.seconds, 1.9);
  EXPECT_LT(r.seconds, 4 + kStartSlack);
}

TEST(Faults, SlowAnswersJustInsideAndJustOutsideTheTimeout) {
  TempDir home;
  Emulator slow({"--fault", "CreateAssetImageScanTask:DELAY1000"});
  Env env = ScanEnv(slow, home);
  env["TCSS_TIMEOUT"] = "1.6";
  auto inside = RunProcess({ScanBin(), kNginxId}, env);
  EXPECT_EQ(inside.exit_code, 0) << inside.err;
  EXPECT_GE(inside.seconds, 0.95);
  // An answer that would come after the budget: the call ends at the budget, not the answer
  // (the bound leaves room for a slow, sanitized start on a busy machine).
  Emulator slower({"--fault", "CreateAssetImageScanTask:DELAY6000"});
  env = ScanEnv(slower, home);
  env["TCSS_TIMEOUT"] = "1";
  auto outside = RunProcess({ScanBin(), kNginxId}, env);
  EXPECT_EQ(outside.exit_code, 3) << outside.err;
  EXPECT_NE(outside.err.find("Network.Timeout"), std::string::npos) << outside.err;
  EXPECT_LT(outside.seconds, 3.5 + kStartSlack);
}

TEST(Faults, SixtyProcessesAgainstATwentyPerSecondLimitAllFinish) {
  TempDir home;
  Emulator emu({"--rate-limit", "20", "--scan-seconds", "0"});
  Env env = ScanEnv(emu, home);
  env["TCSS_TIMEOUT"] = "30";
  // Default --retries: throttling does not use it up.
  std::vector<ProcResult> results(60);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] {
      // Half resolve a reference first (two actions), half send an image ID (one).
      results[i] = RunProcess({ScanBin(), i % 2 ? kNginxId : "nginx:1.25"}, env, "", 60000);
    });
  }
  for (auto& t : threads) t.join();
  int limited_runs = 0;
  for (const auto& r : results) {
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_LT(r.seconds, 30);
    if (r.err.find("RequestLimitExceeded") != std::string::npos) ++limited_runs;
  }
  EXPECT_GT(limited_runs, 0) << "the limit was never reached; the test proves nothing";
  // In no one-second window did the emulator accept more than 20 calls of one action.
  std::map<std::string, std::vector<int64_t>> accepted;
  auto reqs = emu.Requests();
  for (size_t i = 0; i < reqs->size(); ++i) {
    auto q = reqs->getObject(static_cast<unsigned>(i));
    if (q->getValue<std::string>("ErrorCode") != "RequestLimitExceeded") {
      accepted[q->getValue<std::string>("Action")].push_back(q->getValue<int64_t>("TimeMs"));
    }
  }
  EXPECT_EQ(accepted["CreateAssetImageScanTask"].size(), 60u);
  for (auto& [action, times] : accepted) {
    std::sort(times.begin(), times.end());
    for (size_t i = 20; i < times.size(); ++i) {
      EXPECT_GE(times[i] - times[i - 20], 990) << action << " accepted 21 calls within a second";
    }
  }
}

}  // namespace
}  // namespace tcss::it
