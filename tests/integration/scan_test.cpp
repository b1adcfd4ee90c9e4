// The real tcss-scan against the real tcss-emulator over loopback sockets, as CI systems call it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <regex>
#include <set>
#include <thread>

#include "core/json.h"
#include "harness.h"

namespace tcss::it {
namespace {

class ScanTest : public ::testing::Test {
 protected:
  TempDir home;
  Env EnvFor(const Emulator& emu) { return ScanEnv(emu, home); }
  static std::string LastBody(Emulator& emu) {
    auto reqs = emu.Requests();
    return reqs->getObject(static_cast<unsigned>(reqs->size() - 1))->getValue<std::string>("Body");
  }
};

const std::regex kTaskLine("^[0-9a-f]{24}\n$");

TEST_F(ScanTest, SubmitsOverHttpAndPrintsTheTaskIdAlone) {
  Emulator emu;
  auto r = RunProcess({ScanBin(), kApp}, EnvFor(emu));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::regex_match(r.out, kTaskLine)) << r.out;
  EXPECT_NE(r.err.find("submitted"), std::string::npos);
  // --source auto: the registry list first, then the local images, where it is found.
  EXPECT_EQ(emu.Actions(),
            (std::vector<std::string>{"DescribeAssetImageRegistryList", "DescribeAssetImageList",
                                      "CreateAssetImageScanTask"}));
  // The reference was resolved: the API got the image ID.
  EXPECT_EQ(LastBody(emu),
            R"({"Images":[")" + kAppId + R"("],"ScanVul":true,"ScanVirus":true,"ScanRisk":true})");
}

TEST_F(ScanTest, FamiliarNamesMatchAfterNormalisation) {
  Emulator emu;
  auto r = RunProcess({ScanBin(), "docker.io/library/nginx:1.25"}, EnvFor(emu));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(LastBody(emu).find(kNginxId), std::string::npos);
}

TEST_F(ScanTest, ImageIdsArePassedThroughWithoutALookup) {
  Emulator emu;
  auto r = RunProcess({ScanBin(), "--scan", "vul", kNginxId}, EnvFor(emu));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(emu.Actions(), std::vector<std::string>{"CreateAssetImageScanTask"});
  EXPECT_EQ(LastBody(emu), R"({"Images":[")" + kNginxId +
                               R"("],"ScanVul":true,"ScanVirus":false,"ScanRisk":false})");
}

TEST_F(ScanTest, NoResolveSendsReferencesVerbatim) {
  Emulator emu;
  auto r = RunProcess({ScanBin(), "--no-resolve", kApp}, EnvFor(emu));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(emu.Actions(), std::vector<std::string>{"CreateAssetImageScanTask"});
  EXPECT_NE(LastBody(emu).find(kApp), std::string::npos);
}

TEST_F(ScanTest, AllWithFiltersAndExclusions) {
  Emulator emu;
  auto r =
      RunProcess({ScanBin(), "--all", "--filter", "ImageName=demo", "--exclude-image-id", kAppId},
                 EnvFor(emu));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(
      LastBody(emu),
      R"({"All":true,"ScanVul":true,"ScanVirus":true,"ScanRisk":true,"Filters":[{"Name":"ImageName","Values":["demo"],"ExactMatch":false}],"ExcludeImageIds":[")" +
          kAppId + R"("]})");
}

TEST_F(ScanTest, UnknownReferenceIsResourceNotFoundImageUnderFailOn) {
  Emulator emu;
  Env env = EnvFor(emu);
  env["TCSS_RESOLVE_TIMEOUT"] = "0";
  auto r = RunProcess({ScanBin(), "ccr.ccs.tencentyun.com/demo/missing:9"}, env);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("ResourceNotFound.Image"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("demo/missing:9"), std::string::npos);
  EXPECT_EQ(r.out, "");
  // Not selected: a warning, and the images that did resolve are still scanned.
  auto w = RunProcess({ScanBin(), "--fail-on", "*,-ResourceNotFound.Image",
                       "ccr.ccs.tencentyun.com/demo/missing:9", kApp},
                      env);
  EXPECT_EQ(w.exit_code, 0) << w.err;
  EXPECT_NE(w.err.find("warning"), std::string::npos);
  EXPECT_TRUE(std::regex_match(w.out, kTaskLine)) << w.out;
}

