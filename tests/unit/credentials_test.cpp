// The credential chain and the keyless flow through app::Run with fakes: which source wins,
// the bytes sent to GitHub's token service, STS and TCSS, renewal on a fake clock, and the
// error (and exit code) for each thing that can be missing or refused.
#include <gtest/gtest.h>

#include "app/credentials/provider.h"
#include "core/jwt.h"
#include "core/policy.h"
#include "fakes.h"

namespace tcss {
namespace {

using testing::AppFixture;
using testing::FakeClock;

constexpr const char* kRole = "qcs::cam::uin/100000000001:roleName/ci";

std::string Jwt(int64_t exp) {
  return jwt::Base64UrlEncode(R"({"alg":"RS256","kid":"k"})") + "." +
         jwt::Base64UrlEncode(R"({"iss":"https://token.actions.githubusercontent.com",)"
                              R"("aud":"sts.tencentcloudapi.com","sub":"repo:o/r:ref:refs/heads/)"
                              R"(main","exp":)" +
                              std::to_string(exp) + "}") +
         ".c2lnbmF0dXJl";
}

HttpResponse Ok(const std::string& fields) {
  return HttpResponse{200, R"({"Response":{)" + fields + R"(,"RequestId":"r"}})"};
}

HttpResponse StsAnswer(const std::string& id, int64_t expires) {
  return Ok(R"("Credentials":{"Token":"TMPTOKEN-)" + id + R"(","TmpSecretId":"AKIDTMP)" + id +
            R"(","TmpSecretKey":"TMPKEY-)" + id + R"("},"ExpiredTime":)" + std::to_string(expires) +
            R"(,"Expiration":"x")");
}

std::string Header(const HttpRequest& r, const std::string& name) {
  for (const auto& h : r.headers)
    if (h.name == name) return h.value;
  return "";
}

const std::string kImage = "sha256:" + std::string(64, 'a');

struct KeylessFixture : AppFixture {
  KeylessFixture() {
    env = {{"TCSS_ENDPOINT", "http://127.0.0.1:9"},
           {"HOME", "/home/u"},
           {"TENCENTCLOUD_ROLE_ARN", kRole},
           {"TENCENTCLOUD_OIDC_PROVIDER_ID", "gh"}};
    transport.latency_ms = 0;
  }
  void AsGithub() {
    env["GITHUB_ACTIONS"] = "true";
    env["GITHUB_RUN_ID"] = "42";
    env["GITHUB_RUN_ATTEMPT"] = "3";
    env["ACTIONS_ID_TOKEN_REQUEST_URL"] = "http://127.0.0.1:9/token?api-version=2.0";
    env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = "REQUEST-BEARER";
  }
  int64_t now() { return clock.UnixSeconds(); }
};

