// Findings people act on (issue 11), the pure parts: the ignore file, triage (one severity per
// finding, ignores, --ignore-unfixed, re-tallied counts), SARIF and JUnit against golden files.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "base/glob.h"
#include "core/json.h"
#include "core/policy.h"
#include "core/reports/gitlab.h"
#include "core/reports/ignore.h"
#include "core/reports/junit.h"
#include "core/reports/model.h"
#include "core/reports/sarif.h"
#include "core/reports/triage.h"
#include "core/text.h"

namespace tcss {
namespace {

using reports::IgnoreRule;

// Compares with tests/unit/golden/NAME; TCSS_UPDATE_GOLDEN=1 rewrites the file instead (then
// review the diff before committing it). The version and the home (project.env) stand there as
// @VERSION@ and @HOME_URL@, so that a release changes no golden file.
void ExpectGolden(const std::string& name, std::string text) {
  text = text::ReplaceAll(text::ReplaceAll(text, "\"" TCSS_VERSION "\"", "\"@VERSION@\""),
                          TCSS_HOME_URL, "@HOME_URL@");
  const std::string path = std::string(TCSS_GOLDEN_DIR) + "/" + name;
  const char* update = std::getenv("TCSS_UPDATE_GOLDEN");
  if (update != nullptr && *update != '\0') {
    std::ofstream(path, std::ios::binary) << text;
    return;
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(text, ss.str()) << "golden file " << name;
}

const std::string kApp = "sha256:" + std::string(64, 'a');
const std::string kWeb = "sha256:" + std::string(64, 'b');

VulnFinding V(const std::string& image, const std::string& cve, int64_t level, double cvss,
              const std::string& fixed, const std::string& component = "openssl") {
  VulnFinding v;
  v.image_id = image;
  v.cve_id = cve;
  v.name = cve + " in " + component;
  v.component = component;
  v.version = "1.0";
  v.fixed_versions = fixed;
  v.level = level;
  v.cvss = cvss;
  return v;
}

// Two images; the app's list adds up to its counts (1 critical, 1 high, 1 medium, 1 low).
Findings Sample() {
  Findings f;
  ImageFindings app{kApp, "ccr.ccs.tencentyun.com/acme/app:1.0", "SCANNED", 1, 1, 1, 1, 0, 0};
  ImageFindings web{kWeb, "nginx:1.25", "SCANNED", 0, 1, 0, 0, 0, 0};
  f.images = {app, web};
  f.all = {V(kApp, "CVE-2024-0001", 4, 9.8, "1.1"), V(kApp, "CVE-2024-0002", 3, 7.5, ""),
           V(kApp, "CVE-2024-0003", 2, 5.0, "1.2", "zlib"),
           V(kApp, "CVE-2024-0004", 1, 2.0, "1.3", "zlib"), V(kWeb, "CVE-2024-0002", 3, 7.5, "")};
  f.totals = {"", "", "", 1, 2, 1, 1, 0, 0};
  return f;
}

TEST(IgnoreFile, ReadsTrivysFormatAndOurs) {
  auto rules = reports::ParseIgnoreFile(
      ".tcss-scan-ignore",
      "\xEF\xBB\xBF# no fix upstream; not reachable\n"
      "CVE-2024-0002\n"
      "\n"
      "CVE-2024-0001 exp:2030-01-31 image:ccr.ccs.tencentyun.com/acme/*  # vendor patch soon\n"
      "GHSA-xxxx-yyyy\texp:2020-01-01\n");
  ASSERT_TRUE(rules.ok()) << rules.error().message;
  ASSERT_EQ(rules->size(), 3u);
  EXPECT_EQ((*rules)[0].id, "CVE-2024-0002");
  EXPECT_EQ((*rules)[0].reason, "no fix upstream; not reachable");
  EXPECT_EQ((*rules)[0].line, 2);
  EXPECT_EQ((*rules)[1].expires, "2030-01-31");
  EXPECT_EQ((*rules)[1].image_pattern, "ccr.ccs.tencentyun.com/acme/*");
  EXPECT_EQ((*rules)[1].reason, "vendor patch soon");
  EXPECT_EQ((*rules)[2].expires, "2020-01-01");
  EXPECT_EQ((*rules)[2].reason, "");  // the blank line ended the comment block
}

TEST(IgnoreFile, ABadLineIsAUsageErrorWithItsNumberNeverItsText) {
  for (const char* bad : {"CVE-1 because", "CVE 1/2", "CVE-1 image:", "bad\xff",
                          "HOME=/root PATH=/usr/bin SECRET=s3cr3t"}) {
    auto r = reports::ParseIgnoreFile("ign", std::string("# ok\n") + bad + "\n");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::kUsage);
    EXPECT_NE(r.error().message.find("ign line 2"), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.find("s3cr3t"), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.find("because"), std::string::npos) << r.error().message;
  }
}

// Hardening III, 15 and 21: as trivy reads its own files (pkg/result/testdata/.trivyignore).
TEST(IgnoreFile, TrivysOwnFixtureAndItsRules) {
  std::vector<std::string> warnings;
  auto rules = reports::ParseIgnoreFile(
      ".trivyignore",
      "# comment\nCVE-2019-0001\nCVE-2019-0002 key1:value1 key2:value2\n"
      "CVE-2019-0003 exp:2099-02-30\nCVE-2019-0004 exp:soon\n"
      "CVE-2019-0005 exp:2099-01-01 exp:2000-01-01\nCVE-2019-0005 exp:2098-01-01\n",
      &warnings);
  ASSERT_TRUE(rules.ok()) << rules.error().message;
  ASSERT_EQ(rules->size(), 4u);  // 0003 and 0004 skipped: their exp: is no calendar date
  EXPECT_EQ((*rules)[1].id, "CVE-2019-0002");
  EXPECT_EQ((*rules)[2].expires, "2099-01-01");  // the first exp: counts
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_NE(warnings[0].find(".trivyignore line 4: exp: is not a calendar date"), std::string::npos)
      << warnings[0];
  // A 2 MiB comment above 3,000 rules: each reason is bounded.
  std::string big = "# " + std::string(2 * 1024 * 1024, 'r') + "\n";
  for (int i = 0; i < 3000; ++i) big += "CVE-2024-" + std::to_string(1000 + i) + "\n";
  auto bounded = reports::ParseIgnoreFile("big", big);
  ASSERT_TRUE(bounded.ok());
  EXPECT_LE((*bounded)[0].reason.size(), 500u);
  EXPECT_FALSE(reports::ParseIgnoreFile("huge", std::string(5 * 1024 * 1024, '#')).ok());
}

// Issue 21, 8: trivy's .trivyignore.yaml (its documentation's example) is read, not taken
// for IDs ("vulnerabilities:" would be one in the plain form).
TEST(IgnoreFile, TrivysYamlFormIsRead) {
  const std::string yaml =
      "vulnerabilities:\n"
      "  - id: CVE-2022-40897\n"
      "    paths:\n"
      "      - \"usr/local/lib/python3.9/site-packages/setuptools-58.1.0.dist-info/METADATA\"\n"
      "    statement: Accept the risk\n"
      "  - id: CVE-2023-2650\n"
      "  - id: CVE-2023-3446\n"
      "    statement: 'no fix; not reachable'   \n"
      "    expired_at: 2099-09-01\n"
      "  - id: CVE-2024-0001\n"
      "    expired_at: 2099-02-30\n"
      "misconfigurations:\n"
      "  - id: AVD-DS-0001\n";
  std::vector<std::string> warnings;
  // Named .trivyignore (no extension): its first line says what it is.
  for (const std::string path : {".trivyignore.yaml", ".trivyignore"}) {
    warnings.clear();
    auto rules = reports::ParseIgnoreFile(path, yaml, &warnings);
    ASSERT_TRUE(rules.ok()) << rules.error().message;
    ASSERT_EQ(rules->size(), 2u);
    EXPECT_EQ((*rules)[0].id, "CVE-2023-2650");
    EXPECT_EQ((*rules)[1].id, "CVE-2023-3446");
    EXPECT_EQ((*rules)[1].reason, "no fix; not reachable");
    EXPECT_EQ((*rules)[1].expires, "2099-09-01");
    EXPECT_EQ((*rules)[1].line, 7);
    ASSERT_EQ(warnings.size(), 3u);
    EXPECT_NE(warnings[0].find("line 2: CVE-2022-40897 is ignored only at some paths or packages"),
              std::string::npos)
        << warnings[0];
    EXPECT_NE(warnings[1].find("line 10: expired_at is not a date"), std::string::npos);
    EXPECT_NE(warnings[2].find("line 12: misconfigurations are not findings TCSS reports"),
              std::string::npos);
  }
  // What it does not read is refused with the line, never guessed at.
  for (const std::string bad :
       {"vulnerabilities:\n  - id: [CVE-1]\n", "vulnerabilities:\n  - statement: x\n",
        "vulnerabilities:\n\t- id: CVE-2023-1\n", "vulnerabilities:\n  id: CVE-2023-1\n"}) {
    auto r = reports::ParseIgnoreFile("x.yaml", bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find("x.yaml line 2: "), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("trivy's .trivyignore.yaml"), std::string::npos);
  }
}

TEST(IgnoreFile, GlobMatchesRunsIncludingSlashes) {
  EXPECT_TRUE(
      base::GlobMatch("ccr.ccs.tencentyun.com/acme/*", "ccr.ccs.tencentyun.com/acme/app:1"));
  EXPECT_TRUE(base::GlobMatch("*nginx*", "docker.io/library/nginx:1.25"));
  EXPECT_FALSE(base::GlobMatch("ccr.ccs.tencentyun.com/acme/*", "docker.io/acme/app"));
  EXPECT_TRUE(base::GlobMatch("a*b*c", "axxbyyc"));
  EXPECT_FALSE(base::GlobMatch("a*b*c", "axxbyy"));
  // Linear in practice, even for a hostile pattern.
  EXPECT_FALSE(base::GlobMatch(std::string(50, '*') + "x", std::string(5000, 'a')));
}

TEST(Triage, IgnoresExpiryStaleRulesAndUnfixedChangeTheCountsEverywhere) {
  Findings f = Sample();
  reports::TriageOptions o;
  o.rules = {IgnoreRule{"CVE-2024-0001", "2030-01-31", "*acme/*", "vendor patch soon", 3},
             IgnoreRule{"CVE-2024-0003", "2024-01-01", "", "old", 4},
             IgnoreRule{"CVE-2099-9999", "", "", "", 5}};
  o.rules_path = ".tcss-scan-ignore";
  o.ignore_unfixed = true;
  o.today = "2026-12-01";
  auto notes = reports::Triage(f, o);
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0],
            ".tcss-scan-ignore line 4: CVE-2024-0003 expired on 2024-01-01 and counts again");
  EXPECT_NE(notes[1].find("line 5: CVE-2099-9999 matched no finding"), std::string::npos);
  // app: 0001 ignored (rule), 0002 ignored (no fix); web: 0002 ignored (no fix).
  EXPECT_EQ(f.images[0].critical, 0);
  EXPECT_EQ(f.images[0].high, 0);
  EXPECT_EQ(f.images[0].medium, 1);
  EXPECT_EQ(f.images[0].low, 1);
  EXPECT_EQ(f.images[0].ignored, 2);
  EXPECT_EQ(f.images[1].high, 0);
  EXPECT_EQ(f.totals.critical + f.totals.high, 0);
  EXPECT_EQ(f.totals.ignored, 3);
  EXPECT_TRUE(f.triaged);
  ASSERT_EQ(f.top.size(), 2u);
  EXPECT_EQ(f.top[0].cve_id, "CVE-2024-0003");
  EXPECT_EQ(GateViolation(f, 3, false, false), "");
  EXPECT_EQ(GateViolation(f, 2, false, false), "1 medium (threshold: medium)");
  const VulnFinding& ignored = f.all[0];
  EXPECT_EQ(ignored.cve_id, "CVE-2024-0001");
  EXPECT_EQ(ignored.suppression.kind, Suppression::Kind::kIgnore);
  EXPECT_EQ(ignored.suppression.reason, "vendor patch soon");
  EXPECT_EQ(ignored.suppression.expires, "2030-01-31");
}

