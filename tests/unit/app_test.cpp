// app::Run with fakes: the poll schedule on a fake clock, the gate, the exit-code table.
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "app/app.h"
#include "core/outputs.h"
#include "core/policy.h"
#include "fakes.h"

namespace tcss {
namespace {

using testing::AppFixture;
using testing::FakeClock;
using testing::FakeRandom;
using testing::RecordingTransport;

const std::string kId = "sha256:" + std::string(64, 'a');

HttpResponse Ok(const std::string& fields) {
  return HttpResponse{200, R"({"Response":{)" + fields + R"(,"RequestId":"r"}})"};
}
HttpResponse Status(const std::string& status, int schedule, int left) {
  return Ok(R"("Status":")" + status + R"(","Schedule":)" + std::to_string(schedule) +
            R"(,"ImageTotal":1,"ImageScanCnt":0,"LeftSeconds":)" + std::to_string(left));
}

TEST(PollSchedule, BacksOffToFifteenSecondsAndHeedsLeftSeconds) {
  std::vector<int64_t> d;
  for (int i = 0; i < 7; ++i) d.push_back(PollDelayMillis(i, 0));
  EXPECT_EQ(d, (std::vector<int64_t>{1000, 2000, 4000, 8000, 15000, 15000, 15000}));
  EXPECT_EQ(PollDelayMillis(5, 3), 3000);
  EXPECT_EQ(PollDelayMillis(5, 0), 15000);
  EXPECT_EQ(PollDelayMillis(0, 100), 1000);
}

TEST(Gate, ThresholdsVirusesAndRisks) {
  Findings f;
  f.totals.medium = 2;
  f.totals.virus = 1;
  EXPECT_EQ(GateViolation(f, 0, false, false), "");
  EXPECT_EQ(GateViolation(f, 3, false, false), "");
  EXPECT_EQ(GateViolation(f, 2, false, false), "2 medium (threshold: medium)");
  EXPECT_EQ(GateViolation(f, 1, false, false), "2 medium (threshold: low)");
  EXPECT_EQ(GateViolation(f, 0, true, false), "1 virus(es)");
  EXPECT_EQ(GateViolation(f, 0, false, true), "");
}

TEST_F(AppFixture, WaitPollsOnTheScheduleThenGates) {
  transport.script = {
      Ok(R"("TaskID":"t1")"),
      Status("READY", 0, 0),
      Status("SCANNING", 40, 0),
      Status("SCANNING", 60, 0),
      Status("SCANNING", 90, 2),
      Status("END", 100, 0),
      Ok(R"("TotalCount":1,"List":[{"ImageID":")" + kId +
         R"(","ImageName":"a:1","CriticalLevelVulCnt":0,"HighLevelVulCnt":1}])"),
      Ok(R"("TotalCount":1,"List":[{"CVEID":"CVE-1","Level":3,"CVSSV3Score":7.5}])")};
  transport.latency_ms = 0;
  int code = Run({"--wait", "--severity-threshold", "high", kId});
  EXPECT_EQ(code, 2) << err.str();
  EXPECT_EQ(clock.sleeps, (std::vector<int64_t>{1000, 2000, 4000, 8000, 2000}));
  EXPECT_EQ(Actions(), (std::vector<std::string>{
                           "CreateAssetImageScanTask", "DescribeAssetImageScanStatus",
                           "DescribeAssetImageScanStatus", "DescribeAssetImageScanStatus",
                           "DescribeAssetImageScanStatus", "DescribeAssetImageScanStatus",
                           "DescribeAssetImageList", "DescribeAssetImageVulList"}));
  EXPECT_EQ(out.str(), "t1\n");
  EXPECT_NE(err.str().find("the scan found 1 high (threshold: high)"), std::string::npos);
}

