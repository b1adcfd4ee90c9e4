// OpenVEX (issue 22, 3), the pure parts: purls, the parser's errors (file and JSON path), and
// which findings a statement suppresses.
#include <gtest/gtest.h>

#include "core/reports/purl.h"
#include "core/reports/triage.h"
#include "core/reports/vex.h"

namespace tcss {
namespace {

using reports::ApplyVex;
using reports::ParsePurl;
using reports::ParseVex;
using reports::VexStatement;

const std::string kDigest =
    "sha256:1111111111111111111111111111111111111111111111111111111111111111";
const std::string kImageId =
    "sha256:2222222222222222222222222222222222222222222222222222222222222222";

TEST(Purl, ParsesEveryPartAndDecodes) {
  auto p = ParsePurl(
      "pkg:oci/app@sha256%3Aabc?repository_url=ccr.ccs.tencentyun.com%2Facme%2Fapp&tag=1.0#sub");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->type, "oci");
  EXPECT_EQ(p->namespace_, "");
  EXPECT_EQ(p->name, "app");
  EXPECT_EQ(p->version, "sha256:abc");
  ASSERT_EQ(p->qualifiers.size(), 2U);
  EXPECT_EQ(p->qualifiers[0].second, "ccr.ccs.tencentyun.com/acme/app");
  auto deb = ParsePurl("pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64");
  ASSERT_TRUE(deb);
  EXPECT_EQ(deb->namespace_, "debian");
  EXPECT_EQ(deb->name, "libssl3");
  auto maven = ParsePurl("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1");
  ASSERT_TRUE(maven);
  EXPECT_EQ(maven->namespace_, "org.apache.logging.log4j");
  EXPECT_FALSE(ParsePurl("openssl"));
  EXPECT_FALSE(ParsePurl("pkg:oci"));
  EXPECT_FALSE(ParsePurl("pkg:oci/app@sha256%ZZ"));
}

TEST(Purl, OsPackagesTakeTheirTypeFromTheImagesOs) {
  EXPECT_EQ(reports::PackagePurl("SYSTEM", "debian", "libssl3", "3.0.11-1~deb12u2"),
            "pkg:deb/debian/libssl3@3.0.11-1~deb12u2");
  EXPECT_EQ(reports::PackagePurl("SYSTEM_COMPONENT", "Alpine Linux v3.19", "musl", "1.2.4"),
            "pkg:apk/alpine/musl@1.2.4");
  EXPECT_EQ(reports::PackagePurl("SYSTEM", "CentOS Linux 7", "openssl-libs", "1:1.0.2k"),
            "pkg:rpm/centos/openssl-libs@1%3A1.0.2k");
  // TCSS names no ecosystem for application packages, nor an unknown OS: no purl.
  EXPECT_EQ(reports::PackagePurl("APP", "debian", "lodash", "4.17.20"), "");
  EXPECT_EQ(reports::PackagePurl("SYSTEM", "", "openssl", "1"), "");
  EXPECT_EQ(reports::ImagePurl("ccr.ccs.tencentyun.com", "acme/app", kDigest),
            "pkg:oci/app@sha256%3A" + kDigest.substr(7) +
                "?repository_url=ccr.ccs.tencentyun.com%2Facme%2Fapp");
}

TEST(Rfc3339, OffsetsFractionsAndRejects) {
  EXPECT_EQ(reports::ParseRfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(reports::ParseRfc3339("2023-01-16T19:07:16.853479631-06:00"), 1673917636);
  EXPECT_EQ(reports::ParseRfc3339("2023-01-17T01:07:16Z"), 1673917636);
  EXPECT_FALSE(reports::ParseRfc3339("2023-01-17"));
  EXPECT_FALSE(reports::ParseRfc3339("2023-13-17T01:07:16Z"));
  EXPECT_FALSE(reports::ParseRfc3339("2023-01-17T01:07:16"));
  EXPECT_FALSE(reports::ParseRfc3339("2023-01-17T01:07:16Zjunk"));
}

std::string Doc(const std::string& statements, const std::string& extra = "") {
  return R"({"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://example.com/vex-1",)"
         R"("author":"Acme","timestamp":"2024-01-01T00:00:00Z","version":1,)" +
         extra + R"("statements":[)" + statements + "]}";
}

std::string Message(const std::string& text) {
  auto r = ParseVex("vex.json", text, 0);
  EXPECT_FALSE(r.ok());
  return r.ok() ? "" : r.error().message;
}

TEST(VexParse, ErrorsNameTheFileAndTheJsonPath) {
  EXPECT_NE(Message("{").find("VEX file vex.json: not JSON (line 1"), std::string::npos);
  EXPECT_NE(Message(R"({"bomFormat":"CycloneDX","specVersion":"1.6","vulnerabilities":[]})")
                .find("a CycloneDX document; tcss-scan reads OpenVEX documents"),
            std::string::npos);
  EXPECT_NE(Message(R"({"document":{"csaf_version":"2.0"}})").find("a CSAF document"),
            std::string::npos);
  EXPECT_NE(Message(R"({"statements":[]})").find("$[\"@context\"]: missing"), std::string::npos);
  EXPECT_NE(Message(R"({"@context":"https://example.com/x","statements":[]})")
                .find("is not an OpenVEX context"),
            std::string::npos);
  EXPECT_NE(Message(Doc("")).find("$.statements: empty"), std::string::npos);
  std::string ok = R"({"vulnerability":{"name":"CVE-1"},"products":[{"@id":"pkg:oci/app"}],)"
                   R"("status":"fixed"},)";
  EXPECT_NE(Message(Doc(ok + R"({"vulnerability":{"name":"CVE-2"},"status":"not affected"})"))
                .find("$.statements[1].status: \"not affected\" is not one of not_affected, "
                      "affected, fixed, under_investigation (did you mean not_affected?)"),
            std::string::npos);
  EXPECT_NE(Message(Doc(R"({"vulnerability":{"name":"CVE-2"},"status":"not_affected"})"))
                .find("$.statements[0]: status not_affected needs a justification or an "
                      "impact_statement"),
            std::string::npos);
  EXPECT_NE(Message(Doc(R"({"vulnerability":{"name":"CVE-2"},"status":"not_affected",)"
                        R"("justification":"because"})"))
                .find("$.statements[0].justification: \"because\" is not one of"),
            std::string::npos);
  EXPECT_NE(Message(Doc(R"({"vulnerability":{"@id":"x"},"status":"fixed"})"))
                .find("$.statements[0].vulnerability.name: missing"),
            std::string::npos);
  EXPECT_NE(Message(Doc(ok + R"({"vulnerability":{"name":"CVE-2"},"status":"fixed",)"
                             R"("products":[{"@id":"pkg:oci/app","subcomponents":[{"@id":7}]}]})"))
                .find("$.statements[1].products[0].subcomponents[0][\"@id\"]: must be a string"),
            std::string::npos);
  EXPECT_NE(Message(Doc(R"({"vulnerability":{"name":"CVE-2"},"status":"fixed",)"
                        R"("timestamp":"yesterday"})"))
                .find("$.statements[0].timestamp: \"yesterday\" is not an RFC 3339 date-time"),
            std::string::npos);
}

TEST(VexParse, ReadsV020AndV001AndToleratesAMissingId) {
  std::vector<std::string> warnings;
  auto v2 = ParseVex(
      "a.json",
      R"({"@context":"https://openvex.dev/ns/v0.2.0","author":"x","timestamp":"2024-01-01T00:00:00Z",)"
      R"("version":1,"statements":[{"vulnerability":{"name":"cve-2024-1","@id":"https://nvd.example/CVE-2024-1",)"
      R"("aliases":["GHSA-xxxx"]},"products":[{"@id":"pkg:oci/app","identifiers":{"purl":"pkg:oci/app?tag=1"},)"
      R"("hashes":{"sha-256":"ABC"},"subcomponents":[{"@id":"pkg:deb/debian/openssl"}]}],)"
      R"("status":"not_affected","justification":"vulnerable_code_not_present",)"
      R"("impact_statement":"never loaded"},)"
      R"({"vulnerability":{"name":"CVE-2024-2"},"status":"under_investigation"}]})",
      5, &warnings);
  ASSERT_TRUE(v2.ok()) << v2.error().message;
  ASSERT_EQ(v2->size(), 2U);
  const VexStatement& s = (*v2)[0];
  EXPECT_EQ(s.vulnerability, (std::vector<std::string>{
                                 "CVE-2024-1", "HTTPS://NVD.EXAMPLE/CVE-2024-1", "GHSA-XXXX"}));
  ASSERT_EQ(s.products.size(), 1U);
  EXPECT_EQ(s.products[0].ids,
            (std::vector<std::string>{"pkg:oci/app", "pkg:oci/app?tag=1", "sha256:abc"}));
  EXPECT_EQ(s.reason, "vulnerable_code_not_present: never loaded");
  EXPECT_EQ(s.order, 5U);
  EXPECT_EQ(s.timestamp, 1704067200);
  EXPECT_EQ((*v2)[1].order, 6U);
  ASSERT_EQ(warnings.size(), 1U);  // the second names no product
  EXPECT_NE(warnings[0].find("$.statements[1] names no product"), std::string::npos);

  auto v1 = ParseVex(
      "old.json",
      R"({"@context":"https://openvex.dev/ns","@id":"x","author":"y","timestamp":"2023-01-01T00:00:00Z",)"
      R"("statements":[{"vulnerability":"CVE-2023-1","products":["pkg:oci/app"],)"
      R"("subcomponents":["pkg:apk/alpine/musl"],"status":"fixed"}]})",
      0);
  ASSERT_TRUE(v1.ok()) << v1.error().message;
  EXPECT_EQ((*v1)[0].vulnerability, std::vector<std::string>{"CVE-2023-1"});
  ASSERT_EQ((*v1)[0].products.size(), 1U);
  EXPECT_EQ((*v1)[0].products[0].subcomponents.size(), 1U);
}

// Two images: a registry image known by tag and digest (Debian), a local one by its ID only.
Findings TwoImages() {
  Findings f;
  ImageFindings app;
  app.image_id = "101";
  app.reference = "ccr.ccs.tencentyun.com/acme/app:1.0";
  app.digest = kDigest;
  app.os_name = "debian";
  ImageFindings local;
  local.image_id = kImageId;
  local.reference = "nginx:1.25";
  f.images = {app, local};
  auto vuln = [](const std::string& image, const std::string& cve, const std::string& pkg,
                 const std::string& version) {
    VulnFinding v;
    v.image_id = image;
    v.cve_id = cve;
    v.component = pkg;
    v.version = version;
    v.component_type = "SYSTEM";
    v.level = 3;
    return v;
  };
  f.all = {vuln("101", "CVE-2024-1", "openssl", "3.0.1"), vuln("101", "CVE-2024-2", "zlib", "1.2"),
           vuln(kImageId, "CVE-2024-1", "openssl", "1.1"),
           vuln(kImageId, "CVE-2024-3", "curl", "8")};
  return f;
}

std::vector<VexStatement> Statements(const std::string& statements) {
  auto r = ParseVex("vex.json", Doc(statements), 0);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : std::vector<VexStatement>{};
}

std::string Statement(const std::string& cve, const std::string& products,
                      const std::string& status = "not_affected", const std::string& extra = "") {
  return R"({"vulnerability":{"name":")" + cve + R"("},"products":[)" + products +
         R"(],"status":")" + status + R"(")" +
         (status == "not_affected" ? R"(,"justification":"vulnerable_code_not_present")" : "") +
         extra + "}";
}

// Which of the four findings are suppressed, as a string of 0/1.
std::string Suppressed(const std::string& statements) {
  Findings f = TwoImages();
  ApplyVex(f, Statements(statements));
  std::string out;
  for (const auto& v : f.all) out += v.suppression.active() ? "1" : "0";
  return out;
}

TEST(VexApply, ProductsMatchByPurlDigestQualifiersAndReference) {
  const std::string d = "sha256%3A" + kDigest.substr(7);
  // A purl pinned to the digest, and one without a version (every version).
  EXPECT_EQ(Suppressed(Statement("CVE-2024-1", R"({"@id":"pkg:oci/app@)" + d + R"("})")), "1000");
  EXPECT_EQ(Suppressed(Statement("CVE-2024-1", R"({"@id":"pkg:oci/app"})")), "1000");
  EXPECT_EQ(Suppressed(Statement("CVE-2024-1", R"({"@id":"pkg:oci/nginx"})")), "0010");
  // Another digest, another name: nothing.
  EXPECT_EQ(Suppressed(Statement(
                "CVE-2024-1", R"({"@id":"pkg:oci/app@sha256%3A)" + std::string(64, '9') + R"("})")),
            "0000");
  EXPECT_EQ(Suppressed(Statement("CVE-2024-1", R"({"@id":"pkg:oci/web"})")), "0000");
  // Qualifiers must be the image's: repository_url (Docker Hub under its other names), tag;
  // arch is not compared; one TCSS cannot confirm fails.
  EXPECT_EQ(
      Suppressed(Statement(
          "CVE-2024-1",
          R"({"@id":"pkg:oci/app?repository_url=ccr.ccs.tencentyun.com%2Facme%2Fapp&tag=1.0&arch=amd64"})")),
      "1000");
  EXPECT_EQ(Suppressed(Statement("CVE-2024-1", R"({"@id":"pkg:oci/app?tag=2.0"})")), "0000");
  EXPECT_EQ(Suppressed(Statement("CVE-2024-1",
                                 R"({"@id":"pkg:oci/app?repository_url=other.example%2Fapp"})")),
            "0000");
  EXPECT_EQ(Suppressed(Statement(
                "CVE-2024-1",
                R"({"@id":"pkg:oci/nginx?repository_url=index.docker.io%2Flibrary%2Fnginx"})")),
            "0010");
  EXPECT_EQ(Suppressed(Statement("CVE-2024-1", R"({"@id":"pkg:oci/app?os=linux"})")), "0000");
  // The bare digest, the image ID, an image reference.
  EXPECT_EQ(Suppressed(Statement("CVE-2024-1", R"({"@id":")" + kDigest + R"("})")), "1000");
  EXPECT_EQ(Suppressed(Statement("CVE-2024-1", R"({"@id":")" + kImageId + R"("})")), "0010");
  EXPECT_EQ(Suppressed(Statement("CVE-2024-1", R"({"@id":"docker.io/library/nginx:1.25"})")),
            "0010");
  EXPECT_EQ(Suppressed(Statement("CVE-2024-1", R"({"@id":"pkg:generic/app"})")), "0000");
}

TEST(VexApply, VulnerabilitiesMatchByNameIdOrAliasAndStatusDecides) {
  EXPECT_EQ(Suppressed(R"({"vulnerability":{"name":"GHSA-1","aliases":["cve-2024-2"]},)"
                       R"("products":[{"@id":"pkg:oci/app"}],"status":"fixed"})"),
            "0100");
  EXPECT_EQ(Suppressed(Statement("CVE-2024-3", R"({"@id":"pkg:oci/nginx"})", "affected",
                                 R"(,"action_statement":"upgrade")")),
            "0000");
  EXPECT_EQ(
      Suppressed(Statement("CVE-2024-3", R"({"@id":"pkg:oci/nginx"})", "under_investigation")),
      "0000");
}

TEST(VexApply, SubcomponentsMatchThePackage) {
  // Debian image: the package's purl is built (pkg:deb/debian/openssl@3.0.1).
  EXPECT_EQ(
      Suppressed(Statement(
          "CVE-2024-1",
          R"({"@id":"pkg:oci/app","subcomponents":[{"@id":"pkg:deb/debian/openssl@3.0.1?arch=amd64"}]})")),
      "1000");
  EXPECT_EQ(
      Suppressed(Statement(
          "CVE-2024-1",
          R"({"@id":"pkg:oci/app","subcomponents":[{"@id":"pkg:deb/debian/openssl@3.0.2"}]})")),
      "0000");
  EXPECT_EQ(Suppressed(Statement(
                "CVE-2024-1",
                R"({"@id":"pkg:oci/app","subcomponents":[{"@id":"pkg:rpm/redhat/openssl"}]})")),
            "0000");
  // nginx: no OS known, so no purl: the name (and the version, when given) decides.
  EXPECT_EQ(
      Suppressed(Statement(
          "CVE-2024-1",
          R"({"@id":"pkg:oci/nginx","subcomponents":[{"@id":"pkg:deb/debian/openssl@1.1"}]})")),
      "0010");
  EXPECT_EQ(Suppressed(Statement(
                "CVE-2024-1",
                R"({"@id":"pkg:oci/nginx","subcomponents":[{"@id":"pkg:deb/debian/zlib"}]})")),
            "0000");
}

TEST(VexApply, TheLatestStatementWins) {
  const std::string fixed_then_affected =
      Statement("CVE-2024-1", R"({"@id":"pkg:oci/app"})", "fixed",
                R"(,"timestamp":"2024-02-01T00:00:00Z")") +
      "," +
      Statement("CVE-2024-1", R"({"@id":"pkg:oci/app"})", "affected",
                R"(,"action_statement":"upgrade","timestamp":"2024-03-01T00:00:00Z")");
  EXPECT_EQ(Suppressed(fixed_then_affected), "0000");
  const std::string affected_then_fixed_earlier =
      Statement("CVE-2024-1", R"({"@id":"pkg:oci/app"})", "affected",
                R"(,"action_statement":"upgrade","timestamp":"2024-03-01T00:00:00Z")") +
      "," +
      Statement("CVE-2024-1", R"({"@id":"pkg:oci/app"})", "fixed",
                R"(,"timestamp":"2024-02-01T00:00:00Z")");
  EXPECT_EQ(Suppressed(affected_then_fixed_earlier), "0000");
  // Same time: the later in the order given.
  EXPECT_EQ(Suppressed(Statement("CVE-2024-1", R"({"@id":"pkg:oci/app"})", "affected",
                                 R"(,"action_statement":"x")") +
                       "," + Statement("CVE-2024-1", R"({"@id":"pkg:oci/app"})", "fixed")),
            "1000");
}

TEST(VexApply, TriageCountsSuppressedApartFromIgnoredAndKeepsThemListed) {
  Findings f = TwoImages();
  f.images[0].high = 2;
  f.images[1].high = 2;
  reports::TriageOptions o;
  o.vex = Statements(Statement("CVE-2024-1", R"({"@id":"pkg:oci/app"})"));
  reports::Triage(f, o);
  EXPECT_EQ(f.totals.high, 3);
  EXPECT_EQ(f.totals.suppressed, 1);
  EXPECT_EQ(f.totals.ignored, 0);
  EXPECT_EQ(f.all.size(), 4U);
  const auto& v = f.all[0].suppression.active() ? f.all[0] : f.all[1];
  EXPECT_EQ(v.suppression.Describe(), "VEX not_affected: vulnerable_code_not_present (vex.json)");
}

}  // namespace
}  // namespace tcss
