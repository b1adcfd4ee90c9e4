#include "core/reports/junit.h"

#include <fmt/format.h>

#include <cctype>

#include "core/reports/model.h"
#include "core/text.h"

namespace tcss::reports {

std::string XmlEscape(std::string_view in) {
  std::string s = text::ValidUtf8(in);
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') out.push_back(ch);
    }
  }
  return out;
}

std::string JunitReport(const RunReport& report) {
  const int threshold = ThresholdLevel(report.threshold);
  struct Case {
    std::string name, outcome, message, body;  // outcome: "", "failure", "skipped"
  };
  std::string suites;
  int total_tests = 0, total_failures = 0, total_skipped = 0;
  const std::vector<ImageFindings> no_images;
  const auto& images = report.findings ? report.findings->images : no_images;
  for (const auto& img : images) {
    const std::string label = ImageLabel(*report.findings, img.image_id);
    std::vector<Case> cases;
    cases.push_back({"scanned", "", "", ""});
    for (const auto& v : report.findings->all) {
      if (v.image_id != img.image_id) continue;
      Case c;
      std::string sev = LevelName(v.level);
      for (auto& ch : sev) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      c.name = fmt::format("[{}] {} {}@{}", sev, FindingId(v), v.component, v.version);
      std::string detail = fmt::format(
          "{}{}; {}", v.name.empty() ? "" : v.name + "; ",
          v.cvss > 0 ? fmt::format("CVSS {:.1f}", v.cvss) : std::string("no CVSS score"),
          v.fixed_versions.empty() ? "no fixed version yet" : "fixed in " + v.fixed_versions);
      if (v.ignored) {
        c.outcome = "skipped";
        c.message = "ignored: " + v.ignore_reason +
                    (v.ignore_expires.empty() ? "" : " (until " + v.ignore_expires + ")");
      } else if (FailsGate(v, threshold)) {
        c.outcome = "failure";
        c.message = fmt::format("{} is at or above the threshold ({}): {}", LevelName(v.level),
                                report.threshold, detail);
        c.body = detail;
      } else {
        c.outcome = "skipped";
        c.message = threshold > 0
                        ? fmt::format("below the threshold ({}): {}", report.threshold, detail)
                        : "not gated (no --severity-threshold): " + detail;
      }
      cases.push_back(c);
    }
    int failures = 0, skipped = 0;
    std::string body;
    for (const auto& c : cases) {
      body += fmt::format("    <testcase classname=\"{}\" name=\"{}\"", XmlEscape(label),
                          XmlEscape(c.name));
      if (c.outcome.empty()) {
        body += "/>\n";
        continue;
      }
      if (c.outcome == "failure") {
        ++failures;
        body += fmt::format(
            ">\n      <failure type=\"vulnerability\" message=\"{}\">{}</failure>\n"
            "    </testcase>\n",
            XmlEscape(c.message), XmlEscape(c.body));
      } else {
        ++skipped;
        body += fmt::format(">\n      <skipped message=\"{}\"/>\n    </testcase>\n",
                            XmlEscape(c.message));
      }
    }
    int tests = static_cast<int>(cases.size());
    suites += fmt::format(
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\">\n{}"
        "  </testsuite>\n",
        XmlEscape(label), tests, failures, skipped, body);
    total_tests += tests;
    total_failures += failures;
    total_skipped += skipped;
  }
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<testsuites name=\"tcss-scan\" tests=\"{}\" failures=\"{}\" errors=\"0\" "
      "skipped=\"{}\">\n{}</testsuites>\n",
      total_tests, total_failures, total_skipped, suites);
}

}  // namespace tcss::reports