TEST_F(KeylessFixture, GithubTokenIsExchangedAndTheTemporaryKeysSignTheScan) {
  AsGithub();
  transport.script = {HttpResponse{200, R"({"count":1,"value":")" + Jwt(now() + 300) + R"("})"},
                      StsAnswer("1", now() + 3600), Ok(R"("TaskID":"t1")")};
  int code = Run({kImage, "--no-resolve"});
  ASSERT_EQ(code, 0) << err.str();
  ASSERT_EQ(transport.requests.size(), 3u);
  const HttpRequest& token = transport.requests[0];
  EXPECT_EQ(token.method, "GET");
  EXPECT_EQ(token.target, "/token?api-version=2.0&audience=sts.tencentcloudapi.com");
  EXPECT_EQ(Header(token, "Authorization"), "Bearer REQUEST-BEARER");
  const HttpRequest& sts = transport.requests[1];
  EXPECT_EQ(sts.method, "POST");
  EXPECT_EQ(Header(sts, "Authorization"), "SKIP");
  EXPECT_EQ(Header(sts, "X-TC-Action"), "AssumeRoleWithWebIdentity");
  EXPECT_EQ(Header(sts, "X-TC-Version"), "2018-08-13");
  EXPECT_EQ(Header(sts, "X-TC-Region"), "ap-guangzhou");
  EXPECT_EQ(Header(sts, "X-TC-Token"), "");
  EXPECT_EQ(sts.body, R"({"ProviderId":"gh","WebIdentityToken":")" + Jwt(now() + 300) +
                          R"(","RoleArn":")" + kRole +
                          R"(","RoleSessionName":"github-42-3","DurationSeconds":3600})");
  const HttpRequest& scan = transport.requests[2];
  EXPECT_EQ(Header(scan, "X-TC-Action"), "CreateAssetImageScanTask");
  EXPECT_EQ(Header(scan, "X-TC-Token"), "TMPTOKEN-1");
  EXPECT_NE(Header(scan, "Authorization").find("Credential=AKIDTMP1/"), std::string::npos);
  // The JWT and the temporary secrets are masked for GitHub before anything else is printed,
  // and never appear in the log.
  EXPECT_NE(out.str().find("::add-mask::" + Jwt(now() + 300) + "\n"), std::string::npos);
  EXPECT_NE(out.str().find("::add-mask::TMPKEY-1\n"), std::string::npos);
  EXPECT_NE(out.str().find("::add-mask::TMPTOKEN-1\n"), std::string::npos);
  EXPECT_GT(out.str().rfind("t1\n"), out.str().rfind("::add-mask::"));  // the TaskID comes last
  for (const std::string& secret : {Jwt(now() + 300), std::string("TMPKEY-1"),
                                    std::string("TMPTOKEN-1"), std::string("REQUEST-BEARER")}) {
    EXPECT_EQ(err.str().find(secret), std::string::npos) << secret;
  }
}

TEST_F(KeylessFixture, StoredKeysComeFirstInAutoThenTheProfileThenOidc) {
  AsGithub();
  env["TENCENTCLOUD_SECRET_ID"] = "AKIDENV";
  env["TENCENTCLOUD_SECRET_KEY"] = "envkey";
  ASSERT_EQ(Run({kImage, "--no-resolve"}), 0) << err.str();
  ASSERT_EQ(transport.requests.size(), 1u);  // no token request, no STS
  EXPECT_NE(Header(transport.requests[0], "Authorization").find("Credential=AKIDENV/"),
            std::string::npos);

  env.erase("TENCENTCLOUD_SECRET_ID");
  env.erase("TENCENTCLOUD_SECRET_KEY");
  files.files["/home/u/.tencentcloud/credentials"] =
      "[default]\nsecret_id = AKIDPROFILE\nsecret_key = pk\n";
  transport.requests.clear();
  ASSERT_EQ(Run({kImage, "--no-resolve"}), 0) << err.str();
  ASSERT_EQ(transport.requests.size(), 1u);
  EXPECT_NE(Header(transport.requests[0], "Authorization").find("Credential=AKIDPROFILE/"),
            std::string::npos);

  // --auth oidc skips the stored keys.
  transport.requests.clear();
  transport.script = {HttpResponse{200, R"({"value":")" + Jwt(now() + 300) + R"("})"},
                      StsAnswer("2", now() + 3600), Ok(R"("TaskID":"t2")")};
  ASSERT_EQ(Run({kImage, "--no-resolve", "--auth", "oidc"}), 0) << err.str();
  ASSERT_EQ(transport.requests.size(), 3u);
  EXPECT_EQ(Header(transport.requests[2], "X-TC-Token"), "TMPTOKEN-2");
}