// Hardening III, 2: memory running out while the result is read (an answer too big to hold)
// still leaves the TaskID on stdout and in every output, with exit 3 and how to pick it up.
TEST_F(AppFixture, AnExceptionAfterSubmissionStillPublishesTheTaskId) {
  transport.script = {Ok(R"("TaskID":"t1")"), Status("END", 100, 0)};
  transport.bad_alloc_at = 3;  // the image list after the scan ended
  transport.latency_ms = 0;
  env["GITHUB_ACTIONS"] = "true";
  env["GITHUB_OUTPUT"] = "/out/output";
  env["TCSS_DOTENV"] = "/out/scan.env";
  int code = Run({"--wait", kId});
  EXPECT_EQ(code, 3) << err.str();
  EXPECT_EQ(out.str().substr(0, 3), "t1\n");
  EXPECT_NE(
      err.str().find("scan task t1 was submitted: pick it up with tcss-scan status t1 --wait"),
      std::string::npos)
      << err.str();
  EXPECT_NE(files.files["/out/output"].find("t1"), std::string::npos);
  EXPECT_NE(files.files["/out/scan.env"].find("TCSS_TASK_ID=t1"), std::string::npos);
}

TEST_F(AppFixture, WaitTimeoutNeverSleepsPastTheBudget) {
  transport.latency_ms = 0;
  transport.script.push_back(Ok(R"("TaskID":"t1")"));
  for (int i = 0; i < 100; ++i) transport.script.push_back(Status("SCANNING", 10, 0));
  int code = Run({"--wait", "--wait-timeout", "20", kId});
  EXPECT_EQ(code, 5);
  int64_t slept = 0;
  for (auto s : clock.sleeps) slept += s;
  EXPECT_EQ(slept, 20000);
  EXPECT_NE(err.str().find("tcss-scan status t1 --wait"), std::string::npos);
}

TEST_F(AppFixture, ExitCodeTableEndToEnd) {
  struct Case {
    std::vector<HttpResponse> script;
    std::vector<std::string> args;
    int code;
  };
  std::vector<Case> cases = {
      {{Ok(R"("TaskID":"t")")}, {kId}, 0},
      {{testing::ApiError("InvalidParameter")}, {kId}, 1},
      {{testing::ApiError("InvalidParameter")}, {"--fail-on", "AuthFailure", kId}, 0},
      {{HttpResponse{404, "nope"}}, {kId}, 3},
      {{}, {"--bogus"}, 4},
  };
  for (const auto& c : cases) {
    transport.script.clear();
    for (const auto& r : c.script) transport.script.push_back(r);
    EXPECT_EQ(Run(c.args), c.code) << c.args[0];
  }
}

TEST_F(AppFixture, DotenvAndGithubFilesWrittenThroughThePort) {
  env["GITLAB_CI"] = "true";
  env["TCSS_DOTENV"] = "/out/x.env";
  transport.script = {Ok(R"("TaskID":"t9")")};
  ASSERT_EQ(Run({kId}), 0) << err.str();
  EXPECT_EQ(files.files["/out/x.env"],
            "TCSS_TASK_ID=t9\nTCSS_REQUEST_ID=r\nTCSS_IMAGE_IDS=" + kId + "\nTCSS_SOURCE=local\n");
}

TEST_F(AppFixture, ManyImagesLeaveTheImageIdsOutOfTheDotenvInsteadOfFailing) {
  env["TCSS_DOTENV"] = "/out/x.env";
  std::vector<std::string> args;
  for (int i = 0; i < 100; ++i) {
    std::string hex = std::to_string(i);
    args.push_back("sha256:" + std::string(64 - hex.size(), 'a') + hex);
  }
  transport.script = {Ok(R"("TaskID":"t9")")};
  ASSERT_EQ(Run(args), 0) << err.str();
  EXPECT_EQ(files.files["/out/x.env"], "TCSS_TASK_ID=t9\nTCSS_REQUEST_ID=r\nTCSS_SOURCE=local\n");
  EXPECT_NE(
      err.str().find(
          "TCSS_IMAGE_IDS left out of /out/x.env: the dotenv report would exceed GitLab's 5 KB"),
      std::string::npos)
      << err.str();
}