TEST_F(ScanTest, WaitsForTheAgentToReportAnImage) {
  Emulator emu;
  Env env = EnvFor(emu);
  env["TCSS_RESOLVE_TIMEOUT"] = "20";
  ProcResult r;
  std::thread scan([&] { r = RunProcess({ScanBin(), "ccr.ccs.tencentyun.com/demo/late:1"}, env); });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  auto added = emu.Raw("POST", "/_emulator/images", {},
                       R"([{"ImageID":"sha256:)" + std::string(64, 'e') +
                           R"(","ImageName":"ccr.ccs.tencentyun.com/demo/late:1"}])");
  EXPECT_EQ(added.status, 200) << added.body;
  scan.join();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("waiting for TCSS to list 1 image"), std::string::npos) << r.err;
  auto actions = emu.Actions();
  EXPECT_GE(std::count(actions.begin(), actions.end(), "DescribeAssetImageList"), 2);
  EXPECT_NE(LastBody(emu).find(std::string(64, 'e')), std::string::npos);
}

TEST_F(ScanTest, ApiErrorsFollowFailOn) {
  Emulator emu;
  emu.AddFault("CreateAssetImageScanTask:FailedOperation.ErrAlreadyScanning");
  auto r = RunProcess({ScanBin(), kNginxId}, EnvFor(emu));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("FailedOperation.ErrAlreadyScanning"), std::string::npos);
  EXPECT_NE(r.err.find("RequestId "), std::string::npos) << r.err;
  auto w = RunProcess({ScanBin(), "--fail-on", "*,-FailedOperation.ErrAlreadyScanning", kNginxId},
                      EnvFor(emu));
  EXPECT_EQ(w.exit_code, 0);
  EXPECT_NE(w.err.find("warning:"), std::string::npos);
  auto only = RunProcess({ScanBin(), "--fail-on", "AuthFailure", kNginxId}, EnvFor(emu));
  EXPECT_EQ(only.exit_code, 0);
}

TEST_F(ScanTest, WrongSecretKeyIsSignatureFailureExit1) {
  Emulator emu;
  Env env = EnvFor(emu);
  env["TENCENTCLOUD_SECRET_KEY"] = "not-the-key";
  auto r = RunProcess({ScanBin(), kNginxId}, env);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("AuthFailure.SignatureFailure"), std::string::npos) << r.err;
  EXPECT_EQ(emu.Requests()->size(), 1u);  // never retried
}

TEST_F(ScanTest, RetriesInternalErrorAndSucceeds) {
  Emulator emu({"--fault", "CreateAssetImageScanTask:InternalError:2"});
  auto r = RunProcess({ScanBin(), kNginxId}, EnvFor(emu));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(emu.Requests()->size(), 3u);
  EXPECT_NE(r.err.find("retrying"), std::string::npos);
}

struct ServerFault {
  std::string fault;
  std::string needle;
};

class ServerFaults : public ScanTest, public ::testing::WithParamInterface<ServerFault> {};

TEST_P(ServerFaults, EndInExit3WithAMessage) {
  Emulator emu({"--fault", "CreateAssetImageScanTask:" + GetParam().fault});
  Env env = EnvFor(emu);
  env["TCSS_TIMEOUT"] = "3";
  env["TCSS_RETRIES"] = "1";
  auto r = RunProcess({ScanBin(), kNginxId}, env);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find(GetParam().needle), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_LT(r.seconds, 8);
}

INSTANTIATE_TEST_SUITE_P(Scan, ServerFaults,
                         ::testing::Values(ServerFault{"HTTP502", "HTTP 502"},
                                           ServerFault{"GARBAGE", "not JSON"},
                                           ServerFault{"HALFJSON", "not JSON"},
                                           ServerFault{"NOENVELOPE", "without a \"Response\""},
                                           ServerFault{"TRUNCATE", "closed mid-answer"},
                                           ServerFault{"DROP", "closed the connection"},
                                           ServerFault{"HANG", "Network.Timeout"}),
                         [](const auto& param_info) { return param_info.param.fault; });

TEST_F(ScanTest, ConnectionRefusedIsExit3) {
  Env env = BaseEnv(home.path());
  env["TCSS_ENDPOINT"] = "http://127.0.0.1:1";
  env["TCSS_TIMEOUT"] = "2";
  auto r = RunProcess({ScanBin(), kNginxId}, env);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("connection refused"), std::string::npos) << r.err;
}