TEST(Triage, LevelsThatDoNotAddUpFallBackToCvssBandsOnce) {
  Findings f = Sample();
  f.images[0].critical = 0;  // TCSS counts disagree with its own list
  f.all[3].cvss = 9.1;       // the "low" one scores critical
  reports::TriageOptions o;
  o.today = "2026-12-01";
  auto notes = reports::Triage(f, o);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("do not add up"), std::string::npos);
  EXPECT_NE(notes[0].find("CVSS v3"), std::string::npos);
  EXPECT_EQ(f.totals.critical, 2);  // 9.8 and 9.1
  EXPECT_EQ(f.totals.low, 0);
  for (const auto& v : f.all) EXPECT_EQ(v.level, reports::CvssBand(v.cvss)) << v.cve_id;
}

TEST(Triage, CvssBands) {
  EXPECT_EQ(reports::CvssBand(10.0), 4);
  EXPECT_EQ(reports::CvssBand(9.0), 4);
  EXPECT_EQ(reports::CvssBand(8.9), 3);
  EXPECT_EQ(reports::CvssBand(7.0), 3);
  EXPECT_EQ(reports::CvssBand(6.9), 2);
  EXPECT_EQ(reports::CvssBand(4.0), 2);
  EXPECT_EQ(reports::CvssBand(3.9), 1);
  EXPECT_EQ(reports::CvssBand(0.1), 1);
  EXPECT_EQ(reports::CvssBand(0.0), 0);
}

