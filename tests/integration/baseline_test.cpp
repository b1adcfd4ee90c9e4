// Gate on what a change introduces (issue 23, 1-3), through the real binaries: a baseline image
// TCSS scanned before or a findings file of an earlier run; --gate new counts only what the
// baseline does not hold; new, existing and fixed show in every output.
#include <gtest/gtest.h>

#include "core/json.h"
#include "harness.h"

namespace tcss::it {
namespace {

const std::string kNew = "ccr.ccs.tencentyun.com/acme/app:pr-7";
const std::string kOldOnly = "ccr.ccs.tencentyun.com/acme/app:pr-8";
const std::string kBase = "ccr.ccs.tencentyun.com/acme/app:main";
const std::string kNever = "ccr.ccs.tencentyun.com/acme/app:never";

std::string Vuln(const std::string& cve, int level, const std::string& package,
                 const std::string& version) {
  return R"({"CVEID":")" + cve + R"(","Name":")" + cve + R"( in )" + package + R"(","Level":)" +
         std::to_string(level) + R"(,"CVSSV3Score":)" + (level == 3 ? "7.5" : "5.0") +
         R"(,"Component":")" + package + R"(","Version":")" + version +
         R"(","FixedVersions":"9.9"})";
}

// The change's image: 5 highs (A-E); the default branch's: A, B, C (C at an older version of
// its package: the same finding) and a medium the change fixed; pr-8 carries only A, B, C.
std::string Inventory() {
  const std::string a = Vuln("CVE-2024-0001", 3, "liba", "1.1");
  const std::string b = Vuln("CVE-2024-0002", 3, "libb", "1.1");
  const std::string c = Vuln("CVE-2024-0003", 3, "libc", "2.0");
  const std::string c_old = Vuln("CVE-2024-0003", 3, "libc", "1.0");
  const std::string d = Vuln("CVE-2024-0004", 3, "libd", "1.0");
  const std::string e = Vuln("CVE-2024-0005", 3, "libe", "1.0");
  const std::string m = Vuln("CVE-2023-0009", 2, "libm", "0.9");
  return R"([{"ImageID":"sha256:)" + std::string(64, 'a') + R"(","ImageName":")" + kNew +
         R"(","HighLevelVulCnt":5,"Vulns":[)" + a + "," + b + "," + c + "," + d + "," + e +
         R"(]},{"ImageID":"sha256:)" + std::string(64, 'b') + R"(","ImageName":")" + kBase +
         R"(","Scanned":true,"HighLevelVulCnt":3,"MediumLevelVulCnt":1,"Vulns":[)" + a + "," + b +
         "," + c_old + "," + m + R"(]},{"ImageID":"sha256:)" + std::string(64, 'c') +
         R"(","ImageName":")" + kOldOnly + R"(","HighLevelVulCnt":3,"Vulns":[)" + a + "," + b +
         "," + c + R"(]},{"ImageID":"sha256:)" + std::string(64, 'd') + R"(","ImageName":")" +
         kNever + R"(","HighLevelVulCnt":1,"Vulns":[)" + a + "]}]";
}

class BaselineTest : public ::testing::Test {
 protected:
  void SetUp() override { home.Write("inv.json", Inventory()); }
  Emulator Start() {
    return Emulator({"--scan-seconds", "0.3", "--inventory", home.File("inv.json")});
  }
  TempDir home;
};

