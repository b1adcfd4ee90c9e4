// --wait, the severity gate and `tcss-scan status`, against the emulator's task lifecycle.
#include <gtest/gtest.h>

#include <regex>

#include "core/json.h"
#include "harness.h"

namespace tcss::it {
namespace {

class WaitTest : public ::testing::Test {
 protected:
  TempDir home;
  Env EnvFor(const Emulator& emu) { return ScanEnv(emu, home); }
};

TEST_F(WaitTest, CleanImagePassesTheGate) {
  Emulator emu({"--scan-seconds", "1"});
  auto r = RunProcess({ScanBin(), "--wait", "--severity-threshold", "low", kClean}, EnvFor(emu));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("END 100%"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("findings: 0 critical, 0 high, 0 medium, 0 low"), std::string::npos);
  EXPECT_TRUE(std::regex_match(r.out, std::regex("[0-9a-f]{24}\n")));
}

TEST_F(WaitTest, VulnerableImageAboveTheThresholdExits2) {
  Emulator emu({"--scan-seconds", "1"});
  auto r = RunProcess({ScanBin(), "--wait", "--severity-threshold", "high", kApp}, EnvFor(emu));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("the scan found 1 critical, 2 high (threshold: high)"), std::string::npos)
      << r.err;
  EXPECT_TRUE(std::regex_match(r.out, std::regex("[0-9a-f]{24}\n")));  // still handed on
}

TEST_F(WaitTest, BelowTheThresholdExits0) {
  Emulator emu({"--scan-seconds", "1"});
  auto r = RunProcess({ScanBin(), "--wait", "--severity-threshold", "medium", kNginx}, EnvFor(emu));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // Without a threshold, findings are reported but never fail the build.
  auto n = RunProcess({ScanBin(), "--wait", kApp}, EnvFor(emu));
  EXPECT_EQ(n.exit_code, 0) << n.err;
}

TEST_F(WaitTest, VirusesAndRisksJoinTheGateOnRequest) {
  Emulator emu({"--scan-seconds", "0.5"});
  auto added = emu.Raw("POST", "/_emulator/images", {},
                       R"([{"ImageID":"sha256:)" + std::string(64, 'f') +
                           R"(","ImageName":"reg.io/x/virus:1","VirusCnt":2,"RiskCnt":1}])");
  ASSERT_EQ(added.status, 200);
  auto pass = RunProcess({ScanBin(), "--wait", "reg.io/x/virus:1"}, EnvFor(emu));
  EXPECT_EQ(pass.exit_code, 0) << pass.err;
  auto fail = RunProcess({ScanBin(), "--wait", "--fail-on-findings", "virus", "reg.io/x/virus:1"},
                         EnvFor(emu));
  EXPECT_EQ(fail.exit_code, 2) << fail.err;
  EXPECT_NE(fail.err.find("2 virus(es)"), std::string::npos) << fail.err;
}

TEST_F(WaitTest, TimeoutExits5AndSaysHowToPickUp) {
  Emulator emu({"--scan-seconds", "60"});
  auto r = RunProcess({ScanBin(), "--wait", "--wait-timeout", "2", kApp}, EnvFor(emu));
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_NE(r.err.find("did not finish within --wait-timeout 2s"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("tcss-scan status "), std::string::npos);
  EXPECT_LT(r.seconds, 5);
}

TEST_F(WaitTest, AnUnknownStatusIsReportedAndTerminal) {
  Emulator emu({"--fault", "DescribeAssetImageScanStatus:STATUSSCAN_TIMEOUT"});
  auto r = RunProcess({ScanBin(), "--wait", kApp}, EnvFor(emu));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("the scan ended with status SCAN_TIMEOUT"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ScanStatus.SCAN_TIMEOUT"), std::string::npos);
  auto statuses = emu.Actions();
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), "DescribeAssetImageScanStatus"), 1);
  auto tolerated =
      RunProcess({ScanBin(), "--wait", "--fail-on", "*,-ScanStatus", kNginx}, EnvFor(emu));
  EXPECT_EQ(tolerated.exit_code, 0) << tolerated.err;
}

TEST_F(WaitTest, PollFailingWithInternalErrorTwiceIsRetried) {
  Emulator emu({"--scan-seconds", "1", "--fault", "DescribeAssetImageScanStatus:InternalError:2"});
  auto r =
      RunProcess({ScanBin(), "--wait", "--severity-threshold", "critical", kNginx}, EnvFor(emu));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("InternalError"), std::string::npos);
  EXPECT_NE(r.err.find("END 100%"), std::string::npos);
}

