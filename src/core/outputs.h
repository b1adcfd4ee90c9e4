// What a run tells its CI system, as text. Pure formatting: the app writes the files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace tcss {

struct ImageResult {
  std::string reference;  // as the user or pipeline named it
  std::string image_id;   // resolved (equal to reference when it already was an ID)
};

// Per-image counts from DescribeAssetImageList (filter ImageID) once the scan has ended.
struct ImageFindings {
  std::string image_id;
  std::string reference;
  std::string scan_status;
  int64_t critical = 0, high = 0, medium = 0, low = 0, virus = 0, risk = 0;
  int64_t ignored = 0;        // findings an ignore rule or --ignore-unfixed left out of the above
  int64_t suppressed = 0;     // vulnerabilities a VEX statement left out (not_affected, fixed)
  bool threats_read = false;  // its virus and risk lists were read: `virus`/`risk` tally them
  // What TCSS counted beyond what its lists held: still counted (never a silent pass).
  int64_t unlisted_virus = 0, unlisted_risk = 0;
  std::string digest{};   // the manifest digest (registry list, or the reference's @sha256:), or ""
  std::string os_name{};  // TCSS's OsName ("debian", "centos", ...), or ""
  // With a baseline (issue 23): what of the above is not in it (equal to the above when the
  // baseline is missing: every finding is then new).
  int64_t new_critical{0}, new_high{0}, new_medium{0}, new_low{0}, new_virus{0}, new_risk{0};
};

// Where a finding stands against the baseline (SARIF's baselineState): no baseline was given,
// absent from it, or in it (same kind and identity: a vulnerability's ID and package, not its
// version; a virus's or risk's ID).
enum class BaselineState { kNone, kNew, kUnchanged };

// Why a finding counts toward no gate, shown by every report: the ignore file or
// --ignore-unfixed accepted it, or a VEX statement (not_affected, fixed) suppressed it.
struct Suppression {
  enum class Kind { kNone, kIgnore, kVex };
  Kind kind = Kind::kNone;
  std::string reason;    // ignore: the rule's comment, "FILE line N"; vex: justification/impact
  std::string expires;   // ignore: YYYY-MM-DD, or ""
  std::string status;    // vex: not_affected or fixed
  std::string document;  // vex: the file the statement came from
  bool active() const { return kind != Kind::kNone; }
  // "ignored: REASON (until DATE)" or "VEX not_affected: REASON (DOCUMENT)", for the text formats.
  std::string Describe() const;
};

// One vulnerability from DescribeAssetImageVulList. Level: 1 low, 2 medium, 3 high, 4 critical
// (the API leaves the mapping undocumented; this order follows the *LevelVulCnt counters).
struct VulnFinding {
  std::string image_id;
  std::string cve_id;
  std::string name;
  std::string component;
  std::string version;
  std::string fixed_versions;
  std::string component_type;  // TCSS's CategoryType: SYSTEM (an OS package), APP, ... or ""
  int64_t level = 0;           // after reports::Triage: the one severity every output uses
  double cvss = 0;
  Suppression suppression;  // not in the counts or the gate when active, still listed
  BaselineState state = BaselineState::kNone;
};

// A virus or a sensitive risk in an image (issue 22), on the vulnerabilities' 1..4 scale.
struct ThreatFinding {
  std::string kind;  // "virus" or "risk"
  std::string image_id;
  std::string name;         // the virus's name; a risk: "sensitive risk (type T, behaviour B)"
  std::string path;         // the virus's file in the image ("" for a risk: the API has none)
  std::string md5;          // the virus's file, lower-case hex, or ""
  std::string description;  // a risk's description stands in for its location
  std::string solution;
  int64_t level = 0;      // 1 low .. 4 critical
  std::string raw_level;  // as TCSS sent it
  std::string id;         // reports::ThreatId: md5:<hex>, else TCSS-VIRUS-/TCSS-RISK-<hex>
  std::string category;   // what reports group by: the virus's name, "type-T-behaviour-B"
  Suppression suppression;
  BaselineState state = BaselineState::kNone;
};

// A finding of the baseline: enough to match it (kind, id, package) and to list it as fixed.
struct BaselineFinding {
  std::string kind;     // vulnerability, virus, risk
  std::string id;       // reports::FindingId / ThreatId
  std::string package;  // a vulnerability's package, else ""
  std::string version;
  std::string name;
  int64_t level = 0;
};

