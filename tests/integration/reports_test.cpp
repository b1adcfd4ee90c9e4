// Findings people act on (issue 11) through the real binaries: an ignore file with a live, an
// expired and a stale entry plus --ignore-unfixed give the same numbers in the exit code, the
// dotenv, the step summary, the GitLab report, SARIF and JUnit.
#include <gtest/gtest.h>

#include <unistd.h>

#include <regex>

#include "core/json.h"
#include "harness.h"

namespace tcss::it {
namespace {

class ReportsTest : public ::testing::Test {
 protected:
  TempDir home;
};

// The demo app image: 1 critical, 2 high, 3 medium, 4 low, two of them without a fix.
TEST_F(ReportsTest, OneSetOfNumbersInEveryOutput) {
  Emulator emu({"--scan-seconds", "0.5"});
  home.Write("ignore",
             "# accepted until the base image moves\n"
             "CVE-2024-3094 exp:2099-12-31\n"
             "CVE-2023-44487 exp:2020-01-01 # expired: counts again\n"
             "CVE-2099-0001\n");
  Env env = ScanEnv(emu, home);
  AsGithubStep(env, home);
  env["TCSS_DOTENV"] = home.File("scan.env");
  auto r = RunProcess(
      {ScanBin(), "--wait", "--severity-threshold", "medium", "--ignore-unfixed", "--ignore-file",
       home.File("ignore"), "--sarif-file", home.File("s.sarif"), "--junit-file",
       home.File("junit.xml"), "--report-file", home.File("gl.json"), kApp},
      env);
  // Counted: 0 critical (ignored), 2 high (one by an expired rule), 2 medium, 3 low.
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("the scan found 2 high, 2 medium (threshold: medium)"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("line 3: CVE-2023-44487 expired on 2020-01-01 and counts again"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("line 4: CVE-2099-0001 matched no finding"), std::string::npos) << r.err;
  // Issue 21, 6: the log names what fails the gate, on every platform.
  EXPECT_NE(r.err.find("what fails the gate (threshold medium):\ntcss-scan:   high "
                       "CVE-2023-4911 glibc 2.36 -> 2.36-9+deb12u3 in "
                       "ccr.ccs.tencentyun.com/demo/app:1.0\n"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(CountOf(r.err, "\ntcss-scan:   high ") + CountOf(r.err, "\ntcss-scan:   medium "), 4)
      << r.err;
  EXPECT_NE(r.err.find("3 ignored"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("  ignored critical CVE-2024-3094 (xz-utils): accepted until the base image "
                       "moves, until 2099-12-31"),
            std::string::npos)
      << r.err;
  EXPECT_NE(
      r.err.find("  ignored low CVE-2011-3374 (apt): no fixed version yet (--ignore-unfixed)"),
      std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("do not add up"), std::string::npos) << r.err;

  std::string dotenv = home.Read("scan.env");
  for (const char* line : {"TCSS_CRITICAL=0\n", "TCSS_HIGH=2\n", "TCSS_MEDIUM=2\n", "TCSS_LOW=3\n"})
    EXPECT_NE(dotenv.find(line), std::string::npos) << line << dotenv;
  std::string output = home.Read("output");
  EXPECT_NE(output.find("critical<<"), std::string::npos);
  std::string summary = home.Read("summary.md");
  EXPECT_NE(summary.find("| **Total** | 0 | 2 | 2 | 3 |"), std::string::npos) << summary;
  EXPECT_NE(summary.find("Ignored or suppressed by VEX (3 ignored, 0 suppressed;"),
            std::string::npos)
      << summary;
  EXPECT_NE(summary.find("| `CVE-2024-3094` |"), std::string::npos) << summary;
  EXPECT_NE(summary.find("2099-12-31"), std::string::npos) << summary;

  auto gl = json::ParseObject(home.Read("gl.json"));
  ASSERT_TRUE(gl.ok());
  auto vulns = (*gl)->getArray("vulnerabilities");
  ASSERT_EQ(vulns->size(), 10u);
  EXPECT_NE(vulns->getObject(0)
                ->getValue<std::string>("description")
                .find("(ignored: accepted until the base image moves (until 2099-12-31))"),
            std::string::npos);

  auto sarif = json::ParseObject(home.Read("s.sarif"), 64);
  ASSERT_TRUE(sarif.ok());
  auto run = (*sarif)->getArray("runs")->getObject(0);
  auto results = run->getArray("results");
  ASSERT_EQ(results->size(), 10u);
  int suppressed = 0, errors = 0, warnings = 0, notes = 0;
  for (size_t i = 0; i < results->size(); ++i) {
    auto res = results->getObject(static_cast<unsigned>(i));
    if (res->has("suppressions")) {
      ++suppressed;
      continue;
    }
    std::string level = res->getValue<std::string>("level");
    errors += level == "error";
    warnings += level == "warning";
    notes += level == "note";
  }
  EXPECT_EQ(suppressed, 3);
  EXPECT_EQ(errors, 2);
  EXPECT_EQ(warnings, 2);
  EXPECT_EQ(notes, 3);
  EXPECT_EQ(run->getObject("automationDetails")->getValue<std::string>("id"),
            "tcss-scan/ccr.ccs.tencentyun.com%2Fdemo%2Fapp/");

  std::string junit = home.Read("junit.xml");
  EXPECT_NE(junit.find("<testsuites name=\"tcss-scan\" tests=\"11\" failures=\"4\" errors=\"0\" "
                       "skipped=\"6\">"),
            std::string::npos)
      << junit;
  EXPECT_EQ(CountOf(junit, "<skipped message=\"ignored: "), 3);
  EXPECT_NE(junit.find("name=\"[HIGH] CVE-2023-44487 nghttp2@1.51.0\""), std::string::npos);
}

TEST_F(ReportsTest, TheDefaultIgnoreFileAndABadOne) {
  Emulator emu({"--scan-seconds", "0.5"});
  Env env = ScanEnv(emu, home);
  home.Write(".tcss-scan-ignore", "CVE-2024-3094\n");
  auto r =
      RunProcess({ScanBin(), "--wait", "--severity-threshold", "critical", kApp}, env, home.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;  // the one critical is accepted
  EXPECT_NE(r.err.find("findings: 0 critical, 2 high, 3 medium, 4 low, 0 viruses, 0 risks; 1 "
                       "ignored"),
            std::string::npos)
      << r.err;

  // As trivy: a line whose exp: is no date is skipped, with a warning naming it.
  emu.Reset();
  home.Write(".tcss-scan-ignore", "CVE-2024-3094\nCVE-2024-1 exp:31/12/2025\n");
  r = RunProcess({ScanBin(), "--wait", kApp}, env, home.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(".tcss-scan-ignore line 2: exp: is not a calendar date (YYYY-MM-DD); the "
                       "line is skipped"),
            std::string::npos)
      << r.err;

  // Hardening III, 5: a committed .tcss-scan-ignore that links to /proc/self/environ is
  // refused by its line number; not a byte of the environment is shown.
  emu.Reset();
  ASSERT_EQ(unlink(home.File(".tcss-scan-ignore").c_str()), 0);
  ASSERT_EQ(symlink("/proc/self/environ", home.File(".tcss-scan-ignore").c_str()), 0);
  env["SOME_SECRET_VALUE"] = "hunter2-do-not-print";
  r = RunProcess({ScanBin(), "--wait", kApp}, env, home.path());
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find(".tcss-scan-ignore line 1: its first word is not a vulnerability ID"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("hunter2"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("hunter2"), std::string::npos) << r.out;
  EXPECT_TRUE(emu.Actions().empty());  // nothing was sent
  ASSERT_EQ(unlink(home.File(".tcss-scan-ignore").c_str()), 0);

  r = RunProcess({ScanBin(), "--ignore-file", home.File("missing"), kApp}, env);
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("cannot read the ignore file"), std::string::npos) << r.err;
}

// Hardening III, 22: a run that reads no findings (here the scan outlasts --wait-timeout)
// still replaces every report asked for, with a valid document saying why, so that Jenkins in
// a reused workspace never publishes the previous build's findings as this one's.
TEST_F(ReportsTest, ARunWithoutFindingsReplacesEveryReport) {
  Emulator emu({"--scan-seconds", "60"});
  Env env = ScanEnv(emu, home);
  for (const char* f : {"s.sarif", "junit.xml", "gl.json"}) home.Write(f, "CVE-2024-3094 old\n");
  auto r = RunProcess(
      {ScanBin(), "--wait", "--wait-timeout", "1", "--sarif-file", home.File("s.sarif"),
       "--junit-file", home.File("junit.xml"), "--report-file", home.File("gl.json"), kApp},
      env);
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_NE(r.err.find("junit.xml lists no findings: no findings were read: "), std::string::npos)
      << r.err;
  for (const char* f : {"s.sarif", "junit.xml", "gl.json"}) {
    EXPECT_EQ(home.Read(f).find("CVE-2024-3094"), std::string::npos) << f;
  }
  auto sarif = json::ParseObject(home.Read("s.sarif"), 64);
  ASSERT_TRUE(sarif.ok());
  auto run = (*sarif)->getArray("runs")->getObject(0);
  EXPECT_EQ(run->getArray("results")->size(), 0u);
  auto invocation = run->getArray("invocations")->getObject(0);
  EXPECT_FALSE(invocation->getValue<bool>("executionSuccessful"));
  EXPECT_NE(invocation->getArray("toolExecutionNotifications")
                ->getObject(0)
                ->getObject("message")
                ->getValue<std::string>("text")
                .find("--wait-timeout"),
            std::string::npos);
  std::string junit = home.Read("junit.xml");
  EXPECT_NE(junit.find("tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\""), std::string::npos)
      << junit;
  EXPECT_NE(junit.find("<error message=\"no findings were read: "), std::string::npos) << junit;
  auto gl = json::ParseObject(home.Read("gl.json"), 64);
  ASSERT_TRUE(gl.ok());
  EXPECT_EQ((*gl)->getObject("scan")->getValue<std::string>("status"), "failure");
  EXPECT_EQ((*gl)->getArray("vulnerabilities")->size(), 0u);
}

// Issue 22, 1: malware and risks are findings. The demo miner image: 1 medium vulnerability, a
// virus and a risk; the gate, the log, the dotenv, the summary, SARIF, JUnit and the GitLab
// report show the same ones, and the ignore file takes a virus by its MD5.
TEST_F(ReportsTest, VirusesAndRisksAreFindingsInEveryOutput) {
  Emulator emu({"--scan-seconds", "0.5"});
  const std::string miner = "ccr.ccs.tencentyun.com/demo/miner:1.0";
  const std::string md5 = "md5:8d3f5e2a9c1b4d7e6f0a2b3c4d5e6f70";
  Env env = ScanEnv(emu, home);
  AsGithubStep(env, home);
  env["TCSS_DOTENV"] = home.File("scan.env");
  auto r = RunProcess(
      {ScanBin(), "--fail-on-findings", "virus,risk", "--sarif-file", home.File("s.sarif"),
       "--junit-file", home.File("j.xml"), "--report-file", home.File("gl.json"), miner},
      env);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("virus critical Trojan.Linux.CoinMiner.xmrig (/usr/local/bin/kworkerds, " +
                       md5 + ")"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("risk high sensitive risk (type 1, behaviour 2)"), std::string::npos);
  EXPECT_NE(home.Read("scan.env").find("TCSS_VIRUSES=1\n"), std::string::npos);
  EXPECT_NE(home.Read("scan.env").find("TCSS_RISKS=1\n"), std::string::npos);
  const std::string summary = home.Read("summary.md");
  EXPECT_NE(summary.find("| virus | critical | `Trojan.Linux.CoinMiner.xmrig` | "
                         "`/usr/local/bin/kworkerds` |"),
            std::string::npos)
      << summary;
  auto sarif = json::ParseObject(home.Read("s.sarif"));
  ASSERT_TRUE(sarif.ok());
  const std::string sarif_text = home.Read("s.sarif");
  EXPECT_NE(sarif_text.find(R"("ruleId":"virus/Trojan.Linux.CoinMiner.xmrig")"), std::string::npos);
  EXPECT_NE(sarif_text.find(R"("ruleId":"risk/type-1-behaviour-2")"), std::string::npos);
  EXPECT_NE(sarif_text.find(R"("security-severity":"9.5")"), std::string::npos);
  const std::string junit = home.Read("j.xml");
  EXPECT_EQ(CountOf(junit, "<failure type=\"virus\""), 1) << junit;
  EXPECT_EQ(CountOf(junit, "<failure type=\"risk\""), 1) << junit;
  const std::string gl = home.Read("gl.json");
  EXPECT_NE(gl.find(R"("type":"tcss_virus","name":")" + md5), std::string::npos) << gl;
  EXPECT_NE(gl.find(R"("type":"tcss_risk")"), std::string::npos);
  auto actions = emu.Actions();
  EXPECT_EQ(Count(actions, "DescribeAssetImageVirusList"), 1);
  EXPECT_EQ(Count(actions, "DescribeAssetImageRiskList"), 1);

  // Accepted by its MD5: the virus leaves the counts and the gate; the risk still fails it.
  home.Write("ignore", md5 + " # a test fixture, not a miner\n");
  auto ignored = RunProcess({ScanBin(), "--fail-on-findings", "virus", "--ignore-file",
                             home.File("ignore"), "--junit-file", home.File("j.xml"), miner},
                            env);
  EXPECT_EQ(ignored.exit_code, 0) << ignored.err;
  EXPECT_NE(ignored.err.find("ignored virus " + md5 + ": a test fixture, not a miner"),
            std::string::npos)
      << ignored.err;
  EXPECT_NE(home.Read("scan.env").find("TCSS_VIRUSES=0\n"), std::string::npos);
  EXPECT_NE(home.Read("j.xml").find("ignored: a test fixture, not a miner"), std::string::npos);
  const std::string accepted = home.Read("summary.md");
  EXPECT_NE(accepted.find("Ignored or suppressed by VEX (1 ignored, 0 suppressed;"),
            std::string::npos)
      << accepted;
  EXPECT_NE(accepted.find("| `" + md5 + "` | `" + miner +
                          "` | critical virus | `ignored: a test fixture, not a miner` |"),
            std::string::npos)
      << accepted;

  // --output json lists both, the accepted one with why.
  auto json_run = RunProcess(
      {ScanBin(), "--output", "json", "--ignore-file", home.File("ignore"), "--wait", miner},
      ScanEnv(emu, home));
  EXPECT_EQ(json_run.exit_code, 0) << json_run.err;
  auto doc = json::ParseObject(json_run.out);
  ASSERT_TRUE(doc.ok()) << json_run.out;
  auto findings = (*doc)->getObject("findings");
  ASSERT_TRUE(findings);
  EXPECT_EQ(findings->getValue<int>("ignored"), 1);
  EXPECT_EQ(findings->getValue<int>("viruses"), 0);
  auto threats = findings->getArray("threats");
  ASSERT_TRUE(threats);
  ASSERT_EQ(threats->size(), 2u);
  auto virus = threats->getObject(0);
  EXPECT_EQ(virus->getValue<std::string>("kind"), "virus");
  EXPECT_EQ(virus->getValue<std::string>("id"), md5);
  EXPECT_EQ(virus->getValue<std::string>("path"), "/usr/local/bin/kworkerds");
  EXPECT_EQ(virus->getValue<std::string>("suppressed"), "ignored: a test fixture, not a miner");
  EXPECT_EQ(threats->getObject(1)->getValue<std::string>("kind"), "risk");
  EXPECT_FALSE(threats->getObject(1)->has("suppressed"));
}

// The registry side: the registry lists send their levels as words.
TEST_F(ReportsTest, RegistryVirusesAreReadFromTheRegistryLists) {
  Emulator emu({"--scan-seconds", "0.5", "--sync-seconds", "0"});
  auto pushed = emu.Raw(
      "POST", "/_emulator/registry-images", {},
      R"([{"ImageRepoAddress":"ccr.ccs.tencentyun.com/demo/bad","ImageTag":"1","ImageDigest":"sha256:)" +
          std::string(64, 'd') +
          R"(","VirusCnt":1,"Viruses":[{"Path":"/x/evil","VirusName":"EICAR","Md5":"44D88612FEA8A8F36DE82E1278ABB02F","RiskLevel":2}]}])");
  ASSERT_EQ(pushed.status, 200) << pushed.body;
  Env env = ScanEnv(emu, home);
  auto r = RunProcess({ScanBin(), "--fail-on-findings", "virus", "--resolve-timeout", "20",
                       "ccr.ccs.tencentyun.com/demo/bad:1"},
                      env);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("virus medium EICAR (/x/evil, md5:44d88612fea8a8f36de82e1278abb02f)"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(Count(emu.Actions(), "DescribeAssetImageRegistryVirusList"), 1);
}
}  // namespace
}  // namespace tcss::it
