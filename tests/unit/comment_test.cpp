// The pure parts of issue 23: matching against a baseline, the baseline file, and the comment's
// marker, body and the forges' answers.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/reports/baseline.h"
#include "core/reports/comment.h"
#include "core/reports/triage.h"

namespace tcss::reports {
namespace {

VulnFinding Vuln(const std::string& cve, const std::string& package, const std::string& version,
                 int64_t level) {
  VulnFinding v;
  v.image_id = "sha256:" + std::string(64, 'a');
  v.cve_id = cve;
  v.name = cve;
  v.component = package;
  v.version = version;
  v.level = level;
  v.fixed_versions = "9";
  return v;
}

Findings TwoHighs() {
  Findings f;
  ImageFindings img;
  img.image_id = "sha256:" + std::string(64, 'a');
  img.reference = "r.io/app:pr";
  img.high = 2;
  f.images.push_back(img);
  f.all = {Vuln("CVE-1", "liba", "2.0", 3), Vuln("CVE-2", "libb", "1.0", 3)};
  return f;
}

TEST(Baseline, SameIdAndPackageIsUnchangedWhateverTheVersion) {
  Findings f = TwoHighs();
  Baseline b;
  b.kind = "image";
  b.reference = "r.io/app:main";
  b.findings = {{"vulnerability", "CVE-1", "liba", "1.0", "CVE-1", 3},      // older version: same
                {"vulnerability", "CVE-2", "libother", "1.0", "CVE-2", 3},  // other package: new
                {"vulnerability", "CVE-9", "libz", "1.0", "CVE-9", 2}};     // gone: fixed
  f.baseline = b;
  Triage(f, {});
  EXPECT_EQ(f.totals.high, 2);
  EXPECT_EQ(f.totals.new_high, 1);
  ASSERT_EQ(f.baseline->fixed.size(), 2u);  // CVE-2 in libother and CVE-9
  EXPECT_EQ(f.baseline->fixed[1].id, "CVE-9");
  for (const auto& v : f.all)
    EXPECT_EQ(v.state, v.cve_id == "CVE-1" ? BaselineState::kUnchanged : BaselineState::kNew);
}

TEST(Baseline, AMissingOneMakesEveryFindingNew) {
  Findings f = TwoHighs();
  Baseline b;
  b.kind = "file";
  b.missing = "there is no file x";
  b.findings = {{"vulnerability", "CVE-1", "liba", "1.0", "CVE-1", 3}};
  f.baseline = b;
  Triage(f, {});
  EXPECT_EQ(f.totals.new_high, 2);
  EXPECT_TRUE(f.baseline->fixed.empty());
}

TEST(Baseline, FileRefusedWithTheJsonPath) {
  auto wrong = ParseBaselineFile("b.json", R"({"schemaVersion":"7","complete":true})");
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message.find("b.json: $.schemaVersion: \"7\""), std::string::npos);
  auto kind = ParseBaselineFile(
      "b.json", R"({"schemaVersion":"1","complete":true,"findings":[{"kind":"x","id":"a"}]})");
  ASSERT_FALSE(kind.ok());
  EXPECT_NE(kind.error().message.find("$.findings[0].kind"), std::string::npos);
  auto incomplete = ParseBaselineFile(
      "b.json", R"({"schemaVersion":"1","complete":false,"incompleteReason":"no wait"})");
  ASSERT_TRUE(incomplete.ok());
  EXPECT_FALSE(incomplete->available());
  EXPECT_NE(incomplete->missing.find("no wait"), std::string::npos);
}

TEST(Comment, MarkerIsPerJobAndImageSetInAnyOrder) {
  const std::string a = CommentMarker("acme/app", "ci/scan", {"r/a:1", "r/b:1"});
  EXPECT_EQ(a, CommentMarker("acme/app", "ci/scan", {"r/b:1", "r/a:1"}));
  EXPECT_NE(a, CommentMarker("acme/app", "ci/scan", {"r/a:1"}));
  EXPECT_NE(a, CommentMarker("acme/app", "ci/other", {"r/a:1", "r/b:1"}));
  EXPECT_EQ(a.rfind("<!-- tcss-scan:", 0), 0u);
  EXPECT_EQ(a.size(), std::string("<!-- tcss-scan: -->").size() + 16);
}

TEST(Comment, BodyListsWhatFailsTheGateAndStaysWithinTheLimit) {
  RunReport r;
  r.task_id = "t-1";
  r.threshold = "high";
  r.gate = "600 high (threshold: high)";
  Findings f = TwoHighs();
  f.all.clear();
  for (int i = 0; i < 600; ++i)
    f.all.push_back(Vuln("CVE-2024-" + std::to_string(1000 + i), "pkg`<b>x</b>", "1", 3));
  f.triaged = true;
  f.totals.high = 600;
  r.findings = f;
  const std::string marker = CommentMarker("o/r", "j", {"r.io/app:pr"});
  std::string body = CommentBody(r, marker, "https://ci.example/run/1");
  EXPECT_EQ(body.rfind(marker, 0), 0u);
  EXPECT_EQ(std::count(body.begin(), body.end(), '\n') > 30, true);
  EXPECT_NE(body.find("… and 570 more"), std::string::npos) << body;
  EXPECT_NE(body.find("Scan task `t-1` · [the run](https://ci.example/run/1)"), std::string::npos);
  // Server text is inert: a code span (its backtick replaced), never HTML or a link.
  EXPECT_NE(body.find("| `pkg'<b>x</b>` |"), std::string::npos) << body;
  // Cut with a note, the marker kept.
  std::string small = CommentBody(r, marker, "", 2000);
  EXPECT_LE(small.size(), 2000u);
  EXPECT_EQ(small.rfind(marker, 0), 0u);
  EXPECT_NE(small.find("cut here"), std::string::npos);
}

TEST(Comment, ForgeAnswers) {
  auto gh = ParseComments(
      R"([{"id":1,"body":"hi","user":{"login":"a"}},{"id":12345678901,"body":"x","user":{"login":"github-actions[bot]"}},{"id":"bad"}])",
      false);
  ASSERT_TRUE(gh.ok());
  ASSERT_EQ(gh->size(), 2u);
  EXPECT_EQ((*gh)[1].id, "12345678901");
  EXPECT_EQ((*gh)[1].author, "github-actions[bot]");
  auto gl = ParseComments(
      R"([{"id":7,"body":"b","author":{"username":"bot"},"system":false},{"id":8,"body":"added 1 commit","author":{"username":"bot"},"system":true}])",
      true);
  ASSERT_TRUE(gl.ok());
  ASSERT_EQ(gl->size(), 1u);
  EXPECT_EQ((*gl)[0].id, "7");
  EXPECT_FALSE(ParseComments("{}", false).ok());
  EXPECT_EQ(*ParseLogin(R"({"login":"octo"})", false), "octo");
  EXPECT_EQ(*ParseLogin(R"({"username":"bot"})", true), "bot");
  EXPECT_EQ(*ParseCommentId(R"({"id":42,"body":""})"), "42");
  // GraphQL's viewer: the login an installation token's comments carry; errors are no login.
  EXPECT_EQ(*ParseViewerLogin(R"({"data":{"viewer":{"login":"tcss-ci[bot]"}}})"), "tcss-ci[bot]");
  EXPECT_FALSE(
      ParseViewerLogin(
          R"({"data":null,"errors":[{"message":"Resource not accessible by integration"}]})")
          .ok());
  EXPECT_FALSE(ParseViewerLogin(R"({"data":{"viewer":{"login":""}}})").ok());
  EXPECT_FALSE(ParseViewerLogin("[]").ok());
  EXPECT_EQ(GraphqlPath(""), "/graphql");
  EXPECT_EQ(GraphqlPath("/api/v3"), "/api/graphql");
  EXPECT_EQ(GraphqlPath("/github/api/v3"), "/github/api/graphql");
  EXPECT_EQ(GraphqlPath("/proxy"), "/proxy/graphql");
  EXPECT_EQ(
      NextLink(
          R"(<https://api.github.com/r?page=2>; rel="next", <https://api.github.com/r?page=5>; rel="last")"),
      "https://api.github.com/r?page=2");
  EXPECT_EQ(NextLink(R"(<https://api.github.com/r?page=1>; rel="prev")"), "");
  EXPECT_EQ(NextLink(""), "");
}

}  // namespace
}  // namespace tcss::reports
