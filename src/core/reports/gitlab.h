// GitLab's container-scanning report: one file reading the one findings model, beside SARIF
// and JUnit.
#pragma once

#include <string>

#include "core/outputs.h"

namespace tcss {

inline constexpr const char* kGitlabReportSchemaVersion = "15.0.7";
// GitLab's container-scanning report (gl-container-scanning-report.json, security report schema
// 15.0.7) for the vulnerabilities in `report.findings->all` and its viruses and risks. Times are
// "YYYY-MM-DDTHH:MM:SS" UTC.
std::string GitlabContainerScanningReport(const RunReport& report, const std::string& start_time,
                                          const std::string& end_time);

}  // namespace tcss
