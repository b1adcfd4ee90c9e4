// Configuration: ParseConfig(env, args) → Config. The precedence rule is written once, in
// ParseConfig: flag > TCSS_* environment > CI platform default > built-in default.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/platforms/platform.h"
#include "core/result.h"

namespace tcss {

using EnvMap = std::map<std::string, std::string>;

enum class Command { kSubmit, kPush, kStatus, kVersion, kHelp, kMan, kCompletion, kPluginMetadata };
enum class Severity { kLow = 1, kMedium = 2, kHigh = 3, kCritical = 4 };
enum class LogLevel { kQuiet, kInfo, kVerbose };
enum class OutputFormat { kText, kJson };
// Where TCSS lists the images: the images its agents saw on hosts (local), or the images of
// the registries connected to it (registry); auto looks in both.
enum class Source { kAuto, kRegistry, kLocal };
const char* SourceName(Source s);

struct Filter {
  std::string name;
  std::vector<std::string> values;
  bool exact = false;
};

struct Credentials {
  std::string secret_id;
  std::string secret_key;
  std::string token;
  std::string source;        // "environment", the profile path, "OIDC ...", "CVM role ..."
  int64_t expires_unix = 0;  // temporary credentials: when they stop working; 0 = permanent
  int64_t obtained_unix = 0;
};

// Where credentials come from: auto tries the stored keys (environment, profile file), then
// OIDC when a role, a provider and a token are all there; the others use only their source.
enum class AuthMode { kAuto, kSecret, kOidc, kCvmRole };
const char* AuthModeName(AuthMode m);

// Keyless settings (issue 10): an OIDC token exchanged with STS for temporary keys.
struct KeylessConfig {
  AuthMode auth = AuthMode::kAuto;
  std::string role_arn;
  std::string oidc_provider_id;
  std::string oidc_audience = "sts.tencentcloudapi.com";
  std::string role_session_name;  // "" = from the CI run
  int64_t role_duration_s = 3600;
  std::string sts_endpoint;  // "" = sts::DefaultStsEndpoint(endpoint)
};

struct Config {
  Command command = Command::kSubmit;
  std::string task_id;     // status
  std::string push_image;  // push: the reference `docker push` is given
  std::string shell;       // completion: bash, zsh or fish

  std::vector<std::string> images;  // as given (references or image IDs)
  std::string image_source;         // where they came from, for messages
  bool all = false;
  std::vector<Filter> filters;
  std::vector<std::string> exclude_image_ids;
  bool scan_vul = true;
  bool scan_virus = true;
  bool scan_risk = true;
  double resolve_timeout_s = 60;
  bool no_resolve = false;
  Source source = Source::kAuto;  // for `status`: resolved from the TaskID's shape
  std::string digest;             // --digest: the pushed manifest, sha256:<64 hex>

  std::vector<std::string> fail_on{"*"};
  bool wait = false;
  std::string wait_given;    // where --wait was set (flag or variable name), "" when not set
  std::string wait_implied;  // the option that turned --wait on, "" when none did
  double wait_timeout_s = 1800;
  std::optional<Severity> severity_threshold;
  bool gate_virus = false;
  bool gate_risk = false;

  std::string endpoint = "https://tcss.tencentcloudapi.com";
  std::string region;
  std::string language = "en-US";
  double timeout_s = 60;
  int retries = 4;
  std::string ca_file;
  std::string https_proxy;  // from HTTPS_PROXY/https_proxy (HTTP_PROXY for http endpoints)
  std::string no_proxy;

  OutputFormat output = OutputFormat::kText;
  std::string dotenv_path;
  bool dotenv_default = false;   // dotenv_path is the platform's default, not named by the user
  std::string report_file;       // GitLab container-scanning report, written when findings are read
  std::string sarif_file;        // SARIF 2.1.0 (GitHub code scanning), likewise
  std::string junit_file;        // JUnit XML, likewise
  std::string findings_file;     // the triaged result as one JSON document (schemas/)
  std::string sbom_file;         // CycloneDX 1.6 SBOM of the scanned images
  std::string cosign_vuln_file;  // the predicate of `cosign attest --type vuln`
  std::string ignore_file;       // accepted findings; "" = .tcss-scan-ignore when it exists
  bool ignore_unfixed = false;
  std::vector<std::string> vex_files;  // OpenVEX documents, in the order given
  std::string baseline_image;          // --baseline-image: compared with TCSS's findings for it
  std::string baseline_file;           // --baseline-file: a findings file of an earlier run
  bool gate_new = false;               // --gate new: only what the baseline lacks counts
  bool comment = false;                // --comment: the pull/merge-request comment
  bool dry_run = false;
  LogLevel log_level = LogLevel::kInfo;

  // The CI system: detected, or --platform. Never null.
  const platforms::Platform* platform = &platforms::None();

  KeylessConfig keyless;

  // Said once on stderr before anything runs: deprecated names that were used.
  std::vector<std::string> notices;
};

// Pure: `env` is the process environment, `args` excludes argv[0].
// The files written from the findings (each implies --wait and is replaced on every run), as
// (flag, path), in the order of the option table; a path "" is not asked for.
std::vector<std::pair<std::string, std::string>> ReportFiles(const Config& c);

Result<Config> ParseConfig(const EnvMap& env, const std::vector<std::string>& args);

// Credentials from the environment; nullopt when none of the variables is set (then the caller
// reads the profile file named by CredentialsFilePath and passes it to ParseCredentialsFile).
Result<std::optional<Credentials>> CredentialsFromEnv(const EnvMap& env);
std::string CredentialsFilePath(const EnvMap& env);
Result<Credentials> ParseCredentialsFile(const std::string& path, const std::string& text);

// Parses "60", "60s", "1.5", "5m", "1h" into seconds.
Result<double> ParseDuration(const std::string& name, const std::string& text);
// "true|True|TRUE|1|yes" and the like.
Result<bool> ParseBool(const std::string& name, const std::string& text);
// Splits on commas and newlines, trims, drops empties.
std::vector<std::string> SplitList(const std::string& text);

// One name per option: --flag, TCSS_FLAG, input "flag" (the action's, the template's, a
// plugin's setting). The aliases are still read: flags as given, environment variables when
// TCSS_FLAG is unset (the Tencent SDKs' names), old input names with a deprecation notice.
struct OptionInfo {
  std::string flag;   // "--fail-on"
  std::string env;    // "TCSS_FAIL_ON"
  std::string input;  // "fail-on"
  std::string metavar;
  std::string def;
  std::string help;
  bool takes_value = true;
  std::vector<std::string> flag_aliases;   // "--image"
  std::vector<std::string> env_aliases;    // "TENCENTCLOUD_REGION"
  std::vector<std::string> input_aliases;  // "audience" (deprecated)
};
const std::vector<OptionInfo>& Options();
// The option a flag (or flag alias) names; nullptr when none.
const OptionInfo* FindOption(const std::string& flag);

std::string HelpText();
// SPEC §6, frozen: code and meaning, for --help and the man page.
const std::vector<std::pair<std::string, std::string>>& ExitCodes();
std::string VersionText();

}  // namespace tcss
