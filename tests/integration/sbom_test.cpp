// The SBOM and the cosign predicate through the real binaries (issue 22, 4 and 5): the SBOM lists
// every package TCSS knows of the image (DescribeImageComponentList), each vulnerability points
// at a package of the SBOM, VEX shows as the vulnerability's analysis; the predicate carries the
// findings document and the run that made it.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

#include "core/json.h"
#include "harness.h"

namespace tcss::it {
namespace {

const std::string kWeb = "ccr.ccs.tencentyun.com/demo/web:2.0";

class SbomTest : public ::testing::Test {
 protected:
  TempDir home;
};

Poco::JSON::Object::Ptr ReadJson(const TempDir& home, const std::string& name) {
  auto o = json::ParseObject(home.Read(name));
  EXPECT_TRUE(o.ok()) << home.Read(name);
  return o.ok() ? *o : Poco::JSON::Object::Ptr(new Poco::JSON::Object);
}

std::string Text(const Poco::JSON::Object::Ptr& o) {
  std::ostringstream out;
  o->stringify(out);
  return out.str();
}

std::string Property(const Poco::JSON::Object::Ptr& c, const std::string& name) {
  auto props = c->getArray("properties");
  for (size_t i = 0; props && i < props->size(); ++i) {
    auto p = props->getObject(static_cast<unsigned>(i));
    if (p->getValue<std::string>("name") == name) return p->getValue<std::string>("value");
  }
  return "";
}

TEST_F(SbomTest, EveryPackageAndEveryVulnerabilityOfALocalImage) {
  Emulator emu({"--scan-seconds", "0.5"});
  home.Write("v.json",
             R"({"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://example.com/vex/1",)"
             R"("author":"Acme","timestamp":"2024-05-01T00:00:00Z","version":1,"statements":[)"
             R"({"vulnerability":{"name":"CVE-2024-3094"},"products":[{"@id":"pkg:oci/app"}],)"
             R"("status":"not_affected","justification":"vulnerable_code_not_in_execute_path"}]})");
  Env env = ScanEnv(emu, home);
  AsGithubStep(env, home);
  env["GITHUB_SERVER_URL"] = "https://github.com";
  env["GITHUB_REPOSITORY"] = "acme/app";
  env["GITHUB_RUN_ID"] = "4242";
  auto r = RunProcess(
      {ScanBin(), "--vex", home.File("v.json"), "--sbom-file", home.File("app.cdx.json"),
       "--cosign-vuln-file", home.File("vuln.json"), "--findings-file", home.File("f.json"), kApp},
      env);
  ASSERT_EQ(r.exit_code, 0) << r.err;  // the SBOM implies --wait; no gate was asked for
  EXPECT_EQ(Count(emu.Actions(), "DescribeImageComponentList"), 1);

  auto bom = ReadJson(home, "app.cdx.json");
  EXPECT_EQ(bom->getValue<std::string>("bomFormat"), "CycloneDX");
  EXPECT_EQ(bom->getValue<std::string>("specVersion"), "1.6");
  EXPECT_EQ(bom->getValue<std::string>("serialNumber").rfind("urn:uuid:", 0), 0u);
  std::map<std::string, Poco::JSON::Object::Ptr> by_ref;
  std::set<std::string> purls;
  auto components = bom->getArray("components");
  ASSERT_TRUE(components);
  for (size_t i = 0; i < components->size(); ++i) {
    auto c = components->getObject(static_cast<unsigned>(i));
    by_ref[c->getValue<std::string>("bom-ref")] = c;
    if (c->has("purl")) purls.insert(c->getValue<std::string>("purl"));
  }
  // One container and the 11 packages TCSS lists (the 9 with vulnerabilities, bash, coreutils).
  EXPECT_EQ(components->size(), 12u);
  auto image = components->getObject(0);
  EXPECT_EQ(image->getValue<std::string>("type"), "container");
  EXPECT_EQ(image->getValue<std::string>("name"), "ccr.ccs.tencentyun.com/demo/app");
  EXPECT_EQ(image->getValue<std::string>("version"), "1.0");
  EXPECT_EQ(image->getValue<std::string>("purl"),
            "pkg:oci/app?repository_url=ccr.ccs.tencentyun.com%2Fdemo%2Fapp");
  EXPECT_EQ(Property(image, "tcss:osName"), "debian");
  EXPECT_TRUE(purls.count("pkg:deb/debian/bash@5.2.15-2%2Bb2")) << home.Read("app.cdx.json");
  EXPECT_TRUE(purls.count("pkg:deb/debian/xz-utils@5.6.0"));
  EXPECT_TRUE(purls.count("pkg:deb/debian/openssl@3.0.11"));
  // Every vulnerability affects a package of the SBOM; the VEX statement is its analysis.
  auto vulns = bom->getArray("vulnerabilities");
  ASSERT_TRUE(vulns);
  EXPECT_EQ(vulns->size(), 10u);
  int analysed = 0;
  for (size_t i = 0; i < vulns->size(); ++i) {
    auto v = vulns->getObject(static_cast<unsigned>(i));
    std::string ref = v->getArray("affects")->getObject(0)->getValue<std::string>("ref");
    ASSERT_TRUE(by_ref.count(ref)) << ref;
    EXPECT_EQ(by_ref[ref]->getValue<std::string>("type"), "library");
    if (v->getValue<std::string>("id") == "CVE-2024-3094") {
      EXPECT_EQ(by_ref[ref]->getValue<std::string>("name"), "xz-utils");
      auto a = v->getObject("analysis");
      ASSERT_TRUE(a);
      EXPECT_EQ(a->getValue<std::string>("state"), "not_affected");
      EXPECT_EQ(a->getValue<std::string>("justification"), "code_not_reachable");
      ++analysed;
    } else {
      EXPECT_FALSE(v->has("analysis"));
    }
  }
  EXPECT_EQ(analysed, 1);

  // The predicate: the run that made it, and the findings document as its result.
  auto p = ReadJson(home, "vuln.json");
  auto inv = p->getObject("invocation");
  ASSERT_TRUE(inv);
  EXPECT_EQ(inv->getValue<std::string>("uri"), "https://github.com/acme/app/actions/runs/4242");
  EXPECT_EQ(inv->getValue<std::string>("event_id"), "4242");
  EXPECT_EQ(inv->getArray("parameters")->getElement<std::string>(0), kApp);
  auto scanner = p->getObject("scanner");
  EXPECT_EQ(scanner->getObject("db")->getValue<std::string>("uri"), emu.url());
  auto result = scanner->getObject("result");
  auto findings = ReadJson(home, "f.json");
  EXPECT_EQ(Text(result), Text(findings));
  auto meta = p->getObject("metadata");
  EXPECT_EQ(meta->getValue<std::string>("scanFinishedOn").back(), 'Z');
  EXPECT_LE(meta->getValue<std::string>("scanStartedOn"),
            meta->getValue<std::string>("scanFinishedOn"));
}

TEST_F(SbomTest, ARegistryImageHasItsDigestAndThePackagesOfItsVulnerabilities) {
  Emulator emu({"--scan-seconds", "0.5"});
  Env env = ScanEnv(emu, home);
  auto r = RunProcess({ScanBin(), "--sbom-file", home.File("web.cdx.json"), kWeb}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Count(emu.Actions(), "DescribeImageComponentList"), 0);  // a local-only action
  auto bom = ReadJson(home, "web.cdx.json");
  auto components = bom->getArray("components");
  ASSERT_TRUE(components && components->size() > 1) << home.Read("web.cdx.json");
  auto image = components->getObject(0);
  EXPECT_EQ(image->getValue<std::string>("name"), "ccr.ccs.tencentyun.com/demo/web");
  EXPECT_NE(image->getValue<std::string>("purl").find("pkg:oci/web@sha256%3A"), std::string::npos)
      << image->getValue<std::string>("purl");
  std::set<std::string> refs;
  for (size_t i = 1; i < components->size(); ++i) {
    auto c = components->getObject(static_cast<unsigned>(i));
    EXPECT_EQ(c->getValue<std::string>("type"), "library");
    refs.insert(c->getValue<std::string>("bom-ref"));
  }
  auto vulns = bom->getArray("vulnerabilities");
  ASSERT_TRUE(vulns && vulns->size() > 0);
  for (size_t i = 0; i < vulns->size(); ++i) {
    auto ref = vulns->getObject(static_cast<unsigned>(i))
                   ->getArray("affects")
                   ->getObject(0)
                   ->getValue<std::string>("ref");
    EXPECT_TRUE(refs.count(ref)) << ref;
  }
}

TEST_F(SbomTest, AnUnwritablePathIsRefusedBeforeAnythingIsSent) {
  Emulator emu;
  Env env = ScanEnv(emu, home);
  auto r =
      RunProcess({ScanBin(), "--cosign-vuln-file", home.File("no/such/dir/vuln.json"), kApp}, env);
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("--cosign-vuln-file"), std::string::npos) << r.err;
  EXPECT_TRUE(emu.Actions().empty());
}

}  // namespace
}  // namespace tcss::it