RunReport Triaged() {
  RunReport r;
  r.task_id = "t1";
  r.findings = Sample();
  reports::TriageOptions o;
  o.rules = {IgnoreRule{"CVE-2024-0004", "2030-01-31", "", "test fixture <&>", 1}};
  o.today = "2026-12-01";
  reports::Triage(*r.findings, o);
  r.threshold = "high";
  return r;
}

TEST(Sarif, GoldenAndGithubsRules) {
  auto out = reports::SarifReport(Triaged());
  EXPECT_EQ(out.dropped, "");
  ExpectGolden("report.sarif", out.text);
  auto doc = json::ParseObject(out.text);
  ASSERT_TRUE(doc.ok());
  auto runs = (*doc)->getArray("runs");
  ASSERT_EQ(runs->size(), 2u);  // one per repository
  std::set<std::string> categories;
  for (size_t i = 0; i < runs->size(); ++i) {
    auto run = runs->getObject(static_cast<unsigned>(i));
    std::string id = run->getObject("automationDetails")->getValue<std::string>("id");
    categories.insert(id.substr(0, id.rfind('/')));
    auto results = run->getArray("results");
    for (size_t k = 0; k < results->size(); ++k) {
      auto res = results->getObject(static_cast<unsigned>(k));
      EXPECT_EQ(res->getArray("locations")->size(), 1u);
      std::string uri = res->getArray("locations")
                            ->getObject(0)
                            ->getObject("physicalLocation")
                            ->getObject("artifactLocation")
                            ->getValue<std::string>("uri");
      EXPECT_EQ(uri.find(':'), std::string::npos) << uri;  // no tag, no digest, no scheme
    }
  }
  EXPECT_EQ(categories.size(), 2u);  // distinct before the last '/'
  EXPECT_EQ(reports::SarifRunId("ccr.ccs.tencentyun.com/acme/app"),
            "tcss-scan/ccr.ccs.tencentyun.com%2Facme%2Fapp/");
}