TEST_F(BaselineTest, GateNewFailsOnlyOnWhatTheChangeBrings) {
  Emulator emu = Start();
  Env env = ScanEnv(emu, home);
  auto r = RunProcess({ScanBin(), "--gate", "new", "--severity-threshold", "high",
                       "--baseline-image", kBase, "--dotenv", home.File("d.env"), kNew},
                      env);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("the scan found 2 new high (threshold: high)"), std::string::npos) << r.err;
  // The two new ones are named; the three the default branch has are not.
  EXPECT_NE(r.err.find("high CVE-2024-0004 libd"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("high CVE-2024-0005 libe"), std::string::npos) << r.err;
  for (const char* old : {"CVE-2024-0001", "CVE-2024-0002", "CVE-2024-0003"})
    EXPECT_EQ(r.err.find(std::string("high ") + old), std::string::npos) << old << r.err;
  const std::string dotenv = home.Read("d.env");
  for (const char* line : {"TCSS_HIGH=5\n", "TCSS_NEW_HIGH=2\n", "TCSS_NEW_CRITICAL=0\n",
                           "TCSS_NEW_MEDIUM=0\n", "TCSS_FIXED_COUNT=1\n"})
    EXPECT_NE(dotenv.find(line), std::string::npos) << line << dotenv;
  // No new scan of the baseline: one create, for the change's image.
  EXPECT_EQ(Count(emu.Actions(), "CreateAssetImageScanTask"), 1);

  // Only the old highs: the gate passes.
  auto old_only = RunProcess({ScanBin(), "--gate", "new", "--severity-threshold", "high",
                              "--baseline-image", kBase, kOldOnly},
                             env);
  EXPECT_EQ(old_only.exit_code, 0) << old_only.err;
  // --gate all (the default) still counts all five.
  auto all =
      RunProcess({ScanBin(), "--severity-threshold", "high", "--baseline-image", kBase, kNew}, env);
  EXPECT_EQ(all.exit_code, 2) << all.err;
  EXPECT_NE(all.err.find("the scan found 5 high"), std::string::npos) << all.err;
}

TEST_F(BaselineTest, EveryOutputShowsNewExistingAndFixed) {
  Emulator emu = Start();
  Env env = ScanEnv(emu, home);
  AsGithubStep(env, home);
  auto r = RunProcess(
      {ScanBin(), "--gate", "new", "--severity-threshold", "high", "--baseline-image", kBase,
       "--sarif-file", home.File("s.sarif"), "--junit-file", home.File("j.xml"), "--report-file",
       home.File("gl.json"), "--findings-file", home.File("f.json"), kNew},
      env);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  const std::string output = home.Read("output");
  EXPECT_NE(output.find("new-high<<"), std::string::npos) << output;
  EXPECT_NE(output.find("fixed-count<<"), std::string::npos) << output;
  // The step summary: new first, then what the change fixed.
  const std::string summary = home.Read("summary.md");
  size_t fresh = summary.find("New findings:");
  size_t fixed = summary.find("Fixed (in the baseline, gone now):");
  ASSERT_NE(fresh, std::string::npos) << summary;
  ASSERT_NE(fixed, std::string::npos) << summary;
  EXPECT_LT(fresh, fixed);
  EXPECT_NE(summary.find("CVE-2024-0004", fresh), std::string::npos);
  EXPECT_EQ(summary.substr(fresh, fixed - fresh).find("CVE-2024-0001"), std::string::npos);
  EXPECT_NE(summary.find("CVE-2023-0009", fixed), std::string::npos) << summary;
  // SARIF: baselineState on every result.
  const std::string sarif = home.Read("s.sarif");
  EXPECT_EQ(CountOf(sarif, R"("baselineState":"new")"), 2) << sarif;
  EXPECT_EQ(CountOf(sarif, R"("baselineState":"unchanged")"), 3) << sarif;
  // JUnit: failures are the findings that fail the gate.
  const std::string junit = home.Read("j.xml");
  EXPECT_EQ(CountOf(junit, "<failure "), 2) << junit;
  EXPECT_EQ(CountOf(junit, R"(<skipped message="in the baseline (--gate new counts only new)"), 3)
      << junit;
  // GitLab: the default branch's image, GitLab's CS_DEFAULT_BRANCH_IMAGE.
  EXPECT_EQ(CountOf(home.Read("gl.json"), R"("default_branch_image":")" + kBase + "\""), 5);
  // The findings file: the baseline, each finding's state, the gate's counting.
  auto f = json::ParseObject(home.Read("f.json"));
  ASSERT_TRUE(f.ok());
  auto b = (*f)->getObject("baseline");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->getValue<std::string>("reference"), kBase);
  EXPECT_TRUE(b->getValue<bool>("available"));
  EXPECT_EQ(b->getObject("new")->getValue<int>("high"), 2);
  EXPECT_EQ(b->getArray("fixed")->size(), 1u);
  EXPECT_EQ((*f)->getObject("gate")->getValue<std::string>("counts"), "new");
  EXPECT_EQ(CountOf(home.Read("f.json"), R"("baselineState":"unchanged")"), 3);
}