TEST_F(ScanTest, HttpsWithATestCaViaFlagAndEnvironment) {
  Emulator emu({}, false, true);
  Env env = EnvFor(emu);
  auto r = RunProcess({ScanBin(), "--ca-file", emu.pki_ca(), kApp}, env);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::regex_match(r.out, kTaskLine));
  env["SSL_CERT_FILE"] = emu.pki_ca();
  auto e = RunProcess({ScanBin(), kNginxId}, env);
  EXPECT_EQ(e.exit_code, 0) << e.err;
  // Without the CA the certificate is not trusted.
  Env plain = EnvFor(emu);
  auto u = RunProcess({ScanBin(), kNginxId}, plain);
  EXPECT_EQ(u.exit_code, 3);
  EXPECT_NE(u.err.find("Network.TlsFailure"), std::string::npos) << u.err;
}

TEST_F(ScanTest, CertificateForAnotherHostIsRejectedOnLoopbackToo) {
  TempDir certs;
  TestPki pki(certs);
  Emulator emu({"--tls-cert", pki.wrong_cert, "--tls-key", pki.wrong_key});
  Env env = BaseEnv(home.path());
  env["TCSS_ENDPOINT"] = "https://localhost:" + std::to_string(emu.port());
  auto r = RunProcess({ScanBin(), "--ca-file", pki.ca_cert, kNginxId}, env);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("TlsFailure"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("localhost"), std::string::npos) << r.err;
}

struct UsageCase {
  std::string name;
  std::vector<std::string> args;
  Env env;
  std::string needle;
};

class UsageErrors : public ScanTest, public ::testing::WithParamInterface<UsageCase> {};

TEST_P(UsageErrors, Exit4OneLineNothingSent) {
  Emulator emu;
  Env env = EnvFor(emu);
  for (const auto& [k, v] : GetParam().env) {
    if (v == "<unset>")
      env.erase(k);
    else
      env[k] = v;
  }
  std::vector<std::string> argv = {ScanBin()};
  for (auto a : GetParam().args) {
    if (a == "<home>") a = home.path();
    argv.push_back(a);
  }
  auto r = RunProcess(argv, env, home.path());
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find(GetParam().needle), std::string::npos) << r.err;
  // One line; "no credentials" has a second, the way out.
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'),
            std::string(GetParam().name) == "MissingCredentials" ? 2 : 1)
      << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(emu.Requests()->size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Scan, UsageErrors,
    ::testing::Values(
        UsageCase{"MissingCredentials",
                  {kApp},
                  {{"TENCENTCLOUD_SECRET_ID", "<unset>"}, {"TENCENTCLOUD_SECRET_KEY", "<unset>"}},
                  "no credentials"},
        UsageCase{"EmptySecretKey",
                  {kApp},
                  {{"TENCENTCLOUD_SECRET_KEY", ""}},
                  "TENCENTCLOUD_SECRET_KEY is empty"},
        UsageCase{"UpperCaseReference", {"ccr.ccs.tencentyun.com/Demo/app:1"}, {}, "lower case"},
        UsageCase{"BadTag", {"app:bad/tag!"}, {}, "invalid image reference"},
        UsageCase{"BadDigest", {"app@sha256:1234"}, {}, "64 lower-case hex"},
        UsageCase{"NoImage", {}, {}, "no image to scan"},
        UsageCase{"UnknownFlag", {"--frobnicate", kApp}, {}, "unknown option --frobnicate"},
        UsageCase{"TimeoutAbc", {"--timeout", "abc", kApp}, {}, "--timeout \"abc\""},
        UsageCase{"FilterWithoutEquals", {"--all", "--filter", "ImageName"}, {}, "has no '='"},
        UsageCase{"HttpNotLoopback",
                  {"--endpoint", "http://tcss.tencentcloudapi.com", kApp},
                  {},
                  "only for loopback"},
        UsageCase{"UnreadableCaFile",
                  {"--ca-file", "/nonexistent/ca.pem", kApp},
                  {},
                  "cannot read the CA file"},
        UsageCase{"DotenvDirMissing",
                  {"--dotenv", "/nonexistent/dir/out.env", kApp},
                  {},
                  "does not exist"},
        UsageCase{"GithubOutputDirMissing",
                  {kApp},
                  {{"GITHUB_ACTIONS", "true"}, {"GITHUB_OUTPUT", "/nonexistent/out"}},
                  "GITHUB_OUTPUT"},
        UsageCase{"BadBoolean", {kApp}, {{"TCSS_DRY_RUN", "yes please"}}, "TCSS_DRY_RUN"}),
    [](const auto& param_info) { return param_info.param.name; });