TEST(Sarif, OverGithubsLimitsTheMostSevereStay) {
  RunReport r;
  r.findings.emplace();
  r.findings->images.push_back(
      {kApp, "ccr.ccs.tencentyun.com/acme/app:1.0", "SCANNED", 0, 0, 0, 0, 0, 0});
  for (int i = 0; i < 25010; ++i) {
    r.findings->all.push_back(
        V(kApp, "CVE-2024-" + std::to_string(10000 + i), i < 5 ? 4 : 1, i < 5 ? 9.9 : 1.0, ""));
  }
  auto out = reports::SarifReport(r);
  EXPECT_NE(out.dropped.find("10 findings of ccr.ccs.tencentyun.com/acme/app"), std::string::npos)
      << out.dropped;
  auto doc = json::ParseObject(out.text, 64, 10000000);
  ASSERT_TRUE(doc.ok());
  auto run = (*doc)->getArray("runs")->getObject(0);
  EXPECT_EQ(run->getArray("results")->size(), 25000u);
  EXPECT_EQ(run->getArray("results")->getObject(0)->getValue<std::string>("level"), "error");
}

TEST(Junit, GoldenOneSuitePerImage) {
  ExpectGolden("report.junit.xml", reports::JunitReport(Triaged()));
  EXPECT_EQ(reports::XmlEscape("a<b>&\"c'\x01\x1f\td", false), "a&lt;b&gt;&amp;&quot;c&apos;\td");
}

