// Retries, re-signing and the rate limiter, with a fake clock: no real sleeping.
#include <gtest/gtest.h>

#include <sstream>

#include "app/api_client.h"
#include "fakes.h"

namespace tcss {
namespace {

using testing::ApiError;
using testing::FakeClock;
using testing::FakeRandom;
using testing::RecordingTransport;

struct Fixture : ::testing::Test {
  FakeClock clock;
  FakeRandom random;
  RecordingTransport transport{&clock};
  std::ostringstream err;
  Logger log{err, LogLevel::kInfo};
  ClientSettings settings = testing::TestSettings();
  ApiClient Client() { return ApiClient(transport, clock, clock, random, log, settings); }
  std::string Header(size_t i, const std::string& name) {
    for (const auto& h : transport.requests[i].headers)
      if (h.name == name) return h.value;
    return "";
  }
};

TEST_F(Fixture, RetriesInternalErrorThenSucceedsReSigningEachAttempt) {
  transport.script = {ApiError("InternalError"), ApiError("InternalError")};
  clock.Advance(0);
  auto client = Client();
  auto r = client.Call("CreateAssetImageScanTask", "{}");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(transport.requests.size(), 3u);
  // Backoff with jitter 0.5: 250 ms, then 500 ms.
  EXPECT_EQ(clock.sleeps, (std::vector<int64_t>{250, 500}));
  EXPECT_NE(Header(0, "Authorization"), "");
  EXPECT_EQ(Header(0, "X-TC-Action"), "CreateAssetImageScanTask");
  EXPECT_EQ(Header(0, "X-TC-Version"), "2020-11-01");
}

TEST_F(Fixture, ReSignsWithTheNewTimestamp) {
  transport.script = {ApiError("InternalError")};
  transport.latency_ms = 1500;
  auto client = Client();
  ASSERT_TRUE(client.Call("A", "{}").ok());
  EXPECT_NE(Header(0, "X-TC-Timestamp"), Header(1, "X-TC-Timestamp"));
  EXPECT_NE(Header(0, "Authorization"), Header(1, "Authorization"));
}

TEST_F(Fixture, NeverRetriesAuthFailureOrInvalidParameter) {
  for (const char* code : {"AuthFailure.SignatureFailure", "InvalidParameter.InvalidFormat",
                           "FailedOperation.ErrAlreadyScanning", "InternalError.ErrRoleNotExist"}) {
    transport.requests.clear();
    transport.script = {ApiError(code)};
    auto client = Client();
    auto r = client.Call("A", "{}");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, ErrorKind::kApi);
    EXPECT_EQ(r.error().code, code);
    EXPECT_EQ(r.error().request_id, "req-e");
    EXPECT_EQ(transport.requests.size(), 1u) << code;
  }
}

TEST_F(Fixture, GivesUpAfterRetriesWithTheLastError) {
  for (int i = 0; i < 10; ++i) transport.script.push_back(HttpResponse{502, "<html>bad</html>"});
  settings.retries = 2;
  auto client = Client();
  auto r = client.Call("A", "{}");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kTransport);
  EXPECT_EQ(transport.requests.size(), 3u);
  EXPECT_NE(r.error().message.find("HTTP 502"), std::string::npos);
  EXPECT_NE(r.error().message.find("after 3 attempts"), std::string::npos);
}

TEST_F(Fixture, ConnectionFailuresAreRetriedTlsFailuresAreNot) {
  transport.script = {TransportError(kNetConnect, "refused"), TransportError(kNetTimeout, "slow")};
  auto client = Client();
  EXPECT_TRUE(client.Call("A", "{}").ok());
  EXPECT_EQ(transport.requests.size(), 3u);
  transport.requests.clear();
  transport.script = {TransportError(kNetTls, "wrong host")};
  auto r = Client().Call("A", "{}");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, kNetTls);
  EXPECT_EQ(transport.requests.size(), 1u);
}

