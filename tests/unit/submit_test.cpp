// SubmitScan: a lost answer is recovered through the running task, never sent blindly again.
#include "app/submit.h"

#include <gtest/gtest.h>

#include <sstream>

#include "core/api.h"
#include "fakes.h"

namespace tcss {
namespace {

using testing::ApiError;
using testing::FakeClock;
using testing::FakeRandom;
using testing::RecordingTransport;

HttpResponse Answer(const std::string& fields) {
  return HttpResponse{200, R"({"Response":{)" + fields + R"(,"RequestId":"r"}})"};
}
Error Lost() {
  Error e = TransportError(kNetTimeout, "no answer");
  e.maybe_delivered = true;
  return e;
}

struct SubmitFixture : ::testing::Test {
  FakeClock clock;
  FakeRandom random;
  RecordingTransport transport{&clock};
  std::ostringstream err;
  Logger log{err, LogLevel::kInfo};
  ApiClient client{transport, clock, clock, random, log, testing::TestSettings()};
  SubmitOutcome Submit(size_t images = 1) {
    return SubmitScan(client, clock, log, "{}", images, 4, 60000);
  }
  std::vector<std::string> Actions() {
    std::vector<std::string> out;
    for (const auto& r : transport.requests)
      for (const auto& h : r.headers)
        if (h.name == "X-TC-Action") out.push_back(h.value);
    return out;
  }
};

TEST_F(SubmitFixture, ALostAnswerIsRecoveredFromTheRunningTask) {
  transport.script = {Lost(), Answer(R"("TaskID":"t7","Status":"SCANNING")"),
                      Answer(R"("Status":"SCANNING","ImageTotal":1)")};
  auto out = Submit();
  ASSERT_FALSE(out.error) << out.error->message;
  EXPECT_EQ(out.task_id, "t7");
  EXPECT_TRUE(out.recovered);
  EXPECT_EQ(Actions(),
            (std::vector<std::string>{"CreateAssetImageScanTask", "DescribeAssetImageScanTask",
                                      "DescribeAssetImageScanStatus"}));
}

TEST_F(SubmitFixture, ARunningTaskOfAnotherSizeIsNotTakenForOurs) {
  transport.script = {Lost(), Answer(R"("TaskID":"other","Status":"SCANNING")"),
                      Answer(R"("Status":"SCANNING","ImageTotal":5)"),
                      Answer(R"("TaskID":"mine")")};
  auto out = Submit();
  ASSERT_FALSE(out.error);
  EXPECT_EQ(out.task_id, "mine");
  EXPECT_FALSE(out.recovered);
}

TEST_F(SubmitFixture, AlreadyScanningAfterALostAnswerIsOurs) {
  transport.script = {Lost(), Answer(R"("TaskID":"","Status":"END")"),
                      ApiError("FailedOperation.ErrAlreadyScanning"),
                      Answer(R"("TaskID":"t8","Status":"READY")"),
                      Answer(R"("Status":"READY","ImageTotal":1)")};
  auto out = Submit();
  ASSERT_FALSE(out.error);
  EXPECT_EQ(out.task_id, "t8");
  EXPECT_TRUE(out.recovered);
}

TEST_F(SubmitFixture, AlreadyScanningAtFirstIsAnErrorThatNamesTheRunningTask) {
  transport.script = {ApiError("FailedOperation.ErrAlreadyScanning"),
                      Answer(R"("TaskID":"theirs","Status":"SCANNING")")};
  auto out = Submit();
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->code, "FailedOperation.ErrAlreadyScanning");
  EXPECT_EQ(out.task_id, "theirs");
  EXPECT_NE(out.error->message.find("task theirs"), std::string::npos);
}

TEST_F(SubmitFixture, ANotDeliveredFailureIsNotLookedUp) {
  transport.script = {ApiError("InvalidParameter")};
  auto out = Submit();
  ASSERT_TRUE(out.error);
  EXPECT_EQ(Actions().size(), 1u);
}

TEST_F(SubmitFixture, ResubmitsAreBounded) {
  for (int i = 0; i < 20; ++i) {
    transport.script.push_back(Lost());
    transport.script.push_back(Answer(R"("TaskID":"","Status":"END")"));
  }
  auto out = SubmitScan(client, clock, log, "{}", 1, 2, 60000);
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->kind, ErrorKind::kTransport);
  int creates = 0;
  for (const auto& a : Actions()) creates += a == "CreateAssetImageScanTask";
  EXPECT_EQ(creates, 3);
}

// Hardening III, 3: "could not ask" is not "none runs". With the look-up failing (past its
// own retries), the request is not sent again and the error says why.
TEST_F(SubmitFixture, ALookUpThatFailsNeverBecomesNoneRunsNorAResend) {
  transport.script = {Lost(), ApiError("AuthFailure.UnauthorizedOperation")};
  auto out = Submit();
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->kind, ErrorKind::kTransport);
  EXPECT_NE(out.error->message.find("could not be asked whether the scan started"),
            std::string::npos)
      << out.error->message;
  EXPECT_EQ(Actions(),
            (std::vector<std::string>{"CreateAssetImageScanTask", "DescribeAssetImageScanTask"}));
}

// The look-up has retries of its own, even with --retries 0: one blip does not end it.
TEST_F(SubmitFixture, TheLookUpRetriesOnItsOwnWithRetriesZero) {
  auto settings = testing::TestSettings();
  settings.retries = 0;
  ApiClient no_retries{transport, clock, clock, random, log, settings};
  transport.script = {Lost(), ApiError("InternalError"),
                      Answer(R"("TaskID":"t9","Status":"SCANNING")"),
                      Answer(R"("Status":"SCANNING","ImageTotal":1)")};
  auto out = SubmitScan(no_retries, clock, log, "{}", 1, 0, 60000);
  ASSERT_FALSE(out.error) << out.error->message;
  EXPECT_EQ(out.task_id, "t9");
  EXPECT_TRUE(out.recovered);
}

// A task of the same size started ten minutes before this run's request (TCSS reports
// Beijing time, UTC+8) is someone else's: not adopted, the request is sent again.
TEST_F(SubmitFixture, AnOlderRunningTaskIsNotAdopted) {
  // The fake clock's Unix time 1700000000 is 2023-11-15 06:13:20 in UTC+8.
  transport.script = {
      Lost(), Answer(R"("TaskID":"old","Status":"SCANNING","LastScanTime":"2023-11-15 06:03:20")"),
      Answer(R"("TaskID":"mine")")};
  auto out = Submit();
  ASSERT_FALSE(out.error) << out.error->message;
  EXPECT_EQ(out.task_id, "mine");
  EXPECT_FALSE(out.recovered);
  // Started in the same seconds, in any whole-hour zone: ours.
  EXPECT_TRUE(api::MayHaveStartedBetween("2023-11-15 06:13:21", 1700000000, 1700000001, 60));
  EXPECT_TRUE(api::MayHaveStartedBetween("2023-11-14 22:13:20", 1700000000, 1700000001, 60));
  EXPECT_FALSE(api::MayHaveStartedBetween("2023-11-15 06:03:20", 1700000000, 1700000001, 60));
  EXPECT_TRUE(api::MayHaveStartedBetween("", 1700000000, 1700000001, 60));
  EXPECT_TRUE(api::MayHaveStartedBetween("yesterday", 1700000000, 1700000001, 60));
}

}  // namespace
}  // namespace tcss
