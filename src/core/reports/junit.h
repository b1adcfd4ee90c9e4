// JUnit XML for test-report views (GitLab artifacts:reports:junit, Jenkins, Azure): one
// testsuite per image, a passing "scanned" testcase so no report is empty, one testcase per
// finding: a failure when it fails the gate, skipped (with why) when ignored or below it.
// Without findings (the scan did not end, the run failed): one case saying why, an error when
// the run failed, else skipped.
#pragma once

#include <string>

#include "core/outputs.h"

namespace tcss::reports {

std::string JunitReport(const RunReport& report);

// Text made safe for XML 1.0 attributes and content: valid UTF-8, the characters XML 1.0
// forbids (controls other than tab, CR, LF) dropped, U+FFFE and U+FFFF replaced by U+FFFD,
// & < > " ' escaped; in an attribute, tab, CR and LF as character references (a parser would
// turn them into spaces).
std::string XmlEscape(std::string_view s, bool attribute);

}  // namespace tcss::reports