// Issue 21, 8: "no credentials" says in two short lines what to set on this platform.
TEST_F(ScanTest, NoCredentialsSaysWhatToSetHere) {
  Emulator emu;
  Env env = EnvFor(emu);
  env.erase("TENCENTCLOUD_SECRET_ID");
  env.erase("TENCENTCLOUD_SECRET_KEY");
  auto shell = RunProcess({ScanBin(), kApp}, env, home.path());
  EXPECT_EQ(shell.exit_code, 4);
  EXPECT_EQ(shell.err.substr(0, shell.err.find('\n')),
            "tcss-scan: error: no credentials: export TENCENTCLOUD_SECRET_ID and "
            "TENCENTCLOUD_SECRET_KEY, or write them to " +
                home.path() + "/.tencentcloud/credentials");
  EXPECT_NE(shell.err.find("\ntcss-scan:   or, on a CVM with a CAM role, --auth cvm-role"),
            std::string::npos)
      << shell.err;
  env["GITHUB_ACTIONS"] = "true";
  auto github = RunProcess({ScanBin(), kApp}, env, home.path());
  EXPECT_NE(github.err.find("error: no credentials: set TENCENTCLOUD_SECRET_ID and "
                            "TENCENTCLOUD_SECRET_KEY from repository secrets in the step's env:\n"),
            std::string::npos)
      << github.err;
  EXPECT_NE(github.err.find("\ntcss-scan:   or go keyless: that needs a role ARN"),
            std::string::npos)
      << github.err;
  EXPECT_EQ(github.err.find("~/.tencentcloud"), std::string::npos);
  EXPECT_EQ(github.err.find(".tencentcloud/credentials"), std::string::npos);
  // "no image" in a plain shell names only what a plain shell has.
  auto none = RunProcess({ScanBin()}, EnvFor(emu), home.path());
  EXPECT_NE(none.err.find("no image to scan: looked at IMAGE arguments, --images, TCSS_IMAGES; "),
            std::string::npos)
      << none.err;
  EXPECT_EQ(none.err.find("DOCKER_REPO"), std::string::npos) << none.err;
}

// A hostile value (say, an input filled from a pull-request title) cannot start a workflow
// command: every stderr message is one line, and annotations are escaped.
TEST_F(ScanTest, HostileValuesCannotInjectWorkflowCommands) {
  Emulator emu;
  Env env = EnvFor(emu);
  env["GITHUB_ACTIONS"] = "true";
  env["TCSS_WAIT"] = "yes\n::error::injected\r\n::add-mask::x";
  auto r = RunProcess({ScanBin(), kApp}, env);
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("\\n::error::injected"), std::string::npos) << r.err;
  for (const std::string& stream : {r.out, r.err}) {
    EXPECT_EQ(stream.find("\n::error::injected"), std::string::npos) << stream;
    EXPECT_EQ(stream.find("\n::add-mask::x"), std::string::npos) << stream;
  }
  EXPECT_EQ(r.out.rfind("::error title=tcss-scan::", 0), 0u) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
}

TEST_F(ScanTest, DryRunPrintsTheSignedRequestAndSendsNothing) {
  Emulator emu;
  Env env = EnvFor(emu);
  env["TENCENTCLOUD_SESSION_TOKEN"] = kToken;
  auto r = RunProcess({ScanBin(), "--dry-run", kAppId}, env);  // an image ID: nothing to look up
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("X-TC-Action: CreateAssetImageScanTask"), std::string::npos);
  EXPECT_NE(r.out.find("Authorization: TC3-HMAC-SHA256 Credential=" + std::string(kSecretId)),
            std::string::npos);
  EXPECT_NE(r.out.find("X-TC-Token: ***"), std::string::npos);
  EXPECT_NE(r.out.find(kAppId), std::string::npos);
  EXPECT_EQ(emu.Requests()->size(), 0u);
}

