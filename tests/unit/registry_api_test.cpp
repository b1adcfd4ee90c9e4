// Registry bodies and answers: matching by tag and digest, uint64 Ids and TaskIDs past 2^53,
// string levels and scores.
#include "core/registry_api.h"

#include <gtest/gtest.h>

#include "core/api.h"
#include "core/json.h"
#include "core/reports/model.h"

namespace tcss {
namespace {

namespace ra = registry_api;

ra::RegistryImage Entry(std::string repo, std::string tag, std::string digest = "") {
  ra::RegistryImage e;
  e.id = "1";
  e.repo_address = std::move(repo);
  e.tag = std::move(tag);
  e.digest = std::move(digest);
  return e;
}

TEST(RegistryMatch, TagsDigestsDockerHubAndPorts) {
  auto ref = [](const char* s) { return *ParseImageRef(s); };
  const std::string d = "sha256:" + std::string(64, 'a');
  EXPECT_TRUE(ra::Matches(ref("ccr.ccs.tencentyun.com/csip/ollama:latest"),
                          Entry("ccr.ccs.tencentyun.com/csip/ollama", "latest")));
  EXPECT_TRUE(ra::Matches(ref("ccr.ccs.tencentyun.com/csip/ollama"),
                          Entry("ccr.ccs.tencentyun.com/csip/ollama", "latest")));
  EXPECT_FALSE(ra::Matches(ref("ccr.ccs.tencentyun.com/csip/ollama:1"),
                           Entry("ccr.ccs.tencentyun.com/csip/ollama", "latest")));
  EXPECT_FALSE(ra::Matches(ref("ccr.ccs.tencentyun.com/other/ollama:latest"),
                           Entry("ccr.ccs.tencentyun.com/csip/ollama", "latest")));
  EXPECT_TRUE(ra::Matches(ref("nginx:1.25"), Entry("docker.io/library/nginx", "1.25")));
  EXPECT_TRUE(ra::Matches(ref("docker.io/library/nginx:1.25"), Entry("nginx", "1.25")));
  EXPECT_TRUE(
      ra::Matches(ref("harbor.local:8443/team/app:1"), Entry("harbor.local:8443/team/app", "1")));
  EXPECT_FALSE(
      ra::Matches(ref("harbor.local/team/app:1"), Entry("harbor.local:8443/team/app", "1")));
  // A digest reference names the manifest, whatever the tag.
  EXPECT_TRUE(ra::Matches(ref(("ccr.ccs.tencentyun.com/a/b@" + d).c_str()),
                          Entry("ccr.ccs.tencentyun.com/a/b", "x", d)));
  EXPECT_FALSE(ra::Matches(ref(("ccr.ccs.tencentyun.com/a/b@" + d).c_str()),
                           Entry("ccr.ccs.tencentyun.com/a/c", "x", d)));
  EXPECT_FALSE(
      ra::Matches(ref(("ccr.ccs.tencentyun.com/a/b@" + d).c_str()),
                  Entry("ccr.ccs.tencentyun.com/a/b", "x", "sha256:" + std::string(64, 'b'))));
  EXPECT_EQ(ra::NameFilterValue(ref("ccr.ccs.tencentyun.com/csip/ollama:1")), "ollama");
}

TEST(RegistryApi, Uint64IdsAndTaskIdsKeepEveryDigit) {
  auto resp = json::ParseObject(
      R"({"List":[{"Id":18446744073709551615,"ImageRepoAddress":"r.io/a/b","ImageTag":"1"}],"TotalCount":1,"TaskID":9007199254740993,"RequestId":"r"})");
  ASSERT_TRUE(resp.ok());
  auto page = ra::ParseList(*resp);
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_EQ(page->images[0].id, "18446744073709551615");
  auto created = ra::ParseCreate(*resp);
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->task_id, "9007199254740993");
  EXPECT_EQ(ra::StatusBody("9007199254740993"), R"({"TaskID":9007199254740993})");
  EXPECT_TRUE(ra::IsRegistryTaskId("18446744073709551615"));
  EXPECT_FALSE(ra::IsRegistryTaskId("18446744073709551616"));
  EXPECT_FALSE(ra::IsRegistryTaskId("6013a6c334b9a9000cf519be"));
  for (const char* bad : {R"({"TaskID":-1})", R"({"TaskID":1.5})", R"({"TaskID":true})",
                          R"({"TaskID":"abc"})", R"({"TaskID":1e30})"}) {
    auto o = json::ParseObject(bad);
    ASSERT_TRUE(o.ok()) << bad;
    EXPECT_FALSE(ra::ParseCreate(*o).ok()) << bad;
  }
  // Hardening III, 4: an entry whose Id is unusable is left out (with a reason), not read as
  // another number, and does not hide the others.
  auto mixed = json::ParseObject(
      R"({"List":[{"Id":-5},{"Id":18446744073709551617,"ImageRepoAddress":"r.io/a/b","ImageTag":"2"},)"
      R"({"Id":"7"},{"Id":42,"ImageRepoAddress":"r.io/a/b","ImageTag":"1"}],"TotalCount":4})");
  ASSERT_TRUE(mixed.ok());
  auto kept = ra::ParseList(*mixed);
  ASSERT_TRUE(kept.ok());
  ASSERT_EQ(kept->images.size(), 1u);
  EXPECT_EQ(kept->images[0].id, "42");
  ASSERT_EQ(kept->skipped.size(), 3u);
  EXPECT_NE(kept->skipped[1].find("entry 2 of the registry list (r.io/a/b:2)"), std::string::npos)
      << kept->skipped[1];
}

TEST(RegistryApi, AnIdBeyondUint64IsAnInvalidAnswerNeverAnotherNumber) {
  for (const char* body : {R"({"TaskID":18446744073709551616,"RequestId":"r"})",
                           R"({"TaskID":18446744073709551617,"RequestId":"r"})",
                           R"({"TaskID":-9223372036854775809,"RequestId":"r"})",
                           R"({"TaskID":"0123","RequestId":"r"})"}) {
    auto o = json::ParseObject(body);
    ASSERT_TRUE(o.ok()) << body;
    auto created = ra::ParseCreate(*o);
    EXPECT_FALSE(created.ok()) << body << " -> " << (created.ok() ? created->task_id : "");
  }
  EXPECT_FALSE(ra::IsRegistryTaskId("0123"));
  EXPECT_TRUE(ra::IsRegistryTaskId("0"));
  // A local TaskID sent as a number keeps every digit, also past 2^53.
  auto local = json::ParseObject(R"({"TaskID":9007199254740993,"RequestId":"r"})");
  ASSERT_TRUE(local.ok());
  auto task = api::ParseCreateTask(*local);
  ASSERT_TRUE(task.ok()) << task.error().message;
  EXPECT_EQ(task->task_id, "9007199254740993");
  auto wrapped = json::ParseObject(R"({"TaskID":18446744073709551616,"RequestId":"r"})");
  EXPECT_FALSE(api::ParseCreateTask(*wrapped).ok());
}

TEST(RegistryApi, BodiesAsTheSdkModelsTypeThem) {
  Config c;
  EXPECT_EQ(ra::CreateBody(c, {"110207177", "9007199254740993"}),
            R"({"Id":[110207177,9007199254740993],"ScanType":["CVE","VIRUS","RISK"]})");
  c.scan_virus = false;
  c.scan_risk = false;
  c.all = true;
  c.exclude_image_ids = {"42", "sha256:" + std::string(64, 'a')};
  EXPECT_EQ(ra::CreateBody(c, {}), R"({"All":true,"ScanType":["CVE"],"ExcludeImageList":[42]})");
  EXPECT_EQ(
      ra::ListBody({"ollama"}, 100, 200),
      R"({"Limit":100,"Offset":200,"Filters":[{"Name":"ImageName","Values":["ollama"],"ExactMatch":true}]})");
  EXPECT_EQ(ra::ListBody({}, 100, 0), R"({"Limit":100,"Offset":0})");
  EXPECT_EQ(ra::VulListBody("7", 20, 40), R"({"Id":7,"Limit":20,"Offset":40})");
}

TEST(RegistryApi, StringLevelsAndScores) {
  auto resp = json::ParseObject(
      R"({"List":[{"CVEID":"CVE-1","Level":"4","CvssScore":"9.8","Component":"c","Version":"1"},{"CVEID":"X","Level":"high","CvssScore":"n/a"}],"RequestId":"r"})");
  auto v = ra::ParseVulList(*resp, "7");
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ((*v)[0].level, 4);
  EXPECT_DOUBLE_EQ((*v)[0].cvss, 9.8);
  EXPECT_EQ((*v)[1].level, 0);  // unknown, never guessed
  EXPECT_DOUBLE_EQ((*v)[1].cvss, 0);
  EXPECT_TRUE(ra::IsFinishedStatus("END"));
  EXPECT_TRUE(ra::IsFinishedStatus("SCANNED"));
  EXPECT_FALSE(ra::IsFinishedStatus("SCAN_TIMEOUT"));
}

// Issue 22: both lists' shapes; a level off the scale is kept (at high) with a warning naming
// the image, never dropped; a wrongly typed field is a protocol error.
TEST(ThreatLists, BothShapesEveryLevelAndNothingDropped) {
  EXPECT_EQ(api::ThreatLevel("4"), 4);
  EXPECT_EQ(api::ThreatLevel("HIGH"), 3);
  EXPECT_EQ(api::ThreatLevel("严重"), 4);
  EXPECT_EQ(api::ThreatLevel("中危"), 2);
  EXPECT_EQ(api::ThreatLevel("5"), 0);
  auto local = json::ParseObject(
      R"({"List":[{"Path":"/a","RiskLevel":4,"VirusName":"X","Md5":"ABCDEF0123456789ABCDEF0123456789"},)"
      R"({"Path":"/b","RiskLevel":9,"VirusName":"Y"}],"TotalCount":2,"RequestId":"r"})");
  ASSERT_TRUE(local.ok());
  std::vector<std::string> warnings;
  auto v =
      api::ParseThreatList(*local, "sha256:img", true, "DescribeAssetImageVirusList", &warnings);
  ASSERT_TRUE(v.ok()) << v.error().message;
  ASSERT_EQ(v->entries.size(), 2u);
  EXPECT_EQ(v->entries[0].level, 4);
  EXPECT_EQ(v->entries[0].md5, "abcdef0123456789abcdef0123456789");
  EXPECT_EQ(reports::ThreatId(v->entries[0]), "md5:abcdef0123456789abcdef0123456789");
  EXPECT_EQ(v->entries[1].level, 3);
  EXPECT_EQ(reports::ThreatId(v->entries[1]).rfind("TCSS-VIRUS-", 0), 0u);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0],
            "virus of sha256:img: level \"9\" is not on the 1-4 scale; reported as high");
  auto registry = json::ParseObject(
      R"({"List":[{"Behavior":2,"Type":1,"Level":"CRITICAL","Desc":"key","InstructionContent":"rm"}],"TotalCount":1,"RequestId":"r"})");
  auto risk = api::ParseThreatList(*registry, "42", false, "DescribeAssetImageRegistryRiskInfoList",
                                   nullptr);
  ASSERT_TRUE(risk.ok());
  EXPECT_EQ(risk->entries[0].name, "sensitive risk (type 1, behaviour 2)");
  EXPECT_EQ(risk->entries[0].level, 4);
  EXPECT_EQ(reports::ThreatId(risk->entries[0]).rfind("TCSS-RISK-", 0), 0u);
  EXPECT_TRUE(reports::IsFindingId(reports::ThreatId(risk->entries[0])));
  auto bad = json::ParseObject(R"({"List":[{"Level":[1]}],"RequestId":"r"})");
  EXPECT_FALSE(api::ParseThreatList(*bad, "42", false, "X", nullptr).ok());
}
}  // namespace
}  // namespace tcss
