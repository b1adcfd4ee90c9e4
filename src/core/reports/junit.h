// JUnit XML for test-report views (GitLab artifacts:reports:junit, Jenkins, Azure): one
// testsuite per image, a passing "scanned" testcase so no report is empty, one testcase per
// finding: a failure when it fails the gate, skipped (with why) when ignored or below it.
#pragma once

#include <string>

#include "core/outputs.h"

namespace tcss::reports {

std::string JunitReport(const RunReport& report);

// Text made safe for XML 1.0 attributes and content: valid UTF-8, the characters XML 1.0
// forbids (controls other than tab, CR, LF) dropped, & < > " ' escaped.
std::string XmlEscape(std::string_view s);

}  // namespace tcss::reports