// Issue 21, 5: a registry image's dry run is the registry request with its list Id; without
// credentials it still prints the request and says what it could not look up.
TEST_F(ScanTest, DryRunIsTheRequestTheRunWouldSend) {
  Emulator emu;
  auto r = RunProcess({ScanBin(), "--dry-run", "ccr.ccs.tencentyun.com/demo/web:2.0"}, EnvFor(emu));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("X-TC-Action: CreateAssetImageRegistryScanTask"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(R"("Id":[110207177])"), std::string::npos) << r.out;
  EXPECT_EQ(Count(emu.Actions(), "CreateAssetImageRegistryScanTask"), 0);
  // A local image: looked up (read-only), and the request carries its image ID.
  auto local = RunProcess({ScanBin(), "--dry-run", kApp}, EnvFor(emu));
  EXPECT_EQ(local.exit_code, 0) << local.err;
  EXPECT_NE(local.out.find(R"({"Images":[")" + kAppId + R"("])"), std::string::npos) << local.out;
  auto actions = emu.Actions();
  EXPECT_EQ(Count(actions, "CreateAssetImageScanTask"), 0);
  EXPECT_EQ(Count(actions, "SyncAssetImageRegistryAsset"), 0);
  EXPECT_GE(Count(actions, "DescribeAssetImageList"), 1);
  Env none = EnvFor(emu);
  none.erase("TENCENTCLOUD_SECRET_ID");
  none.erase("TENCENTCLOUD_SECRET_KEY");
  auto blind = RunProcess({ScanBin(), "--dry-run", kApp}, none);
  EXPECT_EQ(blind.exit_code, 0) << blind.err;
  EXPECT_NE(blind.err.find("dry run: the references were not looked up (no credentials"),
            std::string::npos)
      << blind.err;
  EXPECT_NE(blind.out.find("X-TC-Action: CreateAssetImageScanTask"), std::string::npos);
  EXPECT_NE(blind.out.find(kApp), std::string::npos);
  // A reference TCSS does not list is the real run's error, found before anything is sent.
  auto missing =
      RunProcess({ScanBin(), "--dry-run", "ccr.ccs.tencentyun.com/demo/nope:1"}, EnvFor(emu));
  EXPECT_EQ(missing.exit_code, 1) << missing.err;
  EXPECT_NE(missing.err.find("ResourceNotFound.Image"), std::string::npos);
}

TEST_F(ScanTest, JsonOutput) {
  Emulator emu;
  auto r = RunProcess({ScanBin(), "--output", "json", kApp}, EnvFor(emu));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto obj = json::ParseObject(r.out);
  ASSERT_TRUE(obj.ok()) << r.out;
  EXPECT_EQ((*obj)->getValue<std::string>("taskId").size(), 24u);
  auto images = (*obj)->getArray("images");
  ASSERT_EQ(images->size(), 1u);
  EXPECT_EQ(images->getObject(0)->getValue<std::string>("imageId"), kAppId);
  EXPECT_EQ(images->getObject(0)->getValue<std::string>("reference"), kApp);
}

TEST_F(ScanTest, CredentialsFromTheProfileFile) {
  Emulator emu;
  Env env = BaseEnv(home.path(), false);
  env["TCSS_ENDPOINT"] = emu.url();
  ASSERT_EQ(RunProcess({"/bin/mkdir", "-p", home.File(".tencentcloud")}, {}).exit_code, 0);
  home.Write(".tencentcloud/credentials", std::string("[default]\nsecret_id = ") + kSecretId +
                                              "\nsecret_key = " + kSecretKey + "\n");
  auto r = RunProcess({ScanBin(), kNginxId}, env);
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(ScanTest, TemporaryCredentialsSendTheToken) {
  Emulator emu({}, true);
  Env env = EnvFor(emu);
  env["TENCENTCLOUD_SESSION_TOKEN"] = kToken;
  auto r = RunProcess({ScanBin(), kNginxId}, env);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  env["TENCENTCLOUD_SESSION_TOKEN"] = "wrong-token-value";
  auto bad = RunProcess({ScanBin(), kNginxId}, env);
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("AuthFailure.TokenFailure"), std::string::npos) << bad.err;
}

TEST_F(ScanTest, GithubActionsOutputsSummaryAndMask) {
  Emulator emu;
  Env env = EnvFor(emu);
  AsGithubStep(env, home);
  env["TENCENTCLOUD_SESSION_TOKEN"] = "";
  env["DOCKER_METADATA_OUTPUT_JSON"] = R"({"tags":[")" + kApp + R"("],"labels":{}})";
  auto r = RunProcess({ScanBin()}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string task = r.out.substr(0, r.out.size() - 1);
  std::string output = home.Read("output");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      output, m, std::regex("task-id<<(ghadelimiter_[0-9a-f]{32})\n([0-9a-f]{24})\n\\1\n")))
      << output;
  EXPECT_EQ(m[2].str(), task);
  EXPECT_NE(output.find("image-ids<<"), std::string::npos);
  EXPECT_NE(output.find(kAppId), std::string::npos);
  // Each entry draws its own delimiter.
  std::regex delim("<<(ghadelimiter_[0-9a-f]+)\n");
  std::set<std::string> delims;
  for (auto it = std::sregex_iterator(output.begin(), output.end(), delim);
       it != std::sregex_iterator(); ++it)
    delims.insert((*it)[1].str());
  EXPECT_EQ(delims.size(), 4u);  // task-id, request-id, image-ids, source
  EXPECT_NE(output.find("source<<"), std::string::npos);
  std::string summary = home.Read("summary.md");
  EXPECT_NE(summary.find("### TCSS image scan"), std::string::npos);
  EXPECT_NE(summary.find(task), std::string::npos);
}

