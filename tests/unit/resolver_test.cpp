// ResolveImages with a scripted transport and a fake clock: paging, exact matching after
// normalisation, polling while the agent has not reported the image.
#include <gtest/gtest.h>

#include <sstream>

#include "app/resolver.h"
#include "fakes.h"

namespace tcss {
namespace {

using testing::FakeClock;
using testing::FakeRandom;
using testing::RecordingTransport;

std::string Id(int n) {
  std::string hex = std::to_string(n);
  return "sha256:" + std::string(64 - hex.size(), 'a') + hex;
}

HttpResponse Page(int total, const std::vector<std::pair<std::string, std::string>>& items) {
  std::string list;
  for (const auto& [name, id] : items) {
    list += (list.empty() ? "" : ",") + std::string(R"({"ImageID":")") + id + R"(","ImageName":")" +
            name + R"("})";
  }
  return HttpResponse{200, R"({"Response":{"TotalCount":)" + std::to_string(total) +
                               R"(,"List":[)" + list + R"(],"RequestId":"r"}})"};
}

struct ResolverTest : ::testing::Test {
  FakeClock clock;
  FakeRandom random;
  RecordingTransport transport{&clock};
  std::ostringstream err;
  Logger log{err, LogLevel::kVerbose};
  ClientSettings settings = testing::TestSettings();
  ApiClient client{transport, clock, clock, random, log, settings};
  std::string Body(size_t i) { return transport.requests[i].body; }
};

TEST_F(ResolverTest, PagesAndMatchesExactlyAfterNormalisation) {
  std::vector<std::pair<std::string, std::string>> first;
  for (int i = 0; i < 100; ++i) first.push_back({"nginx:1.25-alpine" + std::to_string(i), Id(i)});
  transport.script = {Page(101, first), Page(101, {{"docker.io/library/nginx:1.25", Id(500)}})};
  transport.latency_ms = 0;
  auto r = ResolveImages(client, clock, clock, log, {"nginx:1.25"}, false, 60, 60000);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->images.size(), 1u);
  EXPECT_EQ(r->images[0].image_id, Id(500));
  EXPECT_TRUE(r->missing.empty());
  ASSERT_EQ(transport.requests.size(), 2u);
  // The familiar name is what TCSS shows; the second page starts at 100.
  EXPECT_EQ(
      Body(0),
      R"({"Limit":100,"Offset":0,"Filters":[{"Name":"ImageName","Values":["nginx:1.25"],"ExactMatch":false}]})");
  EXPECT_NE(Body(1).find(R"("Offset":100)"), std::string::npos);
  EXPECT_TRUE(clock.sleeps.empty());
}

TEST_F(ResolverTest, PollsUntilTheAgentReportsTheImageThenGivesUp) {
  transport.latency_ms = 0;
  transport.script = {Page(0, {}), Page(0, {}), Page(1, {{"reg.io/a/b:1", Id(7)}})};
  auto late = ResolveImages(client, clock, clock, log, {"reg.io/a/b:1", Id(9)}, false, 60, 60000);
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(clock.sleeps, (std::vector<int64_t>{2000, 4000}));
  ASSERT_EQ(late->images.size(), 2u);  // the image ID passes straight through
  EXPECT_EQ(late->images[0].image_id, Id(9));
  EXPECT_EQ(late->images[1].image_id, Id(7));

  clock.sleeps.clear();
  for (int i = 0; i < 20; ++i) transport.script.push_back(Page(0, {}));
  auto never = ResolveImages(client, clock, clock, log, {"reg.io/a/c:1"}, false, 15, 60000);
  ASSERT_TRUE(never.ok());
  EXPECT_EQ(never->missing, std::vector<std::string>{"reg.io/a/c:1"});
  int64_t waited = 0;
  for (auto s : clock.sleeps) waited += s;
  EXPECT_LE(waited, 15000);
}

TEST_F(ResolverTest, AskForFiftyNamesPerQueryAndScanEveryMatchingId) {
  transport.latency_ms = 0;
  std::vector<std::string> refs;
  for (int i = 0; i < 120; ++i) refs.push_back("reg.io/x/app-" + std::to_string(i) + ":1");
  // One answer per batch of names, as TCSS would give it.
  for (int b = 0; b < 120; b += 50) {
    std::vector<std::pair<std::string, std::string>> page;
    for (int i = b; i < std::min(b + 50, 120); ++i)
      page.push_back({refs[static_cast<size_t>(i)], Id(i)});
    if (b == 0) page.push_back({refs[0], Id(999)});  // the same tag on two images
    transport.script.push_back(Page(static_cast<int>(page.size()), page));
  }
  auto r = ResolveImages(client, clock, clock, log, refs, false, 0, 60000);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(transport.requests.size(), 3u);  // 50 + 50 + 20 names
  EXPECT_EQ(r->images.size(), 121u);
  EXPECT_NE(err.str().find("matches 2 image IDs"), std::string::npos);
}

}  // namespace
}  // namespace tcss
