// Fail-on patterns, the exit-code table, envelope parsing and the output formats (golden files).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/api.h"
#include "core/outputs.h"
#include "core/policy.h"
#include "core/reports/summary.h"
#include "core/text.h"

namespace tcss {
namespace {

std::string Golden(const std::string& name) {
  std::ifstream in(std::string(TCSS_GOLDEN_DIR) + "/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(FailOn, Patterns) {
  EXPECT_TRUE(FailOnSelects({"*"}, "AuthFailure.SignatureFailure"));
  EXPECT_TRUE(FailOnSelects({"AuthFailure"}, "AuthFailure.SignatureFailure"));
  EXPECT_FALSE(FailOnSelects({"AuthFailure"}, "AuthFailureX"));
  EXPECT_FALSE(FailOnSelects({"AuthFailure"}, "InternalError"));
  EXPECT_FALSE(FailOnSelects({"*", "-FailedOperation.ErrAlreadyScanning"},
                             "FailedOperation.ErrAlreadyScanning"));
  EXPECT_TRUE(FailOnSelects({"*", "-FailedOperation.ErrAlreadyScanning"}, "FailedOperation.Other"));
  EXPECT_FALSE(FailOnSelects({"*", "-FailedOperation"}, "FailedOperation.ErrAlreadyScanning"));
  EXPECT_TRUE(
      FailOnSelects({"-ResourceNotFound", "ResourceNotFound.Image"}, "ResourceNotFound.Image"));
  EXPECT_FALSE(FailOnSelects({}, "InternalError"));
  EXPECT_TRUE(ValidateFailOn({"*", "-A.B", "C_d"}).ok());
  EXPECT_FALSE(ValidateFailOn({"A B"}).ok());
  EXPECT_FALSE(ValidateFailOn({"-"}).ok());
}

TEST(ExitCodes, FrozenTable) {
  EXPECT_EQ(ExitCodeFor(ErrorKind::kApi), 1);
  EXPECT_EQ(ExitCodeFor(ErrorKind::kFindings), 2);
  EXPECT_EQ(ExitCodeFor(ErrorKind::kTransport), 3);
  EXPECT_EQ(ExitCodeFor(ErrorKind::kUsage), 4);
  EXPECT_EQ(ExitCodeFor(ErrorKind::kWaitTimeout), 5);
  EXPECT_EQ(ExitCodeFor(ErrorKind::kOutput), 6);
  EXPECT_EQ(ExitCodeFor(ErrorKind::kPush), 7);
  EXPECT_EQ(ExitCodeFor(ErrorKind::kInterrupted), 130);
}

TEST(Retry, Classification) {
  for (const char* c : {"RequestLimitExceeded", "RequestLimitExceeded.UinLimitExceeded",
                        "InternalError", "ServiceUnavailable"})
    EXPECT_TRUE(IsRetryableApiCode(c)) << c;
  for (const char* c :
       {"AuthFailure.SignatureFailure", "InvalidParameter", "InternalError.ErrRoleNotExist",
        "ResourceNotFound", "RequestLimitExceededX"})
    EXPECT_FALSE(IsRetryableApiCode(c)) << c;
}

TEST(Backoff, ExponentialWithFullJitterAndCap) {
  EXPECT_EQ(BackoffMillis(0, 0.999999), 499);
  EXPECT_EQ(BackoffMillis(1, 0.5), 500);
  EXPECT_EQ(BackoffMillis(3, 0.5), 2000);
  EXPECT_EQ(BackoffMillis(10, 0.5), 4000);  // capped at 8 s
  EXPECT_EQ(BackoffMillis(2, 0.0), 0);
}

TEST(Envelope, EveryShape) {
  auto ok = api::ParseEnvelope(200, R"({"Response":{"TaskID":"t1","RequestId":"r1"}})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(api::ParseCreateTask(*ok)->task_id, "t1");
  auto err = api::ParseEnvelope(
      200,
      R"({"Response":{"Error":{"Code":"InvalidParameter","Message":"bad"},"RequestId":"r2"}})");
  ASSERT_FALSE(err.ok());
  EXPECT_EQ(err.error().kind, ErrorKind::kApi);
  EXPECT_EQ(err.error().code, "InvalidParameter");
  EXPECT_EQ(err.error().request_id, "r2");
  struct Bad {
    int status;
    std::string body;
    std::string needle;
  };
  for (const auto& b :
       std::vector<Bad>{{502, "<html>Bad Gateway</html>", "HTTP 502"},
                        {200, R"({"Response":{"TaskID":"t1","Req)", "not JSON"},
                        {200, R"({"Other":{}})", "without a \"Response\""},
                        {200, R"({"Response":{"TaskID":"t1"}})", "RequestId"},
                        {200, R"({"Response":{"Error":"x","RequestId":"r"}})", "Error"},
                        {200, "[1,2]", "not JSON"},
                        {200, std::string(100, '[') + std::string(100, ']'), "not JSON"}}) {
    auto r = api::ParseEnvelope(b.status, b.body);
    ASSERT_FALSE(r.ok()) << b.body;
    EXPECT_EQ(r.error().kind, ErrorKind::kTransport);
    EXPECT_NE(r.error().message.find(b.needle), std::string::npos) << r.error().message;
  }
  auto bad_task = api::ParseEnvelope(200, R"({"Response":{"TaskID":"a b\nc","RequestId":"r"}})");
  ASSERT_TRUE(bad_task.ok());
  auto parsed = api::ParseCreateTask(*bad_task);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().request_id, "r");
}

TEST(RequestBody, FieldOrderAndShapeMatchTheSdk) {
  Config c;
  EXPECT_EQ(
      api::CreateScanTaskBody(c, {"ccr.ccs.tencentyun.com/ns/app:1.0"}),
      R"({"Images":["ccr.ccs.tencentyun.com/ns/app:1.0"],"ScanVul":true,"ScanVirus":true,"ScanRisk":true})");
  c.all = true;
  c.scan_virus = false;
  c.filters = {{"ImageName", {"a\"b"}, true}};
  c.exclude_image_ids = {"sha256:x"};
  EXPECT_EQ(
      api::CreateScanTaskBody(c, {}),
      R"({"All":true,"ScanVul":true,"ScanVirus":false,"ScanRisk":true,"Filters":[{"Name":"ImageName","Values":["a\"b"],"ExactMatch":true}],"ExcludeImageIds":["sha256:x"]})");
}