// Hardening III, 7 and 25: every code point XML 1.0 forbids is replaced, a line break in a
// name survives as a line break, and a skipped case says why in its text too.
TEST(Junit, HostileNamesStayWellFormedAndReadable) {
  const std::string fffe = "\xEF\xBF\xBE", ffff = "\xEF\xBF\xBF", fffd = "\xEF\xBF\xBD";
  const std::string dot = "\xE2\x80\xA4";  // U+2024 ONE DOT LEADER
  EXPECT_EQ(reports::XmlEscape("a" + fffe + "b" + ffff + "c", false),
            "a" + fffd + "b" + fffd + "c");
  EXPECT_EQ(reports::XmlEscape("line1\r\nline2\tx", true), "line1&#13;&#10;line2&#9;x");
  std::string xml = reports::JunitReport(Triaged());
  EXPECT_NE(xml.find("classname=\"tcss-scan.ccr" + dot + "ccs" + dot + "tencentyun" + dot +
                     "com/acme/app:1" + dot + "0\""),
            std::string::npos)
      << xml;
  const std::string reason = "ignored: test fixture &lt;&amp;&gt; (until 2030-01-31)";
  EXPECT_NE(xml.find("<skipped message=\"" + reason + "\">" + reason + "</skipped>"),
            std::string::npos)
      << xml;
}

// Hardening III, 13 and 15: a finding without a CVE (or with an ID no report can carry) shows
// one stable TCSS-… ID everywhere, and the ignore file matches that ID; a repeated line says so
// instead of "matched no finding".
TEST(Triage, TheIdTheReportsShowIsTheOneTheIgnoreFileMatches) {
  Findings f = Sample();
  VulnFinding own = V(kApp, "", 4, 9.0, "", "bash");
  own.name = "TCSS's own finding";
  f.all.push_back(own);
  f.images[0].critical = 2;
  const std::string id = reports::FindingId(own);
  EXPECT_EQ(id.rfind("TCSS-", 0), 0u) << id;
  EXPECT_EQ(id.size(), 17u);
  EXPECT_EQ(reports::FindingId(own), id) << "stable";
  VulnFinding long_id = V(kApp, std::string(305, 'C'), 1, 1.0, "");
  EXPECT_EQ(reports::FindingId(long_id).rfind("TCSS-", 0), 0u);
  EXPECT_NE(reports::FindingId(long_id), id);
  std::vector<std::string> warnings;
  auto rules = reports::ParseIgnoreFile(
      ".tcss-scan-ignore", id + " # ours\nCVE-2024-0002\nCVE-2024-0002 # again\n", &warnings);
  ASSERT_TRUE(rules.ok()) << rules.error().message;
  reports::TriageOptions o;
  o.rules = *rules;
  o.rules_path = ".tcss-scan-ignore";
  o.today = "2026-12-01";
  auto notes = reports::Triage(f, o);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0], ".tcss-scan-ignore line 3: CVE-2024-0002 repeats line 2, which applies");
  EXPECT_EQ(f.totals.critical, 1);
  EXPECT_EQ(f.totals.ignored, 3);
  RunReport r;
  r.task_id = "t1";
  r.findings = f;
  EXPECT_NE(reports::JunitReport(r).find(id), std::string::npos);
  EXPECT_NE(reports::SarifReport(r).text.find("\"ruleId\":\"" + id + "\""), std::string::npos);
}

