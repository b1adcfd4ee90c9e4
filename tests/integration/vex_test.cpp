// OpenVEX through the real binaries (issue 22, 3): a document suppresses exactly the findings
// it matches, every output shows them as suppressed and the gate does not count them; a broken
// document is exit 4 before anything is sent.
#include <gtest/gtest.h>

#include "core/json.h"
#include "harness.h"

namespace tcss::it {
namespace {

const std::string kWeb = "ccr.ccs.tencentyun.com/demo/web:2.0";  // registry: 1 critical ...
const std::string kWebDigest =
    "sha256:1b31d8c7a3a09bfc5a0b1b3dd1c4d3a14b63fd7df4a4d4bfd6c5b1b1b7f1e3a1";

std::string Doc(const std::string& statements) {
  return R"({"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://example.com/vex/1",)"
         R"("author":"Acme","timestamp":"2024-05-01T00:00:00Z","version":1,"statements":[)" +
         statements + "]}";
}

class VexTest : public ::testing::Test {
 protected:
  TempDir home;
};

// The demo app image (Debian): 1 critical, 2 high, 3 medium, 4 low.
TEST_F(VexTest, SuppressesExactlyWhatItMatchesInEveryOutput) {
  Emulator emu({"--scan-seconds", "0.5"});
  home.Write(
      "a.openvex.json",
      Doc(R"({"vulnerability":{"name":"CVE-2024-3094"},)"
          R"("products":[{"@id":"pkg:oci/app?repository_url=ccr.ccs.tencentyun.com%2Fdemo%2Fapp"}],)"
          R"("status":"not_affected","justification":"vulnerable_code_not_in_execute_path"},)"
          // fixed, down to the package (a Debian package's purl)
          R"({"vulnerability":{"name":"GHSA-qppj-fm5r-hxr3","aliases":["CVE-2023-44487"]},)"
          R"("products":[{"@id":"pkg:oci/app","subcomponents":[{"@id":"pkg:deb/debian/nghttp2@1.51.0"}]}],)"
          R"("status":"fixed"},)"
          // another package: not this finding
          R"({"vulnerability":{"name":"CVE-2023-4911"},)"
          R"("products":[{"@id":"pkg:oci/app","subcomponents":[{"@id":"pkg:deb/debian/musl"}]}],)"
          R"("status":"fixed"},)"
          // another image
          R"({"vulnerability":{"name":"CVE-2023-5678"},"products":[{"@id":"pkg:oci/web"}],)"
          R"("status":"not_affected","impact_statement":"not used"})"));
  // A second document: CVE-2024-0727 affected, then (a later timestamp) fixed: the latest wins.
  home.Write(
      "b.openvex.json",
      Doc(R"({"vulnerability":{"name":"CVE-2024-0727"},"products":[{"@id":"pkg:oci/app"}],)"
          R"("status":"affected","action_statement":"upgrade","timestamp":"2024-06-01T00:00:00Z"},)"
          R"({"vulnerability":{"name":"CVE-2024-0727"},"products":[{"@id":"pkg:oci/app"}],)"
          R"("status":"fixed","timestamp":"2024-07-01T00:00:00Z"})"));
  Env env = ScanEnv(emu, home);
  AsGithubStep(env, home);
  env["TCSS_VEX"] = home.File("a.openvex.json") + "\n" + home.File("b.openvex.json") + "\n";
  auto r = RunProcess({ScanBin(), "--severity-threshold", "critical", "--sarif-file",
                       home.File("s.sarif"), "--junit-file", home.File("j.xml"), "--report-file",
                       home.File("gl.json"), "--findings-file", home.File("f.json"), kApp},
                      env);
  // The one critical is suppressed: the gate passes.
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("findings: 0 critical, 1 high, 2 medium, 4 low, 0 viruses, 0 risks; 3 "
                       "suppressed by VEX"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("suppressed critical CVE-2024-3094 (xz-utils): VEX not_affected: "
                       "vulnerable_code_not_in_execute_path (" +
                       home.File("a.openvex.json") + ")"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("suppressed high CVE-2023-44487 (nghttp2): VEX fixed"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("suppressed medium CVE-2024-0727 (openssl): VEX fixed"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("CVE-2023-4911 (glibc): VEX"), std::string::npos) << r.err;

  // The findings file: the same numbers, each suppression with its document.
  auto f = json::ParseObject(home.Read("f.json"));
  ASSERT_TRUE(f.ok());
  auto totals = (*f)->getObject("totals");
  EXPECT_EQ(totals->getValue<int>("critical"), 0);
  EXPECT_EQ(totals->getValue<int>("high"), 1);
  EXPECT_EQ(totals->getValue<int>("suppressed"), 3);
  int vex = 0;
  auto findings = (*f)->getArray("findings");
  for (size_t i = 0; i < findings->size(); ++i) {
    auto one = findings->getObject(static_cast<unsigned>(i));
    if (!one->has("suppression")) continue;
    auto s = one->getObject("suppression");
    EXPECT_EQ(s->getValue<std::string>("kind"), "vex");
    ++vex;
    if (one->getValue<std::string>("id") == "CVE-2024-3094") {
      EXPECT_EQ(s->getValue<std::string>("status"), "not_affected");
      EXPECT_EQ(s->getValue<std::string>("document"), home.File("a.openvex.json"));
    }
  }
  EXPECT_EQ(vex, 3);
  // SARIF: an external suppression on each of the three; JUnit: skipped; GitLab: described.
  std::string sarif = home.Read("s.sarif");
  EXPECT_EQ(CountOf(sarif, R"("kind":"external","status":"accepted","justification":"VEX )"), 3)
      << sarif;
  EXPECT_EQ(CountOf(home.Read("j.xml"), "<skipped message=\"VEX "), 3);
  EXPECT_EQ(CountOf(home.Read("gl.json"), "(VEX "), 3);
  std::string summary = home.Read("summary.md");
  EXPECT_NE(summary.find("Ignored or suppressed by VEX (0 ignored, 3 suppressed;"),
            std::string::npos)
      << summary;
}

TEST_F(VexTest, ARegistryImageIsMatchedByItsManifestDigest) {
  Emulator emu({"--scan-seconds", "0.5"});
  home.Write("v.json",
             Doc(R"({"vulnerability":{"name":"CVE-2024-6387"},"products":[{"@id":"pkg:oci/web@)" +
                 std::string("sha256%3A") + kWebDigest.substr(7) +
                 R"("}],"status":"not_affected","justification":"component_not_present"})"));
  Env env = ScanEnv(emu, home);
  auto r = RunProcess(
      {ScanBin(), "--vex", home.File("v.json"), "--severity-threshold", "critical", kWeb}, env);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("suppressed critical CVE-2024-6387 (openssh-server)"), std::string::npos)
      << r.err;
  // Another digest: nothing is suppressed, and the run says no statement matched.
  emu.Reset();
  home.Write(
      "v.json",
      Doc(R"({"vulnerability":{"name":"CVE-2024-6387"},"products":[{"@id":"pkg:oci/web@sha256%3A)" +
          std::string(64, '0') +
          R"("}],"status":"not_affected","justification":"component_not_present"})"));
  r = RunProcess(
      {ScanBin(), "--vex", home.File("v.json"), "--severity-threshold", "critical", kWeb}, env);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("no statement of the VEX document(s)"), std::string::npos) << r.err;
}

TEST_F(VexTest, ABrokenDocumentIsExit4WithNothingSent) {
  Emulator emu;
  Env env = ScanEnv(emu, home);
  home.Write("bad.json",
             Doc(R"({"vulnerability":{"name":"CVE-2024-3094"},"status":"not affected"})"));
  auto r = RunProcess({ScanBin(), "--vex", home.File("bad.json"), "--wait", kApp}, env);
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("VEX file " + home.File("bad.json") +
                       ": $.statements[0].status: \"not affected\" is not one of"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(emu.Actions().empty());
  // CycloneDX VEX is named and refused; a missing file is named.
  home.Write("cdx.json", R"({"bomFormat":"CycloneDX","specVersion":"1.6","vulnerabilities":[]})");
  r = RunProcess({ScanBin(), "--vex", home.File("cdx.json"), kApp}, env);
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("a CycloneDX document; tcss-scan reads OpenVEX"), std::string::npos)
      << r.err;
  r = RunProcess({ScanBin(), "--vex", home.File("missing.json"), kApp}, env);
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("cannot read the VEX file " + home.File("missing.json")), std::string::npos)
      << r.err;
  EXPECT_TRUE(emu.Actions().empty());
}

}  // namespace
}  // namespace tcss::it