TEST_F(Fixture, StaysWithinTheTimeoutBudget) {
  for (int i = 0; i < 50; ++i) transport.script.push_back(ApiError("RequestLimitExceeded"));
  settings.timeout_s = 2;
  settings.retries = 20;
  transport.latency_ms = 300;
  auto client = Client();
  auto r = client.Call("A", "{}");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "RequestLimitExceeded");
  EXPECT_LE(clock.MonotonicMillis(), 2000);
  for (int64_t t : transport.timeouts) EXPECT_LE(t, 2000);
}

TEST_F(Fixture, ThrottlingIsRetriedUntilTheTimeoutNotUntilRetriesRunOut) {
  for (int i = 0; i < 8; ++i) transport.script.push_back(ApiError("RequestLimitExceeded"));
  settings.retries = 1;
  auto client = Client();
  auto r = client.Call("A", "{}");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(transport.requests.size(), 9u);
  // One-second base, full jitter (0.5), at least 250 ms, capped at 8 s.
  EXPECT_EQ(clock.sleeps, (std::vector<int64_t>{500, 1000, 2000, 4000, 4000, 4000, 4000, 4000}));
}

TEST_F(Fixture, LimiterKeepsEachActionUnderTwentyPerSecond) {
  transport.latency_ms = 0;
  auto client = Client();
  for (int i = 0; i < 45; ++i) ASSERT_TRUE(client.Call("DescribeAssetImageList", "{}").ok());
  // 45 calls at 20/s need two waits of (about) a second each.
  int64_t waited = 0;
  for (auto s : clock.sleeps) waited += s;
  EXPECT_GE(waited, 2000);
  EXPECT_LT(waited, 2100);
}

TEST(DescribeDryRun, ShowsWhatIsSignedButNoUsableSignatureOrToken) {
  ClientSettings s = testing::TestSettings("AKIDx", "secretKEY", "sessionTOKEN");
  std::string text = DescribeDryRun(s, "CreateAssetImageScanTask", "{}", 1700000000);
  HttpRequest real = BuildSignedRequest(s, "CreateAssetImageScanTask", "{}", 1700000000);
  std::string auth;
  for (const auto& h : real.headers)
    if (h.name == "Authorization") auth = h.value;
  std::string signature = auth.substr(auth.find("Signature=") + 10);
  ASSERT_EQ(signature.size(), 64u);
  EXPECT_EQ(text.find(signature), std::string::npos);
  EXPECT_EQ(text.find("sessionTOKEN"), std::string::npos);
  EXPECT_EQ(text.find("secretKEY"), std::string::npos);
  EXPECT_NE(text.find("X-TC-Token: ***"), std::string::npos);
  EXPECT_NE(
      text.find("Authorization: TC3-HMAC-SHA256 Credential=AKIDx/2023-11-14/tcss/tc3_request, "
                "SignedHeaders=content-type;host, Signature=***"),
      std::string::npos);
  EXPECT_NE(text.find("# canonical request\nPOST\n/\n\ncontent-type:application/json\n"),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find("# string to sign\nTC3-HMAC-SHA256\n1700000000\n2023-11-14/tcss/tc3_request\n"),
      std::string::npos)
      << text;
}

TEST(BuildSignedRequest, MatchesTheOfficialSdkVectorByteForByte) {
  ClientSettings s = testing::TestSettings("AKIDFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE",
                                           "fakeSecretKeyfakeSecretKeyfake12");
  std::string body =
      R"({"Images":["ccr.ccs.tencentyun.com/ns/app:1.0"],"ScanVul":true,"ScanVirus":true,"ScanRisk":true})";
  auto req = BuildSignedRequest(s, "CreateAssetImageScanTask", body, 1700000000);
  std::string auth;
  for (const auto& h : req.headers)
    if (h.name == "Authorization") auth = h.value;
  EXPECT_EQ(auth,
            "TC3-HMAC-SHA256 "
            "Credential=AKIDFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE/2023-11-14/tcss/tc3_request, "
            "SignedHeaders=content-type;host, "
            "Signature=c262074f837fe561050b86b563686c75ba1e94aef1f0a327fcb166db92180406");
}

}  // namespace
}  // namespace tcss
