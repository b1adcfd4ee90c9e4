// Keyless credentials (issue 10) through the real binaries: a GitHub-style and a GitLab-style
// job, a token file and a CVM role obtain temporary keys from the emulator (which verifies the
// OIDC token's RS256 signature, issuer, audience, expiry and the role's trust) and scan with
// them; every refusal has its exit code and hint; keys are renewed during a long wait; no
// token or temporary secret reaches any output, file or the emulator's log.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <set>
#include <thread>

#include "core/json.h"
#include "core/jwt.h"
#include "harness.h"

namespace tcss::it {
namespace {

const std::string kRole = "qcs::cam::uin/100000000001:roleName/tcss-ci";
const std::string kRequestToken = "REQUEST-TOKEN-must-never-leak-42";

std::vector<std::string> Identity(const std::string& role_extra = ",sub=repo:example/*") {
  return {"--oidc-provider",
          "github=self,sts.tencentcloudapi.com",
          "--role",
          kRole + "=github" + role_extra,
          "--oidc-request-token",
          kRequestToken};
}

Env KeylessEnv(const Emulator& emu, const TempDir& home) {
  Env env = BaseEnv(home.path(), false);
  env["TCSS_ENDPOINT"] = emu.url();
  env["TENCENTCLOUD_ROLE_ARN"] = kRole;
  env["TENCENTCLOUD_OIDC_PROVIDER_ID"] = "github";
  return env;
}

void AsGithubOidc(Env& env, const Emulator& emu, const TempDir& home) {
  AsGithubStep(env, home);
  env["GITHUB_RUN_ID"] = "1234";
  env["GITHUB_RUN_ATTEMPT"] = "1";
  env["ACTIONS_ID_TOKEN_REQUEST_URL"] = emu.url() + "/_emulator/oidc/token?api-version=2.0";
  env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = kRequestToken;
}

// A token from the emulator's issuer, as GitLab's id_tokens would hand one to the job.
std::string IssuedToken(Emulator& emu, const std::string& audience = "sts.tencentcloudapi.com") {
  auto a = emu.Raw("GET", "/_emulator/oidc/token?audience=" + audience,
                   {{"Authorization", "Bearer " + kRequestToken}}, "");
  auto o = json::ParseObject(a.body);
  return o.ok() ? (*o)->getValue<std::string>("value") : "";
}

// The values a run masked with ::add-mask:: (GitHub hides them in its logs).
std::vector<std::string> Masked(const std::string& out) {
  std::vector<std::string> v;
  const std::string kMask = "::add-mask::";
  for (size_t at = out.find(kMask); at != std::string::npos; at = out.find(kMask, at + 1)) {
    size_t end = out.find('\n', at);
    v.push_back(out.substr(at + kMask.size(), end - at - kMask.size()));
  }
  return v;
}

std::string Field(const Poco::JSON::Array::Ptr& reqs, size_t i, const std::string& name) {
  return reqs->getObject(static_cast<unsigned>(i))->getValue<std::string>(name);
}

class KeylessTest : public ::testing::Test {
 protected:
  TempDir home;
};

TEST_F(KeylessTest, GithubJobWithoutStoredKeysScansAndLeaksNothing) {
  std::vector<std::string> args = Identity();
  args.insert(args.end(), {"--scan-seconds", "1"});
  Emulator emu(args);
  Env env = KeylessEnv(emu, home);
  AsGithubOidc(env, emu, home);
  auto r = RunProcess({ScanBin(), "--wait", kApp}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto reqs = emu.Requests();
  ASSERT_GE(reqs->size(), 2u);
  EXPECT_EQ(Field(reqs, 0, "Action"), "AssumeRoleWithWebIdentity");
  EXPECT_EQ(Field(reqs, 0, "ErrorCode"), "");
  EXPECT_NE(Field(reqs, 0, "Body").find(R"("RoleSessionName":"github-1234-1")"), std::string::npos);
  std::string temp_id;
  for (size_t i = 1; i < reqs->size(); ++i) {
    EXPECT_EQ(Field(reqs, i, "ErrorCode"), "") << Field(reqs, i, "Action");
    temp_id = Field(reqs, i, "SecretId");
    EXPECT_EQ(temp_id.rfind("AKID", 0), 0u);
    EXPECT_NE(temp_id, kSecretId);
  }
  EXPECT_NE(home.Read("output").find("task-id"), std::string::npos);
  // The JWT, the temporary key and token: masked, and nowhere else.
  auto masked = Masked(r.out);
  ASSERT_EQ(masked.size(), 3u) << r.out;
  std::string everywhere = r.err + home.Read("output") + home.Read("summary.md") +
                           emu.Raw("GET", "/_emulator/requests", {}, "").body + emu.Stderr();
  for (const auto& secret : masked) {
    EXPECT_EQ(everywhere.find(secret), std::string::npos);
    EXPECT_EQ(r.out.find(secret), r.out.find("::add-mask::" + secret) + 12);
  }
  EXPECT_EQ(everywhere.find(kRequestToken), std::string::npos);
  EXPECT_EQ(r.out.find(kRequestToken), std::string::npos);
}

TEST_F(KeylessTest, GitlabJobWithIdTokensVariable) {
  Emulator emu(Identity());
  Env env = KeylessEnv(emu, home);
  env["GITLAB_CI"] = "true";
  env["CI_JOB_ID"] = "987";
  env["TENCENTCLOUD_OIDC_TOKEN"] = IssuedToken(emu);
  env["TCSS_DOTENV"] = home.File("scan.env");
  auto r = RunProcess({ScanBin(), kNginx}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(home.Read("scan.env").find("TCSS_TASK_ID=" + r.out.substr(0, r.out.size() - 1)),
            std::string::npos);
  auto reqs = emu.Requests();
  EXPECT_NE(Field(reqs, 0, "Body").find(R"("RoleSessionName":"gitlab-987")"), std::string::npos);
  EXPECT_EQ(Field(reqs, 0, "Body").find(env["TENCENTCLOUD_OIDC_TOKEN"]), std::string::npos);
  EXPECT_EQ(r.err.find(env["TENCENTCLOUD_OIDC_TOKEN"]), std::string::npos);
}

// CircleCI and Bitbucket mint a token for the job in a variable of their own: no setting names
// it. Under Azure the temporary secrets are masked with task.setsecret instead of ::add-mask::.
TEST_F(KeylessTest, CiVendorTokenVariablesAndAzureMasking) {
  Emulator emu(Identity());
  struct Case {
    Env vars;
    std::string session;
  };
  for (const Case& c : {Case{{{"CIRCLECI", "true"},
                              {"CIRCLE_BUILD_NUM", "55"},
                              {"CIRCLE_OIDC_TOKEN_V2", IssuedToken(emu)},
                              {"CIRCLE_OIDC_TOKEN", "not-a-jwt"}},
                             "circleci-55"},
                        Case{{{"BITBUCKET_BUILD_NUMBER", "8"},
                              {"BITBUCKET_STEP_OIDC_TOKEN", IssuedToken(emu)},
                              {"BITBUCKET_PIPELINES_VARIABLES_PATH", home.File("bb")}},
                             "bitbucket-8"},
                        Case{{{"TF_BUILD", "True"},
                              {"BUILD_BUILDID", "71"},
                              {"TENCENTCLOUD_OIDC_TOKEN", IssuedToken(emu)}},
                             "azure-71"}}) {
    emu.Reset();
    Env env = KeylessEnv(emu, home);
    for (const auto& [k, v] : c.vars) env[k] = v;
    auto r = RunProcess({ScanBin(), kNginx}, env, home.path());
    ASSERT_EQ(r.exit_code, 0) << c.session << ": " << r.err;
    auto reqs = emu.Requests();
    EXPECT_NE(Field(reqs, 0, "Body").find(R"("RoleSessionName":")" + c.session + "\""),
              std::string::npos)
        << Field(reqs, 0, "Body");
    EXPECT_EQ(r.out.find("::add-mask::"), std::string::npos);
    if (c.session == "azure-71") {
      // The token and the temporary key and token, each announced before use.
      size_t n = 0;
      for (size_t at = r.out.find("##vso[task.setsecret]"); at != std::string::npos;
           at = r.out.find("##vso[task.setsecret]", at + 1)) {
        ++n;
      }
      EXPECT_EQ(n, 3u) << r.out;
    }
  }
  // Without one, the hint says how the platform gives one.
  Env env = KeylessEnv(emu, home);
  env["CIRCLECI"] = "true";
  auto r = RunProcess({ScanBin(), "--auth", "oidc", kNginx}, env, home.path());
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find("CircleCI gives one (CIRCLE_OIDC_TOKEN_V2) to jobs that use a context"),
            std::string::npos)
      << r.err;
}

TEST_F(KeylessTest, TokenFileWithTheSdksVariables) {
  Emulator emu(Identity());
  Env env = BaseEnv(home.path(), false);
  env["TCSS_ENDPOINT"] = emu.url();
  env["TKE_ROLE_ARN"] = kRole;
  env["TKE_PROVIDER_ID"] = "github";
  env["TKE_REGION"] = "ap-shanghai";
  home.Write("token", IssuedToken(emu) + "\n");
  env["TKE_WEB_IDENTITY_TOKEN_FILE"] = home.File("token");
  auto r = RunProcess({ScanBin(), kNginx}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto reqs = emu.Requests();
  auto headers = reqs->getObject(0)->getObject("Headers");
  EXPECT_EQ(headers->getValue<std::string>("x-tc-region"), "ap-shanghai");
}

TEST_F(KeylessTest, CvmRoleFromTheMetadataService) {
  Emulator emu({"--cvm-role", "tcss-runner"});
  Env env = BaseEnv(home.path(), false);
  env["TCSS_ENDPOINT"] = emu.url();
  env["TCSS_METADATA_ENDPOINT"] = emu.url();
  auto r = RunProcess({ScanBin(), "--auth", "cvm-role", kNginx}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(emu.Actions().back(), "CreateAssetImageScanTask");

  Emulator bare;  // no role bound to this "CVM"
  env["TCSS_ENDPOINT"] = bare.url();
  env["TCSS_METADATA_ENDPOINT"] = bare.url();
  r = RunProcess({ScanBin(), "--auth", "cvm-role", kNginx}, env);
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("this CVM has no CAM role"), std::string::npos) << r.err;

  int port = 0;
  int fd = ListenLoopback(&port);  // accepts nothing: the metadata service never answers
  env["TCSS_METADATA_ENDPOINT"] = "http://127.0.0.1:" + std::to_string(port);
  r = RunProcess({ScanBin(), "--auth", "cvm-role", kNginx}, env);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_LT(r.seconds, 5);
  EXPECT_NE(r.err.find("works only on a Tencent Cloud CVM"), std::string::npos) << r.err;
  close(fd);
}

TEST_F(KeylessTest, EveryRefusalHasItsExitCodeAndHint) {
  struct Case {
    std::vector<std::string> emulator_extra;  // after Identity's
    std::string role_extra;
    std::vector<std::string> args;
    std::map<std::string, std::string> env;
    int exit_code;
    std::string says;
  };
  const std::vector<Case> kCases = {
      // The token's audience is not one of the provider's ClientIds.
      {{},
       ",sub=repo:example/*",
       {"--oidc-audience", "other-audience"},
       {},
       1,
       "WebIdentityTokenError"},
      // The role's trust policy wants another repository.
      {{}, ",sub=repo:someone-else/*", {}, {}, 1, "trust policy"},
      // No such role.
      {{},
       "",
       {"--role-arn", "qcs::cam::uin/100000000001:roleName/missing"},
       {},
       1,
       "InternalError.GetRoleError"},
      // The provider's name is wrong.
      {{}, "", {"--oidc-provider-id", "gitlab"}, {}, 1, "does not exist"},
      // STS fails on its side (not retried: a permanent InternalError sub-code).
      {{"--fault", "AssumeRoleWithWebIdentity:InternalError.SystemError"},
       "",
       {},
       {},
       1,
       "InternalError.SystemError"},
      // The job's request token is refused by the token service.
      {{}, "", {}, {{"ACTIONS_ID_TOKEN_REQUEST_TOKEN", "wrong-token"}}, 3, "HTTP 401"},
      // The job was not given `permissions: id-token: write`.
      {{}, "", {}, {{"ACTIONS_ID_TOKEN_REQUEST_URL", ""}}, 4, "id-token: write"},
  };
  for (const auto& c : kCases) {
    std::vector<std::string> extra = Identity(c.role_extra);
    extra.insert(extra.end(), c.emulator_extra.begin(), c.emulator_extra.end());
    Emulator emu(extra);
    Env env = KeylessEnv(emu, home);
    AsGithubOidc(env, emu, home);
    for (const auto& [k, v] : c.env) env[k] = v;
    std::vector<std::string> argv = {ScanBin(), "--retries", "1"};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    argv.push_back(kNginx);
    auto r = RunProcess(argv, env);
    EXPECT_EQ(r.exit_code, c.exit_code) << c.says << "\n" << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
    auto actions = emu.Actions();
    EXPECT_EQ(Count(actions, "CreateAssetImageScanTask"), 0) << c.says;
  }
}

TEST_F(KeylessTest, ATokenSignedByAnotherKeyIsRefused) {
  Emulator emu(Identity());
  Emulator other(Identity());  // another issuer's key, same claims shape
  std::string foreign = IssuedToken(other);
  // Same header and signature, but this emulator's iss: the signature cannot match.
  auto t = jwt::Decode(foreign);
  ASSERT_TRUE(t.ok());
  std::string payload = t->payload_json;
  size_t at = payload.find(other.url());
  ASSERT_NE(at, std::string::npos);
  payload.replace(at, other.url().size(), emu.url());
  auto parts = foreign.substr(0, foreign.find('.')) + "." + jwt::Base64UrlEncode(payload) +
               foreign.substr(foreign.rfind('.'));
  Env env = KeylessEnv(emu, home);
  env["TENCENTCLOUD_OIDC_TOKEN"] = parts;
  auto r = RunProcess({ScanBin(), kNginx}, env);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("signature does not verify"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("IdentityKey"), std::string::npos) << r.err;
}

TEST_F(KeylessTest, KeysThatExpireDuringTheWaitAreRenewed) {
  // The role caps its keys at 4 s; the scan takes 4 s and the wait polls at 1, 3 and 7 s.
  Emulator emu({"--scan-seconds", "4", "--oidc-provider", "github=self,sts.tencentcloudapi.com",
                "--role", kRole + "=github,max=4", "--oidc-request-token", kRequestToken});
  Env env = KeylessEnv(emu, home);
  AsGithubOidc(env, emu, home);
  auto r = RunProcess({ScanBin(), "--wait", kApp}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto reqs = emu.Requests();
  std::set<std::string> ids;
  for (size_t i = 0; i < reqs->size(); ++i) {
    EXPECT_EQ(Field(reqs, i, "ErrorCode"), "") << Field(reqs, i, "Action");
    if (Field(reqs, i, "Action") != "AssumeRoleWithWebIdentity")
      ids.insert(Field(reqs, i, "SecretId"));
  }
  EXPECT_GE(Count(emu.Actions(), "AssumeRoleWithWebIdentity"), 2);
  EXPECT_GE(ids.size(), 2u);  // the later calls were signed with renewed keys
}

TEST_F(KeylessTest, ExpiredTemporaryKeysAreRefusedByTheEmulator) {
  // Keys live 3 whole seconds: the first call has at least 2 s to come in under a slow emulated
  // CPU (qemu), and the last one waits for the second the emulator gave as ExpiredTime.
  Emulator emu({"--cvm-role", "r,max=3"});
  auto creds = emu.Raw("GET", "/latest/meta-data/cam/security-credentials/r", {}, "");
  auto o = json::ParseObject(creds.body);
  ASSERT_TRUE(o.ok()) << creds.body;
  std::string id = (*o)->getValue<std::string>("TmpSecretId");
  std::string key = (*o)->getValue<std::string>("TmpSecretKey");
  std::string token = (*o)->getValue<std::string>("Token");
  auto expires = std::chrono::system_clock::time_point(
      std::chrono::seconds((*o)->getValue<int64_t>("ExpiredTime")));
  EXPECT_EQ(emu.Call("DescribeAssetImageList", "{}", {}, key, 0, token, id).code, "");
  EXPECT_EQ(emu.Call("DescribeAssetImageList", "{}", {}, key, 0, "wrong", id).code,
            "AuthFailure.TokenFailure");
  std::this_thread::sleep_until(expires + std::chrono::milliseconds(100));
  EXPECT_EQ(emu.Call("DescribeAssetImageList", "{}", {}, key, 0, token, id).code,
            "AuthFailure.TokenFailure");
}

}  // namespace
}  // namespace tcss::it