TEST_F(BaselineTest, AFindingsFileOfAnEarlierRunIsABaseline) {
  Emulator emu = Start();
  Env env = ScanEnv(emu, home);
  auto first = RunProcess({ScanBin(), "--findings-file", home.File("main.json"), kOldOnly}, env);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  // Against it: the same three are old, D and E new.
  auto r = RunProcess({ScanBin(), "--gate", "new", "--severity-threshold", "high",
                       "--baseline-file", home.File("main.json"), kNew},
                      env);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("2 new high"), std::string::npos) << r.err;
  auto same = RunProcess({ScanBin(), "--gate", "new", "--severity-threshold", "high",
                          "--baseline-file", home.File("main.json"), kOldOnly},
                         env);
  EXPECT_EQ(same.exit_code, 0) << same.err;
}

TEST_F(BaselineTest, AMissingBaselineIsAWarningAndEveryFindingIsNew) {
  Emulator emu = Start();
  Env env = ScanEnv(emu, home);
  struct Case {
    std::vector<std::string> flags;
    std::string why;
  } cases[] = {
      {{"--baseline-image", "ccr.ccs.tencentyun.com/acme/app:gone"}, "TCSS does not know it"},
      {{"--baseline-image", kNever}, "TCSS has never scanned it"},
      {{"--baseline-file", home.File("none.json")}, "there is no file"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> argv = {ScanBin(), "--gate", "new", "--severity-threshold", "high"};
    argv.insert(argv.end(), c.flags.begin(), c.flags.end());
    argv.push_back(kOldOnly);
    auto r = RunProcess(argv, env);
    EXPECT_EQ(r.exit_code, 2) << c.why << r.err;  // never a silent pass
    EXPECT_NE(r.err.find("warning: no baseline: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.why), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("every finding counts as new"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("3 new high"), std::string::npos) << r.err;
  }
}

TEST_F(BaselineTest, ABadBaselineFileOrGateEndsTheRunBeforeAnyCall) {
  Emulator emu = Start();
  Env env = ScanEnv(emu, home);
  home.Write("v2.json", R"({"schemaVersion":"2","complete":true,"findings":[]})");
  home.Write("broken.json", R"({"schemaVersion":"1","complete":true,"findings":[{"kind":1}]})");
  home.Write("text.json", "not json");
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{"--baseline-file", home.File("v2.json")}, "$.schemaVersion: \"2\" is not a version"},
      {{"--baseline-file", home.File("broken.json")}, "$.findings[0]"},
      {{"--baseline-file", home.File("text.json")}, "not JSON"},
      {{"--gate", "new"}, "--gate new counts what the baseline does not hold"},
      {{"--gate", "nwe"}, "did you mean new?"},
      {{"--baseline-image", "a:b", "--baseline-file", home.File("v2.json")}, "give one"},
      {{"--baseline-image", "a:b", "--wait=false"}, "--baseline-image reads the scan's findings"},
  };
  for (const auto& [flags, message] : cases) {
    std::vector<std::string> argv = {ScanBin()};
    argv.insert(argv.end(), flags.begin(), flags.end());
    argv.push_back(kNew);
    auto r = RunProcess(argv, env);
    EXPECT_EQ(r.exit_code, 4) << message << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
  }
  EXPECT_TRUE(emu.Actions().empty());
}

}  // namespace
}  // namespace tcss::it