// --baseline-image / --baseline-file: what the findings were compared with.
struct Baseline {
  std::string kind;       // "image" or "file"
  std::string reference;  // as given
  std::string image_id;   // the baseline image's TCSS ID ("" for a file)
  std::string missing;    // why it could not be read ("" when it was): every finding is new
  std::vector<BaselineFinding> findings;
  std::vector<BaselineFinding> fixed;  // after reports::Triage: in the baseline, gone now
  bool available() const { return missing.empty(); }
};

// A package in an image: DescribeImageComponentList (local images), or the packages the
// registry vulnerability list names (registry images: TCSS offers no component list there).
struct PackageComponent {
  std::string image_id;
  std::string name;
  std::string version;
  std::string path;
  std::string type;  // TCSS's Type/CategoryType: SYSTEM_COMPONENT, SYSTEM, APP, ...
};

struct Findings {
  std::vector<ImageFindings> images;
  std::vector<PackageComponent> components;  // read only for --sbom-file
  std::vector<ThreatFinding> threats;        // viruses and risks read from their lists
  std::vector<VulnFinding> top;              // most severe first, then by CVSS
  std::vector<VulnFinding> all;      // every vulnerability read (with --report-file), same order
  ImageFindings totals;              // summed over images
  std::optional<Baseline> baseline;  // --baseline-image/--baseline-file, compared by Triage
  bool triaged = false;              // reports::Triage ran: counts are tallied from `all`
};

struct ScanProgress {
  std::string status;  // READY, SCANNING, END, or whatever the service said
  int64_t schedule = 0, image_total = 0, image_scan_cnt = 0, left_seconds = 0, risk_count = 0;
};

struct RunReport {
  std::string task_id;
  std::string request_id;
  std::vector<ImageResult> images;
  std::string selection;          // "images", "all", "filters"
  std::string source;             // "local" or "registry" ("" before one was chosen)
  std::optional<Error> error;     // the failure or warning, if any
  bool error_is_warning = false;  // an API error --fail-on does not select
  bool dry_run = false;
  bool waited = false;  // --wait, or `status` (the outputs gain the counts)
  std::optional<ScanProgress> progress;
  std::optional<Findings> findings;
  std::string gate;         // why the gate failed (exit 2), "" when it passed
  std::string threshold;    // "high", or "" without --severity-threshold
  bool gate_virus = false;  // --fail-on-findings virus: every virus not ignored fails
  bool gate_risk = false;   // --fail-on-findings risk
  bool gate_new = false;    // --gate new: only findings absent from the baseline count
};

std::string LevelName(int64_t level);  // 1..4 → low, medium, high, critical

std::string IsoUtc(int64_t unix_seconds);

// GitHub: `name<<DELIM\nvalue\nDELIM\n`. Fails if the value or name contains the delimiter
// (the caller then draws another) or the name is not [A-Za-z0-9_-]+.
Result<std::string> GithubOutputEntry(const std::string& name, const std::string& value,
                                      const std::string& delimiter);
std::string EscapeWorkflowData(const std::string& s);
std::string EscapeWorkflowProperty(const std::string& s);
// "::error title=T::message\n"
std::string WorkflowAnnotation(const std::string& level, const std::string& title,
                               const std::string& message);
std::string AddMaskCommand(const std::string& secret);  // one ::add-mask:: per line

// GitLab dotenv: KEY=value lines, keys [A-Za-z0-9_]+, values without whitespace, quotes, '#'
// or backslashes, the whole under 5 KB.
Result<std::string> DotenvContent(const std::vector<std::pair<std::string, std::string>>& vars);

// The dotenv for `vars` that GitLab will take: a variable whose value breaks the rules is left
// out (and named in `dropped` with the reason) instead of failing the whole file; past 5 KB,
// TCSS_IMAGE_IDS goes first, then the last variables, until it fits.
struct Dotenv {
  std::string text;
  std::vector<std::pair<std::string, std::string>> dropped;  // key, why
};
Dotenv BuildDotenv(std::vector<std::pair<std::string, std::string>> vars);

std::string JsonReport(const RunReport& report);

// The outputs every platform gets: task-id, request-id, image-ids.
std::vector<std::pair<std::string, std::string>> GithubOutputs(const RunReport& report);
std::vector<std::pair<std::string, std::string>> DotenvVars(const RunReport& report);

}  // namespace tcss