// Issue 21, 2: a wait survives the network. Dropped status calls (here three, with
// --retries 0) are warnings; the wait goes on until the scan ends.
TEST_F(WaitTest, DroppedStatusCallsDoNotEndTheWait) {
  Emulator emu({"--scan-seconds", "2", "--fault", "DescribeAssetImageScanStatus:DROP:3"});
  auto r = RunProcess(
      {ScanBin(), "--wait", "--retries", "0", "--severity-threshold", "critical", kNginx},
      EnvFor(emu));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("asking for the scan's status failed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("still waiting"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("END 100%"), std::string::npos) << r.err;
}

TEST_F(WaitTest, InterruptWhileWaitingExits130AndPrintsTheTaskId) {
  Emulator emu({"--scan-seconds", "60"});
  auto r = RunProcess({ScanBin(), "--wait", kApp}, EnvFor(emu), "", 30000, 1500);
  EXPECT_EQ(r.exit_code, 130) << r.err;
  EXPECT_TRUE(std::regex_match(r.out, std::regex("[0-9a-f]{24}\n"))) << r.out;
  EXPECT_NE(r.err.find("tcss-scan status " + r.out.substr(0, 24) + " --wait"), std::string::npos)
      << r.err;
}

TEST_F(WaitTest, InterruptDuringAHungPollStillExits130WithTheTaskId) {
  // A signal does not cut a blocked network call short; the watcher ends the run anyway.
  Emulator emu({"--scan-seconds", "60", "--fault", "DescribeAssetImageScanStatus:HANG"});
  Env env = EnvFor(emu);
  auto r = RunProcess({ScanBin(), "--wait", kApp}, env, "", 30000, 2000);
  EXPECT_EQ(r.exit_code, 130) << r.err;
  EXPECT_LT(r.seconds, 8);
  EXPECT_TRUE(std::regex_match(r.out, std::regex("[0-9a-f]{24}\n"))) << r.out;
  EXPECT_NE(r.err.find("tcss-scan status " + r.out.substr(0, 24) + " --wait"), std::string::npos)
      << r.err;
}

TEST_F(WaitTest, GithubOutputsCountsAndSummaryWithCveLinks) {
  Emulator emu({"--scan-seconds", "1"});
  Env env = EnvFor(emu);
  AsGithubStep(env, home);
  auto r = RunProcess({ScanBin(), "--wait", "--severity-threshold", "critical", kApp}, env);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  std::string out = home.Read("output");
  for (const char* kv :
       {"status<<", "critical<<", "high<<", "medium<<", "low<<", "viruses<<", "risks<<"}) {
    EXPECT_NE(out.find(kv), std::string::npos) << kv;
  }
  EXPECT_TRUE(std::regex_search(out, std::regex("\ncritical<<(ghadelimiter_[0-9a-f]+)\n1\n\\1\n")))
      << out;
  EXPECT_TRUE(std::regex_search(out, std::regex("\nstatus<<(ghadelimiter_[0-9a-f]+)\nEND\n\\1\n")));
  std::string md = home.Read("summary.md");
  EXPECT_NE(md.find("**Gate failed**"), std::string::npos) << md;
  EXPECT_NE(md.find("| `ccr.ccs.tencentyun.com/demo/app:1.0` | 1 | 2 | 3 | 4 | 0 | 0 |"),
            std::string::npos)
      << md;
  EXPECT_NE(
      md.find("[CVE-2024-3094](https://nvd.nist.gov/vuln/detail/CVE-2024-3094) | critical | 10.0"),
      std::string::npos)
      << md;
  EXPECT_NE(r.out.find("::error title=tcss-scan::the scan found 1 critical"), std::string::npos)
      << r.out;
}

TEST_F(WaitTest, GitlabDotenvThenStatusInALaterJob) {
  Emulator emu({"--scan-seconds", "1"});
  Env env = EnvFor(emu);
  env["GITLAB_CI"] = "true";
  env["CI_REGISTRY_IMAGE"] = "ccr.ccs.tencentyun.com/demo";
  env["CI_COMMIT_TAG"] = "x";
  auto submit = RunProcess({ScanBin(), kNginx}, env, home.path());
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  // The later job gets the dotenv variables as its environment.
  std::string dotenv = home.Read("tcss-scan.env");
  Env later = EnvFor(emu);
  const std::regex line("([A-Z_]+)=([^\n]*)\n");
  for (auto it = std::sregex_iterator(dotenv.begin(), dotenv.end(), line);
       it != std::sregex_iterator(); ++it) {
    later[(*it)[1].str()] = (*it)[2].str();
  }
  later["GITLAB_CI"] = "true";
  later["TCSS_DOTENV"] = home.File("status.env");
  auto status = RunProcess(
      {ScanBin(), "status", later["TCSS_TASK_ID"], "--wait", "--severity-threshold", "high"},
      later);
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(status.out, "END\n");
  std::string report = home.Read("status.env");
  EXPECT_NE(report.find("TCSS_STATUS=END\n"), std::string::npos) << report;
  EXPECT_NE(report.find("TCSS_LOW=1\n"), std::string::npos) << report;
  EXPECT_NE(report.find("TCSS_CRITICAL=0\n"), std::string::npos) << report;
  auto gated = RunProcess(
      {ScanBin(), "status", later["TCSS_TASK_ID"], "--severity-threshold", "low"}, later);
  EXPECT_EQ(gated.exit_code, 2) << gated.err;
}

TEST_F(WaitTest, JsonOutputCarriesTheWholeResult) {
  Emulator emu({"--scan-seconds", "0.5"});
  auto r = RunProcess({ScanBin(), "--wait", "--output", "json", kApp, kNginx}, EnvFor(emu));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto obj = json::ParseObject(r.out);
  ASSERT_TRUE(obj.ok()) << r.out;
  EXPECT_EQ((*obj)->getValue<std::string>("status"), "END");
  auto findings = (*obj)->getObject("findings");
  EXPECT_EQ(findings->getValue<int>("critical"), 1);
  EXPECT_EQ(findings->getValue<int>("low"), 5);
  EXPECT_EQ(findings->getArray("images")->size(), 2u);
  EXPECT_EQ(findings->getArray("top")->getObject(0)->getValue<std::string>("cve"), "CVE-2024-3094");
  EXPECT_TRUE((*obj)->getObject("gate")->getValue<bool>("passed"));
}

TEST_F(WaitTest, GitlabContainerScanningReport) {
  Emulator emu({"--scan-seconds", "0.5"});
  std::string path = home.File("gl-container-scanning-report.json");
  auto r = RunProcess({ScanBin(), "--wait", "--report-file", path, kApp, kNginx}, EnvFor(emu));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto report = json::ParseObject(ReadFile(path));
  ASSERT_TRUE(report.ok()) << ReadFile(path);
  EXPECT_EQ((*report)->getValue<std::string>("version"), "15.0.7");
  auto scan = (*report)->getObject("scan");
  EXPECT_EQ(scan->getValue<std::string>("type"), "container_scanning");
  EXPECT_EQ(scan->getValue<std::string>("status"), "success");
  EXPECT_TRUE(std::regex_match(scan->getValue<std::string>("start_time"),
                               std::regex("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}")));
  EXPECT_EQ(scan->getObject("scanner")->getValue<std::string>("id"), "tencent-tcss");
  auto vulns = (*report)->getArray("vulnerabilities");
  ASSERT_EQ(vulns->size(), 11u);  // every vulnerability of the demo app (10) and nginx (1) images
  auto first = vulns->getObject(0);
  EXPECT_EQ(first->getValue<std::string>("name"), "CVE-2024-3094");
  EXPECT_EQ(first->getValue<std::string>("severity"), "Critical");
  EXPECT_EQ(first->getValue<std::string>("solution"), "Upgrade xz-utils to 5.6.2");
  EXPECT_TRUE(
      std::regex_match(first->getValue<std::string>("id"),
                       std::regex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")));
  auto ident = first->getArray("identifiers")->getObject(0);
  EXPECT_EQ(ident->getValue<std::string>("type"), "cve");
  EXPECT_EQ(ident->getValue<std::string>("url"), "https://nvd.nist.gov/vuln/detail/CVE-2024-3094");
  auto loc = first->getObject("location");
  EXPECT_EQ(loc->getValue<std::string>("image"), kApp);
  EXPECT_EQ(loc->getObject("dependency")->getObject("package")->getValue<std::string>("name"),
            "xz-utils");
  // Issue 21, 1: a report file implies --wait (one notice line); --wait=false beside it is a
  // usage error naming both, with nothing sent.
  std::string other = home.File("none.json");
  auto implied = RunProcess({ScanBin(), "--report-file", other, kClean}, EnvFor(emu));
  EXPECT_EQ(implied.exit_code, 0) << implied.err;
  EXPECT_NE(implied.err.find("--report-file reads the scan's findings, so this run waits for the "
                             "scan to end (--wait is implied)"),
            std::string::npos)
      << implied.err;
  auto none = json::ParseObject(ReadFile(other));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ((*none)->getObject("scan")->getValue<std::string>("status"), "success");
  auto refused =
      RunProcess({ScanBin(), "--wait=false", "--report-file", other, kClean}, EnvFor(emu));
  EXPECT_EQ(refused.exit_code, 4) << refused.err;
  EXPECT_NE(refused.err.find("drop --wait=false, or drop --report-file"), std::string::npos)
      << refused.err;
  EXPECT_EQ((*none)->getArray("vulnerabilities")->size(), 0u);
}

}  // namespace
}  // namespace tcss::it