RunReport Sample() {
  RunReport r;
  r.task_id = "6013a6c334b9a9000cf519be";
  r.request_id = "6a7f0c57-2d1a-4a3e-9c3b-0f9ad1e2b3c4";
  r.images = {{"ccr.ccs.tencentyun.com/ns/app:1.0", "sha256:" + std::string(64, 'a')},
              {"nginx:1|25", "sha256:" + std::string(64, 'b')}};
  r.selection = "images";
  return r;
}

TEST(Outputs, GithubOutputFileGolden) {
  std::string text;
  for (const auto& [k, v] : GithubOutputs(Sample()))
    text += *GithubOutputEntry(k, v, "ghadelimiter_X");
  EXPECT_EQ(text, Golden("github_output.txt"));
}

TEST(Outputs, GithubOutputRefusesTheDelimiterInsideAValue) {
  EXPECT_FALSE(GithubOutputEntry("task-id", "a\nghadelimiter_X\nevil=1", "ghadelimiter_X").ok());
  EXPECT_FALSE(GithubOutputEntry("bad name", "v", "D").ok());
}

TEST(Outputs, DotenvGoldenAndRules) {
  EXPECT_EQ(*DotenvContent(DotenvVars(Sample())), Golden("gitlab.env"));
  EXPECT_FALSE(DotenvContent({{"TCSS_TASK_ID", "a b"}}).ok());
  EXPECT_FALSE(DotenvContent({{"TCSS_TASK_ID", "a\nEVIL=1"}}).ok());
  EXPECT_FALSE(DotenvContent({{"BAD-KEY", "x"}}).ok());
  EXPECT_FALSE(DotenvContent({{"K", "\"q\""}}).ok());
  EXPECT_FALSE(DotenvContent({{"K", std::string(6000, 'x')}}).ok());
}

TEST(Outputs, OneBadDotenvValueDropsThatValueNotTheFile) {
  Dotenv d = BuildDotenv({{"TCSS_TASK_ID", "t1"}, {"TCSS_STATUS", "DONE OK"}, {"TCSS_LOW", "3"}});
  EXPECT_EQ(d.text, "TCSS_TASK_ID=t1\nTCSS_LOW=3\n");
  ASSERT_EQ(d.dropped.size(), 1u);
  EXPECT_EQ(d.dropped[0].first, "TCSS_STATUS");
  Dotenv big = BuildDotenv({{"TCSS_TASK_ID", "t1"}, {"TCSS_IMAGE_IDS", std::string(5200, 'x')}});
  EXPECT_EQ(big.text, "TCSS_TASK_ID=t1\n");
  EXPECT_EQ(big.dropped[0].first, "TCSS_IMAGE_IDS");
}