TEST_F(ScanTest, GithubFailureWritesAnAnnotationAndTheSummary) {
  Emulator emu({"--fault", "CreateAssetImageScanTask:InvalidParameter"});
  Env env = EnvFor(emu);
  AsGithubStep(env, home);
  env["TENCENTCLOUD_SESSION_TOKEN"] = kToken;
  auto r = RunProcess({ScanBin(), kNginxId}, env);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("::add-mask::" + std::string(kToken) + "\n"), std::string::npos);
  EXPECT_NE(r.out.find("::error title=tcss-scan::"), std::string::npos) << r.out;
  EXPECT_NE(home.Read("summary.md").find("**Failed**"), std::string::npos);
  EXPECT_EQ(home.Read("output"), "");
}

TEST_F(ScanTest, GitlabDotenvReport) {
  Emulator emu;
  Env env = EnvFor(emu);
  env["GITLAB_CI"] = "true";
  env["CI_APPLICATION_REPOSITORY"] = "ccr.ccs.tencentyun.com/demo/app";
  env["CI_APPLICATION_TAG"] = "1.0";
  auto r = RunProcess({ScanBin()}, env, home.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string dotenv = home.Read("tcss-scan.env");
  std::string task = r.out.substr(0, r.out.size() - 1);
  EXPECT_EQ(dotenv.substr(0, dotenv.find('\n')), "TCSS_TASK_ID=" + task);
  EXPECT_NE(dotenv.find("\nTCSS_IMAGE_IDS=" + kAppId + "\n"), std::string::npos);
  EXPECT_TRUE(std::regex_match(dotenv, std::regex("([A-Z_]+=[^\\s\"'#]+\n)+"))) << dotenv;
}

TEST_F(ScanTest, DockerHubHookVariables) {
  Emulator emu;
  Env env = EnvFor(emu);
  env["DOCKER_REPO"] = "index.docker.io/library/nginx";
  env["DOCKER_TAG"] = "1.25";
  auto r = RunProcess({ScanBin()}, env);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(LastBody(emu).find(kNginxId), std::string::npos);
  env["IMAGE_NAME"] = "index.docker.io/Library/nginx:1.25";
  auto bad = RunProcess({ScanBin()}, env);
  EXPECT_EQ(bad.exit_code, 4);
  EXPECT_NE(bad.err.find("IMAGE_NAME"), std::string::npos) << bad.err;
}

TEST_F(ScanTest, DockerCliPlugin) {
  Emulator emu;
  std::string plugin = home.File("docker-tcss");
  ASSERT_EQ(symlink(ScanBin().c_str(), plugin.c_str()), 0);
  auto meta = RunProcess({plugin, "docker-cli-plugin-metadata"}, {});
  EXPECT_EQ(meta.exit_code, 0);
  auto obj = json::ParseObject(meta.out);
  ASSERT_TRUE(obj.ok()) << meta.out;
  EXPECT_EQ((*obj)->getValue<std::string>("SchemaVersion"), "0.1.0");
  EXPECT_EQ((*obj)->getValue<std::string>("Vendor"), "tcss-scan");
  auto r = RunProcess({plugin, "tcss", kApp}, EnvFor(emu));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::regex_match(r.out, kTaskLine));
}

TEST_F(ScanTest, HelpAndVersion) {
  auto h = RunProcess({ScanBin(), "--help"}, {});
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.out.find("TCSS_FAIL_ON"), std::string::npos);
  EXPECT_NE(h.out.find("130"), std::string::npos);
  auto v = RunProcess({ScanBin(), "version"}, {});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_NE(v.out.find("2020-11-01"), std::string::npos);
}

}  // namespace
}  // namespace tcss::it
