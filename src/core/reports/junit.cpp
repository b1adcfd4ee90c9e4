#include "core/reports/junit.h"

#include <fmt/format.h>

#include <cctype>

#include "core/reports/model.h"
#include "core/text.h"

namespace tcss::reports {

std::string XmlEscape(std::string_view in, bool attribute) {
  // XML 1.0 allows neither U+FFFE nor U+FFFF (nor controls but TAB, LF, CR): U+FFFD for them.
  std::string s =
      text::ReplaceAll(text::ReplaceAll(text::ValidUtf8(in), "\xEF\xBF\xBE", "\xEF\xBF\xBD"),
                       "\xEF\xBF\xBF", "\xEF\xBF\xBD");
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
      case '\t':
      case '\n':
      case '\r':
        // A parser turns a raw line break in an attribute into a space: encode it there.
        if (attribute) {
          out += fmt::format("&#{};", static_cast<int>(c));
        } else {
          out.push_back(ch);
        }
        break;
      default:
        if (c >= 0x20) out.push_back(ch);
    }
  }
  return out;
}

namespace {
// Jenkins splits a classname at its last '.' into package and class, which would turn
// "ccr.ccs.tencentyun.com/demo/app:1.0" into class "0": the image's dots become U+2024 (ONE DOT
// LEADER, which looks the same) under the package "tcss-scan", in Jenkins, GitLab and Azure alike.
std::string ClassName(const std::string& label) {
  return "tcss-scan." + text::ReplaceAll(label, ".", "\xE2\x80\xA4");
}
}  // namespace

std::string JunitReport(const RunReport& report) {
  const int threshold = ThresholdLevel(report.threshold);
  struct Case {
    std::string name, outcome, message, body;  // outcome: "", "failure", "skipped"
    std::string type = "vulnerability";        // the failure's type: vulnerability, virus, risk
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
      if (v.suppression.active()) {
        c.outcome = "skipped";
        c.message = v.suppression.Describe();
      } else if (FailsGate(v, threshold, report.gate_new)) {
        c.outcome = "failure";
        c.message = fmt::format("{} is at or above the threshold ({}): {}", LevelName(v.level),
                                report.threshold, detail);
        c.body = detail;
      } else {
        c.outcome = "skipped";
        c.message = report.gate_new && v.state == BaselineState::kUnchanged && threshold > 0 &&
                            v.level >= threshold
                        ? "in the baseline (--gate new counts only new findings): " + detail
                    : threshold > 0
                        ? fmt::format("below the threshold ({}): {}", report.threshold, detail)
                        : "not gated (no --severity-threshold): " + detail;
      }
      cases.push_back(c);
    }
    for (const auto& t : report.findings->threats) {
      if (t.image_id != img.image_id) continue;
      Case c;
      std::string sev = LevelName(t.level);
      for (auto& ch : sev) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      c.name = fmt::format("[{}] {} {} {}", sev, t.kind, t.name, t.id);
      std::string detail =
          t.kind == "virus"
              ? fmt::format("{} at {}{}", t.name, t.path.empty() ? "-" : t.path,
                            t.solution.empty() ? "" : "; " + t.solution)
              : fmt::format("{}{}", t.description, t.solution.empty() ? "" : "; " + t.solution);
      const bool gated = t.kind == "virus" ? report.gate_virus : report.gate_risk;
      if (t.suppression.active()) {
        c.outcome = "skipped";
        c.message = t.suppression.Describe();
      } else if (gated && !FailsGate(t, report)) {
        c.outcome = "skipped";
        c.message =
            fmt::format("in the baseline (--gate new counts only new findings): {}", detail);
      } else if (gated) {
        c.outcome = "failure";
        c.type = t.kind;
        c.message =
            fmt::format("a {} fails the build (--fail-on-findings {}): {}", t.kind, t.kind, detail);
        c.body = detail;
      } else {
        c.outcome = "skipped";
        c.message = fmt::format("not gated (add {} to --fail-on-findings): {}", t.kind, detail);
      }
      cases.push_back(c);
    }
    int failures = 0, skipped = 0;
    std::string body;
    for (const auto& c : cases) {
      body += fmt::format("    <testcase classname=\"{}\" name=\"{}\"",
                          XmlEscape(ClassName(label), true), XmlEscape(c.name, true));
      if (c.outcome.empty()) {
        body += "/>\n";
        continue;
      }
      if (c.outcome == "failure") {
        ++failures;
        body += fmt::format(
            ">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n"
            "    </testcase>\n",
            c.type, XmlEscape(c.message, true), XmlEscape(c.body, false));
      } else {
        ++skipped;
        // The reason in the text as well: GitLab shows a skipped case's text, not its message.
        body += fmt::format(">\n      <skipped message=\"{}\">{}</skipped>\n    </testcase>\n",
                            XmlEscape(c.message, true), XmlEscape(c.message, false));
      }
    }
    int tests = static_cast<int>(cases.size());
    suites += fmt::format(
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\">\n{}"
        "  </testsuite>\n",
        XmlEscape(label, true), tests, failures, skipped, body);
    total_tests += tests;
    total_failures += failures;
    total_skipped += skipped;
  }
  int total_errors = 0;
  if (!report.findings) {
    // No findings read: one case that says why, an error when the run failed (a test view
    // shows the build's failure, not an earlier run's findings), else skipped.
    const std::string why = XmlEscape(NoFindingsReason(report), true);
    const bool failed = report.error && !report.error_is_warning;
    total_tests = 1;
    (failed ? total_errors : total_skipped) = 1;
    suites = fmt::format(
        "  <testsuite name=\"tcss-scan\" tests=\"1\" failures=\"0\" errors=\"{}\" "
        "skipped=\"{}\">\n    <testcase classname=\"tcss-scan\" name=\"scan\">\n      <{} "
        "message=\"{}\">{}</{}>\n    </testcase>\n  </testsuite>\n",
        total_errors, total_skipped, failed ? "error" : "skipped", why,
        XmlEscape(NoFindingsReason(report), false), failed ? "error" : "skipped");
  }
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<testsuites name=\"tcss-scan\" tests=\"{}\" failures=\"{}\" errors=\"{}\" "
      "skipped=\"{}\">\n{}</testsuites>\n",
      total_tests, total_failures, total_errors, total_skipped, suites);
}

}  // namespace tcss::reports