TEST(Outputs, SummaryGoldenAndCap) {
  EXPECT_EQ(GithubSummaryMarkdown(Sample()), Golden("summary.md"));
  RunReport big = Sample();
  for (int i = 0; i < 40000; ++i)
    big.images.push_back({"reg.io/a:" + std::to_string(i), "sha256:x"});
  std::string md = GithubSummaryMarkdown(big);
  EXPECT_LT(md.size(), 1024u * 1024u);
  EXPECT_NE(md.find("more"), std::string::npos);
}

TEST(Outputs, JsonGolden) { EXPECT_EQ(JsonReport(Sample()), Golden("report.json")); }

TEST(Outputs, WorkflowCommandsAreEscaped) {
  EXPECT_EQ(WorkflowAnnotation("error", "t:1,2", "50%\nline2\r"),
            "::error title=t%3A1%2C2::50%25%0Aline2%0D\n");
  EXPECT_EQ(AddMaskCommand("a\nb"), "::add-mask::a\n::add-mask::b\n");
  // Hardening III, 20: what the runner decodes, it is given encoded.
  EXPECT_EQ(AddMaskCommand("ab%25cd%0Aef"), "::add-mask::ab%2525cd%250Aef\n");
}

// Hardening III, 10: a Status that is not a word never reaches stdout or a CI variable.
TEST(Envelope, AStatusThatIsNotAWordIsUnknown) {
  for (const char* status : {"::stop-commands::tcss", "END\r\n##vso[task.setvariable]", "a b"}) {
    auto o =
        json::ParseObject(std::string(R"({"Status":")") +
                          text::ReplaceAll(text::ReplaceAll(status, "\r", "\\r"), "\n", "\\n") +
                          R"(","RequestId":"r"})");
    ASSERT_TRUE(o.ok()) << status;
    auto st = api::ParseScanStatus(*o);
    ASSERT_TRUE(st.ok());
    EXPECT_EQ(st->status, "UNKNOWN") << status;
  }
  auto fine = json::ParseObject(R"({"Status":"SCANNING","RequestId":"r"})");
  EXPECT_EQ(api::ParseScanStatus(*fine)->status, "SCANNING");
}

// Hardening III, 1: an answer the client refuses is quoted in the error, stderr, the step
// summary; the credentials in it never are.
TEST(Envelope, ARefusedAnswerWithCredentialsIsNeverQuoted) {
  const std::string key = "tmpKEYsecret0123456789abcdefghij";
  const std::string token = "sessionTOKEN" + std::string(200, 'x');
  const std::string sts = R"({"Response":{"Credentials":{"TmpSecretKey":")" + key +
                          R"(","Token":")" + token + R"(","TmpSecretId":"AKIDtmp"},)" +
                          R"("ExpiredTime":1,"RequestId":"r"}})";
  for (const auto& [status, body] : std::vector<std::pair<int, std::string>>{
           {200, sts + "trailing"}, {502, sts}, {200, sts.substr(0, 60)}}) {
    // Any answer: the secret-named fields are redacted from the quoted start.
    auto quoted = api::ParseEnvelope(status, body);
    ASSERT_FALSE(quoted.ok());
    EXPECT_EQ(quoted.error().message.find("tmpKEY"), std::string::npos) << quoted.error().message;
    EXPECT_EQ(quoted.error().message.find("sessionTOKEN"), std::string::npos);
    EXPECT_NE(quoted.error().message.find("***"), std::string::npos) << quoted.error().message;
    // STS's answers: nothing of the body at all.
    auto withheld = api::ParseEnvelope(status, body, true);
    ASSERT_FALSE(withheld.ok());
    EXPECT_EQ(withheld.error().message.find("Credentials"), std::string::npos);
    EXPECT_NE(withheld.error().message.find("it may carry credentials"), std::string::npos)
        << withheld.error().message;
  }
  EXPECT_EQ(api::RedactSecretFields(R"({"SecretKey" : "abc", "Name":"n", "x_token":"t)"),
            R"({"SecretKey" : "***", "Name":"n", "x_token":"***)");
  EXPECT_EQ(api::RedactSecretFields(R"({"a":"Token","b":1})"), R"({"a":"Token","b":1})");
}

}  // namespace
}  // namespace tcss