// Hardening III, 8: GitLab refuses the whole report over one value out of the schema's limits
// (name and identifiers 1..255 characters).
TEST(GitlabReport, ValuesStayWithinTheSchemasLimits) {
  RunReport r;
  r.findings.emplace();
  r.findings->images.push_back({kApp, "app:1", "SCANNED", 0, 0, 0, 0, 0, 0});
  VulnFinding huge = V(kApp, "CVE-" + std::string(301, '1'), 3, 7.0, "");
  VulnFinding empty = V(kApp, "", 2, 5.0, "");
  empty.name = "";
  r.findings->all = {huge, empty};
  auto doc = json::ParseObject(
      GitlabContainerScanningReport(r, "2026-12-01T00:00:00", "2026-12-01T00:00:01"), 64);
  ASSERT_TRUE(doc.ok());
  auto vulns = (*doc)->getArray("vulnerabilities");
  ASSERT_EQ(vulns->size(), 2u);
  std::set<std::string> names;
  for (unsigned i = 0; i < vulns->size(); ++i) {
    auto v = vulns->getObject(i);
    std::string name = v->getValue<std::string>("name");
    EXPECT_GE(name.size(), 1u);
    EXPECT_LE(name.size(), 255u);
    names.insert(name);
    auto ident = v->getArray("identifiers")->getObject(0);
    for (const char* k : {"type", "name", "value"}) {
      std::string value = ident->getValue<std::string>(k);
      EXPECT_GE(value.size(), 1u) << k;
      EXPECT_LE(value.size(), 255u) << k;
    }
  }
  EXPECT_EQ(names.size(), 2u);
}

// Hardening III, 14: the server's Markdown in SARIF's help is shown, not rendered.
TEST(Sarif, ServerMarkdownInHelpIsLiteral) {
  RunReport r;
  r.findings.emplace();
  r.findings->images.push_back({kApp, "app:1", "SCANNED", 0, 0, 0, 0, 0, 0});
  VulnFinding v = V(kApp, "CVE-2024-0001", 3, 7.0, "1.1|2");
  v.name = "[click](https://evil.example) ![x](https://evil.example/p.png) a|b `c`\n# h";
  r.findings->all = {v};
  auto doc = json::ParseObject(reports::SarifReport(r).text, 64);
  ASSERT_TRUE(doc.ok());
  auto rule = (*doc)
                  ->getArray("runs")
                  ->getObject(0)
                  ->getObject("tool")
                  ->getObject("driver")
                  ->getArray("rules")
                  ->getObject(0);
  std::string md = rule->getObject("help")->getValue<std::string>("markdown");
  EXPECT_NE(md.find("**`[click](https://evil.example) ![x](https://evil.example/p.png) a\\|b "
                    "'c' # h`**"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("`1.1\\|2`"), std::string::npos) << md;
  EXPECT_NE(md.find("[CVE-2024-0001](https://nvd.nist.gov/vuln/detail/CVE-2024-0001)"),
            std::string::npos);
}

}  // namespace
}  // namespace tcss