TEST_F(AppFixture, PushRunsDockerPushThenScansThePushedDigest) {
  const std::string digest = "sha256:" + std::string(64, 'd');
  process_output = "1.0: digest: " + digest + " size: 1573\n";
  transport.script = {Ok(R"("List":[{"Id":7,"ImageRepoAddress":"ccr.io/ns/app","ImageTag":"x",)"
                         R"("ImageDigest":")" +
                         digest + R"("}],"TotalCount":1)"),
                      Ok(R"("TaskID":42)")};
  ASSERT_EQ(Run({"push", "ccr.io/ns/app:1.0"}), 0) << err.str();
  ASSERT_EQ(ran.size(), 1u);
  EXPECT_EQ(ran[0], (std::vector<std::string>{"docker", "push", "ccr.io/ns/app:1.0"}));
  EXPECT_EQ(out.str(), "42\n");
  EXPECT_NE(err.str().find("scanning ccr.io/ns/app@" + digest), std::string::npos) << err.str();
  // A failed push: exit 7 whatever docker's code (2 is not "findings"), nothing scanned.
  ran.clear();
  transport.requests.clear();
  process_exit = 2;
  EXPECT_EQ(Run({"push", "ccr.io/ns/app:1.0"}), 7);
  EXPECT_TRUE(transport.requests.empty());
  EXPECT_EQ(Run({"push", "sha256:" + std::string(64, 'a')}), 4);
}

// Under Azure every line of output is read for ##vso[ commands: the service's status word on
// stdout, its messages in the log and the annotation cannot be one.
TEST_F(AppFixture, AzureRunnerFindsNoCommandInWhatTheServiceSaid) {
  env["TF_BUILD"] = "True";
  transport.script = {Ok(R"("Status":"##vso[task.complete result=Failed]x\n##[set-output a=b]",)"
                         R"("Schedule":1,"ImageTotal":1,"ImageScanCnt":0,"LeftSeconds":0)")};
  transport.latency_ms = 0;
  EXPECT_EQ(Run({"status", "t1"}), 1) << err.str();  // not END: ScanStatus.<status>
  auto lines = [](const std::string& text) {
    std::vector<std::string> v;
    for (size_t start = 0, end; start < text.size(); start = end + 1) {
      end = text.find('\n', start);
      v.push_back(text.substr(start, end - start));
    }
    return v;
  };
  std::vector<std::string> got = lines(out.str());
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got[0], "UNKNOWN");  // not a status word: not shown at all
  // Each line holds at most our one command, at its start; the service's text is data.
  for (const auto& line : got) {
    size_t first = line.find("##vso[");
    EXPECT_TRUE(first == std::string::npos || first == 0) << line;
    if (line.rfind("##vso[task.logissue", 0) == 0) {
      EXPECT_EQ(line.find("##vso[", 1), std::string::npos) << line;
    }
  }
  EXPECT_EQ(err.str().find("##vso["), std::string::npos) << err.str();
  EXPECT_EQ(err.str().find("##["), std::string::npos) << err.str();
  transport.script = {HttpResponse{
      200,
      R"({"Response":{"Error":{"Code":"InvalidParameter","Message":"bad ##vso[task.setvariable )"
      R"(variable=X]1"},"RequestId":"r"}})"}};
  out.str("");
  err.str("");
  EXPECT_EQ(Run({kId}), 1);
  EXPECT_EQ(err.str().find("##vso["), std::string::npos) << err.str();
  EXPECT_EQ(out.str(),
            "##vso[task.logissue type=error]bad ## vso[task.setvariable variable=X]1 "
            "[InvalidParameter] (RequestId r)\n");
}

TEST_F(AppFixture, StatusGateWithoutImagesIsAUsageError) {
  EXPECT_EQ(Run({"status", "t1", "--severity-threshold", "high"}), 4);
  EXPECT_NE(err.str().find("needs the image IDs"), std::string::npos);
  EXPECT_TRUE(transport.requests.empty());
}

}  // namespace
}  // namespace tcss