TEST_F(KeylessFixture, NothingUsableSaysWhatIsMissingAndSendsNothing) {
  env["GITHUB_ACTIONS"] = "true";  // a job without `permissions: id-token: write`
  int code = Run({kImage});
  EXPECT_EQ(code, 4);
  EXPECT_TRUE(transport.requests.empty());
  EXPECT_NE(err.str().find("TENCENTCLOUD_SECRET_ID"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("permissions: id-token: write"), std::string::npos);
  EXPECT_NE(err.str().find("forks"), std::string::npos);

  err.str("");
  env.erase("TENCENTCLOUD_ROLE_ARN");
  env["GITHUB_ACTIONS"] = "false";
  env["GITLAB_CI"] = "true";
  EXPECT_EQ(Run({kImage, "--auth", "oidc"}), 4);
  EXPECT_NE(err.str().find("--auth oidc needs a role ARN"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("id_tokens: TENCENTCLOUD_OIDC_TOKEN"), std::string::npos);

  err.str("");
  env["TENCENTCLOUD_OIDC_TOKEN"] = Jwt(now() + 300);
  env["TENCENTCLOUD_ROLE_ARN"] = kRole;
  EXPECT_EQ(Run({kImage, "--auth", "secret"}), 4);
  EXPECT_NE(err.str().find("no credentials"), std::string::npos) << err.str();
  EXPECT_TRUE(transport.requests.empty());
}

TEST_F(KeylessFixture, TokenFileAndTheSdksVariables) {
  env.erase("TENCENTCLOUD_ROLE_ARN");
  env.erase("TENCENTCLOUD_OIDC_PROVIDER_ID");
  env["TKE_ROLE_ARN"] = kRole;
  env["TKE_PROVIDER_ID"] = "tke";
  env["TKE_REGION"] = "ap-shanghai";
  env["TKE_WEB_IDENTITY_TOKEN_FILE"] = "/var/run/token";
  files.files["/var/run/token"] = Jwt(now() + 300) + "\n";
  transport.script = {StsAnswer("3", now() + 3600), Ok(R"("TaskID":"t3")")};
  ASSERT_EQ(Run({kImage, "--no-resolve", "--role-session-name", "my-session"}), 0) << err.str();
  ASSERT_EQ(transport.requests.size(), 2u);
  EXPECT_EQ(Header(transport.requests[0], "X-TC-Region"), "ap-shanghai");
  EXPECT_NE(transport.requests[0].body.find(R"("ProviderId":"tke")"), std::string::npos);
  EXPECT_NE(transport.requests[0].body.find(R"("RoleSessionName":"my-session")"),
            std::string::npos);
  EXPECT_NE(transport.requests[0].body.find(Jwt(now() + 300) + "\""), std::string::npos);

  transport.requests.clear();
  files.files.erase("/var/run/token");
  EXPECT_EQ(Run({kImage, "--no-resolve"}), 4);
  EXPECT_NE(err.str().find("cannot read the OIDC token file /var/run/token"), std::string::npos);
  EXPECT_TRUE(transport.requests.empty());
}

TEST_F(KeylessFixture, AnExpiredOrMalformedTokenIsRefusedBeforeSending) {
  env["TENCENTCLOUD_OIDC_TOKEN"] = Jwt(now() - 10);
  EXPECT_EQ(Run({kImage}), 4);
  EXPECT_NE(err.str().find("expired 10 s ago"), std::string::npos) << err.str();
  env["TENCENTCLOUD_OIDC_TOKEN"] = "not-a-jwt";
  err.str("");
  EXPECT_EQ(Run({kImage}), 4);
  EXPECT_NE(err.str().find("is not a JWT"), std::string::npos) << err.str();
  EXPECT_TRUE(transport.requests.empty());
}

TEST_F(KeylessFixture, StsRefusalsKeepTheirCodeAndNameTheFix) {
  env["TENCENTCLOUD_OIDC_TOKEN"] = Jwt(now() + 300);
  const std::vector<std::pair<std::string, std::string>> kCases = {
      {"InvalidParameter.WebIdentityTokenError", "ClientId"},
      {"UnauthorizedOperation", "trust policy"},
      {"InternalError.GetRoleError", "--role-arn"},
      {"InvalidParameter.ParamError", "--role-duration"}};
  for (const auto& [code, hint] : kCases) {
    transport.requests.clear();
    err.str("");
    transport.script = {testing::ApiError(code)};
    EXPECT_EQ(Run({kImage}), 1) << code;
    EXPECT_EQ(transport.requests.size(), 1u) << code;  // nothing reached TCSS
    EXPECT_NE(err.str().find("[" + code + "]"), std::string::npos) << err.str();
    EXPECT_NE(err.str().find(hint), std::string::npos) << err.str();
  }
  // A throttled STS is retried like any API.
  transport.requests.clear();
  transport.script = {testing::ApiError("RequestLimitExceeded"), StsAnswer("4", now() + 3600),
                      Ok(R"("TaskID":"t4")")};
  EXPECT_EQ(Run({kImage, "--no-resolve"}), 0) << err.str();
  EXPECT_EQ(transport.requests.size(), 3u);
}

// Hardening III, 1: STS answering its keys in a body the client refuses (trailing bytes, or a
// 5xx) is retried and reported without a byte of that body, on stderr or stdout.
TEST_F(KeylessFixture, ARefusedStsAnswerNeverShowsItsKeys) {
  env["TENCENTCLOUD_OIDC_TOKEN"] = Jwt(now() + 300);
  HttpResponse trailing = StsAnswer("9", now() + 3600);
  trailing.body += "garbage";
  HttpResponse failed = StsAnswer("9", now() + 3600);
  failed.status = 502;
  transport.script = {trailing, failed, failed, failed, failed, failed};
  EXPECT_EQ(Run({kImage, "--no-resolve", "--retries", "2"}), 3) << err.str();
  for (const std::string& shown : {err.str(), out.str()}) {
    EXPECT_EQ(shown.find("TMPKEY-9"), std::string::npos) << shown;
    EXPECT_EQ(shown.find("TMPTOKEN-9"), std::string::npos) << shown;
    EXPECT_EQ(shown.find("Credentials"), std::string::npos) << shown;
  }
  EXPECT_NE(err.str().find("it may carry credentials"), std::string::npos) << err.str();
}

TEST_F(KeylessFixture, GithubRefusingTheRequestTokenIsExplained) {
  AsGithub();
  transport.script = {HttpResponse{403, R"({"message":"no"})"}};
  EXPECT_EQ(Run({kImage}), 3);
  EXPECT_NE(err.str().find("HTTP 403"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("id-token: write"), std::string::npos);
}

TEST_F(KeylessFixture, ARefusedTemporaryTokenIsRenewedOnceAndTheCallResent) {
  env["TENCENTCLOUD_OIDC_TOKEN"] = Jwt(now() + 3000);
  transport.script = {StsAnswer("5", now() + 3600), testing::ApiError("AuthFailure.TokenFailure"),
                      StsAnswer("6", now() + 3600), Ok(R"("TaskID":"t5")")};
  ASSERT_EQ(Run({kImage, "--no-resolve"}), 0) << err.str();
  ASSERT_EQ(transport.requests.size(), 4u);
  EXPECT_EQ(Header(transport.requests[1], "X-TC-Token"), "TMPTOKEN-5");
  EXPECT_EQ(Header(transport.requests[3], "X-TC-Token"), "TMPTOKEN-6");
  // A second refusal is the answer.
  transport.requests.clear();
  transport.script = {StsAnswer("7", now() + 3600), testing::ApiError("AuthFailure.TokenFailure"),
                      StsAnswer("8", now() + 3600), testing::ApiError("AuthFailure.TokenFailure")};
  EXPECT_EQ(Run({kImage, "--no-resolve"}), 1);
  EXPECT_EQ(transport.requests.size(), 4u);
}

TEST_F(KeylessFixture, CvmRoleFromTheMetadataService) {
  env["TCSS_METADATA_ENDPOINT"] = "http://127.0.0.1:7";
  transport.script = {
      HttpResponse{200, "cvm-role\n"},
      HttpResponse{200, R"({"TmpSecretId":"AKIDCVM","TmpSecretKey":"cvmkey","Token":"cvmtok",)"
                        R"("ExpiredTime":)" +
                            std::to_string(now() + 7200) + R"(,"Code":"Success"})"},
      Ok(R"("TaskID":"t9")")};
  ASSERT_EQ(Run({kImage, "--no-resolve", "--auth", "cvm-role"}), 0) << err.str();
  ASSERT_EQ(transport.requests.size(), 3u);
  EXPECT_EQ(transport.requests[0].target, "/latest/meta-data/cam/security-credentials/");
  EXPECT_EQ(transport.requests[1].target, "/latest/meta-data/cam/security-credentials/cvm-role");
  EXPECT_EQ(Header(transport.requests[2], "X-TC-Token"), "cvmtok");

  transport.requests.clear();
  err.str("");
  transport.script = {HttpResponse{404, "Not Found"}};
  EXPECT_EQ(Run({kImage, "--auth", "cvm-role"}), 4);
  EXPECT_NE(err.str().find("this CVM has no CAM role"), std::string::npos) << err.str();
}

TEST_F(KeylessFixture, DryRunExchangesNothing) {
  AsGithub();
  ASSERT_EQ(Run({kImage, "--dry-run"}), 0) << err.str();
  EXPECT_TRUE(transport.requests.empty());
  EXPECT_NE(err.str().find("not fetched"), std::string::npos);
}

// The renewal schedule, on a fake clock, with a provider that counts its exchanges.
class CountingProvider : public app::CredentialProvider {
 public:
  CountingProvider(FakeClock& clock, int64_t lifetime) : clock_(clock), lifetime_(lifetime) {}
  Result<Credentials> Fetch() override {
    ++fetches;
    if (fail) return TransportError("Network.Timeout", "sts down");
    int64_t now = clock_.UnixSeconds();
    return Credentials{"AKID" + std::to_string(fetches),
                       "key" + std::to_string(fetches),
                       "tok" + std::to_string(fetches),
                       "test",
                       now + lifetime_,
                       now};
  }
  std::string Describe() const override { return "counting"; }
  bool Renewable() const override { return true; }
  int fetches = 0;
  bool fail = false;

 private:
  FakeClock& clock_;
  int64_t lifetime_;
};

TEST_F(KeylessFixture, TemporaryKeysAreRenewedTenPercentBeforeExpiry) {
  Config c;
  Ports ports{clock, clock, random, files, out, err, nullptr, false, nullptr};
  Logger log(err, LogLevel::kInfo);
  app::CredentialDeps deps{c, env, ports, log};
  auto owned = std::make_unique<CountingProvider>(clock, 3600);
  CountingProvider* provider = owned.get();
  app::CredentialCache cache(deps, std::move(owned));
  ASSERT_EQ(cache.Get(false)->secret_id, "AKID1");
  clock.Advance(3239 * 1000);
  EXPECT_EQ(cache.Get(false)->secret_id, "AKID1");
  clock.Advance(1000);
  EXPECT_EQ(cache.Get(false)->secret_id, "AKID2");  // at 3240 s of 3600
  EXPECT_EQ(cache.Get(true)->secret_id, "AKID3");   // forced
  EXPECT_EQ(provider->fetches, 3);
  // A failed renewal keeps the keys that still work, with a warning; once they have expired
  // the failure is the answer.
  provider->fail = true;
  clock.Advance(3300 * 1000);
  auto kept = cache.Get(false);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->secret_id, "AKID3");
  EXPECT_NE(err.str().find("could not renew the temporary keys"), std::string::npos);
  clock.Advance(400 * 1000);
  EXPECT_FALSE(cache.Get(false).ok());
  // Every secret it handed out is scrubbed from the log.
  EXPECT_EQ(log.Scrub("key1 tok3"), "*** ***");
}

}  // namespace
}  // namespace tcss
