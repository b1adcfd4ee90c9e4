#include "core/config.h"

#include "core/registry_api.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "core/image_ref.h"
#include "core/policy.h"
#include "core/sts.h"
#include "core/text.h"
#include "core/url.h"

namespace tcss {

namespace {
// A registry list Id has the shape of a registry TaskID: the digits of a uint64.
bool IsListId(const std::string& id) { return registry_api::IsRegistryTaskId(id); }

using text::Trim;

std::string Get(const EnvMap& env, const std::string& key) {
  auto it = env.find(key);
  return it == env.end() ? "" : it->second;
}

enum class Kind { kBool, kValue, kRepeat };

using Apply = Status (*)(Config&, const std::vector<std::string>& values, const std::string& name);

// One name per option (issue 21): --flag, TCSS_FLAG and input "flag" all come from `flag`.
// `aliases` lists, space-separated, other names still read: flags (--image), environment
// variables (the Tencent SDKs' TENCENTCLOUD_REGION, read when TCSS_REGION is unset) and old
// input names (lower case; deprecated, with a notice).
struct Option {
  const char* flag;
  const char* aliases;
  const char* metavar;
  const char* def;
  const char* help;
  Kind kind;
  Apply apply;
};

// "; did you mean X?" when `value` is close to one of `choices`, else "".
std::string DidYouMean(const std::string& value, const std::vector<std::string>& choices) {
  std::string c = text::Closest(Trim(value), choices);
  return c.empty() ? "" : "; did you mean " + c + "?";
}

// For kValue/kBool options `values` holds one value; for kRepeat, every occurrence.
Status SetBool(bool& target, const std::vector<std::string>& v, const std::string& name) {
  auto b = ParseBool(name, v.back());
  if (!b.ok()) return b.error();
  target = *b;
  return OkStatus();
}

// `allow_zero` false: at least one second. Below that a call, a wait or a lookup cannot even
// start on a real network, so it is refused instead of failing after the fact.
Status SetDuration(double& target, const std::vector<std::string>& v, const std::string& name,
                   bool allow_zero) {
  auto d = ParseDuration(name, v.back());
  if (!d.ok()) return d.error();
  if (!allow_zero && *d < 1) {
    return UsageError(name + " \"" + v.back() + "\" is too short: give at least 1 second");
  }
  target = *d;
  return OkStatus();
}

std::vector<std::string> Flatten(const std::vector<std::string>& v) {
  std::vector<std::string> out;
  for (const auto& s : v)
    for (auto& item : SplitList(s)) out.push_back(item);
  return out;
}

Result<Filter> ParseFilter(const std::string& text) {
  std::string t = Trim(text);
  auto fail = [&](const std::string& why) {
    return UsageError("invalid filter \"" + t + "\": " + why +
                      " (write NAME=V1,V2 or NAME=V1,V2;exact, e.g. ImageName=nginx)");
  };
  size_t eq = t.find('=');
  if (eq == std::string::npos) return fail("it has no '='");
  Filter f;
  f.name = Trim(t.substr(0, eq));
  if (f.name.empty()) return fail("the name is empty");
  for (char c : f.name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.')
      return fail("the name may hold only letters, digits, '_' and '.'");
  std::string values = t.substr(eq + 1);
  const std::string kExact = ";exact";
  if (values.size() >= kExact.size() &&
      values.compare(values.size() - kExact.size(), kExact.size(), kExact) == 0) {
    f.exact = true;
    values.resize(values.size() - kExact.size());
  }
  f.values = SplitList(values);
  if (f.values.empty()) return fail("it has no values");
  return f;
}

// --digest, or the digest the pipeline names (Tekton's IMAGE_DIGEST).
Status SetDigest(Config& c, const std::string& value, const std::string& from) {
  std::string d = Trim(value);
  if (!IsImageId(d)) {
    return UsageError(from + " \"" + value +
                      "\" is not a digest; it must be sha256: and 64 lower-case hex digits");
  }
  c.digest = d;
  return OkStatus();
}

const std::vector<Option>& Table() {
  static const std::vector<Option> kTable = {
      {"--images", "--image", "REF", "from the pipeline",
       "image references or image IDs to scan (repeatable; also positional IMAGE...)",
       Kind::kRepeat,
       [](Config& c, const std::vector<std::string>& v, const std::string&) {
         c.images = Flatten(v);
         return OkStatus();
       }},
      {"--all", "", "", "false",
       "scan every image (All=true), narrowed by --filter and --exclude-image-id", Kind::kBool,
       [](Config& c, const std::vector<std::string>& v, const std::string& n) {
         return SetBool(c.all, v, n);
       }},
      {"--filters", "--filter", "NAME=V1,V2[;exact]", "none",
       "AssetFilters entry (repeatable; in the environment one per line)", Kind::kRepeat,
       [](Config& c, const std::vector<std::string>& v, const std::string&) -> Status {
         c.filters.clear();
         for (const auto& block : v) {
           size_t start = 0;
           while (start <= block.size()) {
             size_t nl = block.find('\n', start);
             std::string line =
                 Trim(block.substr(start, nl == std::string::npos ? nl : nl - start));
             if (!line.empty()) {
               auto f = ParseFilter(line);
               if (!f.ok()) return f.error();
               c.filters.push_back(*f);
             }
             if (nl == std::string::npos) break;
             start = nl + 1;
           }
         }
         return OkStatus();
       }},
      {"--exclude-image-ids", "--exclude-image-id", "ID", "none",
       "image IDs (sha256:..., local images) or registry list Ids (digits, registry images) to "
       "leave out of an --all/--filter selection (repeatable)",
       Kind::kRepeat,
       [](Config& c, const std::vector<std::string>& v, const std::string&) -> Status {
         c.exclude_image_ids = Flatten(v);
         for (const auto& id : c.exclude_image_ids)
           if (!IsImageId(id) && !IsListId(id))
             return UsageError("--exclude-image-id \"" + id +
                               "\" is neither an image ID (sha256: followed by 64 hex digits) nor "
                               "a registry list Id (digits)");
         return OkStatus();
       }},
      {"--scan", "", "vul,virus,risk", "vul,virus,risk",
       "what to scan for: any of vul, virus, risk", Kind::kValue,
       [](Config& c, const std::vector<std::string>& v, const std::string&) -> Status {
         c.scan_vul = c.scan_virus = c.scan_risk = false;
         auto items = SplitList(v.back());
         if (items.empty()) return UsageError("--scan needs at least one of vul, virus, risk");
         for (const auto& s : items) {
           if (s == "vul")
             c.scan_vul = true;
           else if (s == "virus")
             c.scan_virus = true;
           else if (s == "risk")
             c.scan_risk = true;
           else
             return UsageError("--scan: unknown kind \"" + s + "\"; use vul, virus and/or risk" +
                             DidYouMean(s, {"vul", "virus", "risk"}));
         }
         return OkStatus();
       }},
      {"--source", "", "auto|registry|local", "auto",
       "where TCSS lists the image: registry (pushed to a connected registry), local (seen by "
       "an agent on a host), or auto (both; registry first)",
       Kind::kValue,
       [](Config& c, const std::vector<std::string>& v, const std::string& n) -> Status {
         const std::string s = text::Lower(Trim(v.back()));
         if (s == "auto") {
           c.source = Source::kAuto;
         } else if (s == "registry") {
           c.source = Source::kRegistry;
         } else if (s == "local") {
           c.source = Source::kLocal;
         } else {
           return UsageError(n + " \"" + v.back() + "\" must be auto, registry or local" +
                             DidYouMean(s, {"auto", "registry", "local"}));
         }
         return OkStatus();
       }},
      {"--digest", "", "sha256:...", "none",
       "the manifest digest the push produced (docker/build-push-action's digest output): scan "
       "exactly that manifest of the image's repository",
       Kind::kValue,
       [](Config& c, const std::vector<std::string>& v, const std::string& n) -> Status {
         return SetDigest(c, v.back(), n);
       }},
      {"--resolve-timeout", "", "S", "60",
       "how long to wait for TCSS to know a reference (reference -> image ID)", Kind::kValue,
       [](Config& c, const std::vector<std::string>& v, const std::string& n) {
         return SetDuration(c.resolve_timeout_s, v, n, true);
       }},
      {"--no-resolve", "", "", "false",
       "send references to the API verbatim instead of resolving them to image IDs", Kind::kBool,
       [](Config& c, const std::vector<std::string>& v, const std::string& n) {
         return SetBool(c.no_resolve, v, n);
       }},
      {"--fail-on", "", "PATTERNS", "*",
       "API error codes that fail the build (exit 1): '*', Code (and sub-codes), -Code excludes",
       Kind::kValue,
       [](Config& c, const std::vector<std::string>& v, const std::string&) -> Status {
         c.fail_on = SplitList(v.back());
         auto check = ValidateFailOn(c.fail_on);
         if (!check.ok()) return check.error();
         return OkStatus();
       }},
      {"--wait", "", "", "false (implied by a threshold or a report)",
       "wait for the scan to finish", Kind::kBool,
       [](Config& c, const std::vector<std::string>& v, const std::string& n) {
         c.wait_given = n;
         return SetBool(c.wait, v, n);
       }},
      {"--wait-timeout", "", "S", "1800",
       "with --wait: give up after this long (exit 5)", Kind::kValue,
       [](Config& c, const std::vector<std::string>& v, const std::string& n) {
         return SetDuration(c.wait_timeout_s, v, n, false);
       }},
      {"--severity-threshold", "", "low|medium|high|critical", "none",
       "with --wait: exit 2 on findings at or above low|medium|high|critical", Kind::kValue,
       [](Config& c, const std::vector<std::string>& v, const std::string&) -> Status {
         std::string s = Trim(v.back());
         std::transform(s.begin(), s.end(), s.begin(),
                        [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
         if (s == "none" || s.empty())
           c.severity_threshold.reset();
         else if (s == "low")
           c.severity_threshold = Severity::kLow;
         else if (s == "medium")
           c.severity_threshold = Severity::kMedium;
         else if (s == "high")
           c.severity_threshold = Severity::kHigh;
         else if (s == "critical")
           c.severity_threshold = Severity::kCritical;
         else
           return UsageError("--severity-threshold \"" + v.back() +
                             "\" is not one of low, medium, high, critical" +
                             DidYouMean(s, {"low", "medium", "high", "critical", "none"}));
         return OkStatus();
       }},
      {"--fail-on-findings", "", "virus,risk", "none",
       "with --wait: also exit 2 on any virus and/or risk finding", Kind::kValue,
       [](Config& c, const std::vector<std::string>& v, const std::string&) -> Status {
         c.gate_virus = c.gate_risk = false;
         for (const auto& s : SplitList(v.back())) {
           if (s == "virus")
             c.gate_virus = true;
           else if (s == "risk")
             c.gate_risk = true;
           else if (s != "none")
             return UsageError("--fail-on-findings: unknown kind \"" + s +
                               "\"; use virus and/or risk" + DidYouMean(s, {"virus", "risk"}));
         }
         return OkStatus();
       }},
      {"--endpoint", "", "URL", "https://tcss.tencentcloudapi.com",
       "API endpoint (intl: https://tcss.intl.tencentcloudapi.com)", Kind::kValue,
       [](Config& c, const std::vector<std::string>& v, const std::string&) -> Status {
         auto u = ParseEndpoint(Trim(v.back()));
         if (!u.ok()) return u.error();
         c.endpoint = Trim(v.back());
         return OkStatus();
       }},
      {"--region", "TENCENTCLOUD_REGION", "R", "none",
       "X-TC-Region header (TCSS does not require it)", Kind::kValue,
       [](Config& c, const std::vector<std::string>& v, const std::string& n) -> Status {
         std::string r = Trim(v.back());
         for (char ch : r)
           if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-')
             return UsageError("--region \"" + r + "\" is not a region name such as ap-guangzhou");
         c.region = r;
         // TCSS answers for any region it serves; a name it does not know is sent as given,
         // but a typo is worth a warning before the first call.
         static const std::vector<std::string> kRegions = {
             "ap-bangkok",     "ap-beijing",       "ap-beijing-fsi",  "ap-chengdu",
             "ap-chongqing",   "ap-guangzhou",     "ap-hongkong",     "ap-jakarta",
             "ap-mumbai",      "ap-nanjing",       "ap-seoul",        "ap-shanghai",
             "ap-shanghai-fsi", "ap-shenzhen-fsi", "ap-singapore",    "ap-taipei",
             "ap-tokyo",       "eu-frankfurt",     "eu-moscow",       "na-ashburn",
             "na-siliconvalley", "na-toronto",     "sa-saopaulo"};
         if (!r.empty() && std::find(kRegions.begin(), kRegions.end(), r) == kRegions.end()) {
           c.notices.push_back(n + " \"" + r + "\" is not a Tencent Cloud region tcss-scan knows" +
                               DidYouMean(r, kRegions) + " (it is sent as given)");
         }
         return OkStatus();
       }},
      {"--language", "TENCENTCLOUD_LANGUAGE", "en-US|zh-CN", "en-US",
       "X-TC-Language: en-US or zh-CN (the language of API error messages)", Kind::kValue,
       [](Config& c, const std::vector<std::string>& v, const std::string&) -> Status {
         std::string l = Trim(v.back());
         if (l != "en-US" && l != "zh-CN")
           return UsageError("--language \"" + l + "\" must be en-US or zh-CN" +
                             DidYouMean(l, {"en-US", "zh-CN"}));
         c.language = l;
         return OkStatus();
       }},
      {"--timeout", "", "S", "60",
       "budget for one API call including its retries", Kind::kValue,
       [](Config& c, const std::vector<std::string>& v, const std::string& n) {
         return SetDuration(c.timeout_s, v, n, false);
       }},
      {"--retries", "", "N", "4", "retries of retryable failures (0-20)",
       Kind::kValue,
       [](Config& c, const std::vector<std::string>& v, const std::string&) -> Status {
         std::string s = Trim(v.back());
         if (s.empty() || s.size() > 2 ||
             !std::all_of(s.begin(), s.end(), [](unsigned char ch) { return std::isdigit(ch); }) ||
             std::stoi(s) > 20)
           return UsageError("--retries \"" + s + "\" must be a whole number from 0 to 20");
         c.retries = std::stoi(s);
         return OkStatus();
       }},
      {"--ca-file", "SSL_CERT_FILE", "PATH", "system bundle", "PEM file of trusted CAs",
       Kind::kValue,
       [](Config& c, const std::vector<std::string>& v, const std::string&) {
         c.ca_file = Trim(v.back());
         return OkStatus();
       }},
      {"--auth", "", "auto|secret|oidc|cvm-role", "auto",
       "where credentials come from: stored keys (secret), an OIDC token exchanged with STS "
       "(oidc), this CVM's CAM role (cvm-role), or auto (keys, then OIDC)",
       Kind::kValue,
       [](Config& c, const std::vector<std::string>& v, const std::string& n) -> Status {
         const std::string s = text::Lower(Trim(v.back()));
         if (s == "auto") {
           c.keyless.auth = AuthMode::kAuto;
         } else if (s == "secret") {
           c.keyless.auth = AuthMode::kSecret;
         } else if (s == "oidc") {
           c.keyless.auth = AuthMode::kOidc;
         } else if (s == "cvm-role") {
           c.keyless.auth = AuthMode::kCvmRole;
         } else {
           return UsageError(n + " \"" + v.back() + "\" must be auto, secret, oidc or cvm-role" +
                             DidYouMean(s, {"auto", "secret", "oidc", "cvm-role"}));
         }
         return OkStatus();
       }},
      {"--role-arn", "TENCENTCLOUD_ROLE_ARN TKE_ROLE_ARN", "ARN", "none",
       "the CAM role to assume with the OIDC token: qcs::cam::uin/<uin>:roleName/<name>",
       Kind::kValue,
       [](Config& c, const std::vector<std::string>& v, const std::string&) -> Status {
         std::string arn = Trim(v.back());
         auto st = sts::CheckRoleArn(arn);
         if (!st.ok()) return st.error();
         c.keyless.role_arn = arn;
         return OkStatus();
       }},
      {"--oidc-provider-id", "TENCENTCLOUD_OIDC_PROVIDER_ID TKE_PROVIDER_ID", "NAME",
       "none", "the CAM OIDC identity provider's name (its ProviderId)",
       Kind::kValue,
       [](Config& c, const std::vector<std::string>& v, const std::string& n) -> Status {
         std::string id = Trim(v.back());
         if (id.empty() || id.size() > 128 ||
             !std::all_of(id.begin(), id.end(), [](unsigned char ch) {
               return std::isalnum(ch) || ch == '_' || ch == '-' || ch == '.';
             })) {
           return UsageError(n + " \"" + text::OneLine(text::TruncateUtf8(id, 130)) +
                             "\" is not an identity provider name (letters, digits, _ - .)");
         }
         c.keyless.oidc_provider_id = id;
         return OkStatus();
       }},
      {"--oidc-audience", "audience", "AUD", "sts.tencentcloudapi.com",
       "the audience asked for in the OIDC token: one of the provider's ClientIds", Kind::kValue,
       [](Config& c, const std::vector<std::string>& v, const std::string& n) -> Status {
         std::string a = Trim(v.back());
         if (a.size() > 256 || !std::all_of(a.begin(), a.end(), [](unsigned char ch) {
               return ch > 0x20 && ch < 0x7f;
             })) {
           return UsageError(n + " must be at most 256 printable characters without spaces");
         }
         c.keyless.oidc_audience = a;
         return OkStatus();
       }},
      {"--role-session-name", "TENCENTCLOUD_ROLE_SESSION_NAME", "NAME",
       "github-<run id>-<attempt>, gitlab-<job id>",
       "the session name CAM records for the assumed role (2-64 of letters, digits, _+=,.@-)",
       Kind::kValue,
       [](Config& c, const std::vector<std::string>& v, const std::string&) -> Status {
         std::string s = Trim(v.back());
         auto st = sts::CheckSessionName(s);
         if (!st.ok()) return st.error();
         c.keyless.role_session_name = s;
         return OkStatus();
       }},
      {"--role-duration", "", "S", "3600",
       "lifetime asked for the temporary keys (900-43200 s; renewed during --wait)", Kind::kValue,
       [](Config& c, const std::vector<std::string>& v, const std::string& n) -> Status {
         auto d = ParseDuration(n, v.back());
         if (!d.ok()) return d.error();
         if (*d < static_cast<double>(sts::kMinDuration) ||
             *d > static_cast<double>(sts::kMaxDuration) || *d != std::floor(*d)) {
           return UsageError(n + " \"" + v.back() +
                             "\" must be whole seconds from 900 to 43200 (12h)");
         }
         c.keyless.role_duration_s = static_cast<int64_t>(*d);
         return OkStatus();
       }},
      {"--sts-endpoint", "", "URL",
       "https://sts.tencentcloudapi.com (intl with an intl --endpoint)",
       "STS endpoint for the OIDC exchange", Kind::kValue,
       [](Config& c, const std::vector<std::string>& v, const std::string& n) -> Status {
         auto u = ParseEndpoint(Trim(v.back()));
         if (!u.ok()) return UsageError(n + ": " + u.error().message);
         c.keyless.sts_endpoint = Trim(v.back());
         return OkStatus();
       }},
      {"--output", "", "text|json", "text",
       "stdout format: the TaskID alone, or one JSON object", Kind::kValue,
       [](Config& c, const std::vector<std::string>& v, const std::string&) -> Status {
         std::string o = Trim(v.back());
         if (o == "text")
           c.output = OutputFormat::kText;
         else if (o == "json")
           c.output = OutputFormat::kJson;
         else
           return UsageError("--output \"" + o + "\" must be text or json" +
                             DidYouMean(o, {"text", "json"}));
         return OkStatus();
       }},
      {"--dotenv", "", "PATH",
       "tcss-scan.env under GitLab, Jenkins, Drone, Woodpecker; else off",
       "write a dotenv file (TCSS_TASK_ID=...): a GitLab dotenv report, a Jenkins "
       "readProperties file",
       Kind::kValue,
       [](Config& c, const std::vector<std::string>& v, const std::string&) {
         c.dotenv_path = Trim(v.back());
         c.dotenv_default = false;
         return OkStatus();
       }},
      {"--report-file", "", "PATH", "none",
       "with --wait: write a GitLab container-scanning report (schema 15.0.7)", Kind::kValue,
       [](Config& c, const std::vector<std::string>& v, const std::string&) {
         c.report_file = Trim(v.back());
         return OkStatus();
       }},
      {"--sarif-file", "", "PATH", "none",
       "with --wait: write SARIF 2.1.0 for GitHub code scanning", Kind::kValue,
       [](Config& c, const std::vector<std::string>& v, const std::string&) {
         c.sarif_file = Trim(v.back());
         return OkStatus();
       }},
      {"--junit-file", "", "PATH", "none",
       "with --wait: write JUnit XML for test-report views (GitLab, Jenkins, Azure)",
       Kind::kValue,
       [](Config& c, const std::vector<std::string>& v, const std::string&) {
         c.junit_file = Trim(v.back());
         return OkStatus();
       }},
      {"--findings-file", "", "PATH", "none",
       "with --wait: write the whole triaged result as JSON (schemas/findings-1.schema.json)",
       Kind::kValue,
       [](Config& c, const std::vector<std::string>& v, const std::string&) {
         c.findings_file = Trim(v.back());
         return OkStatus();
       }},
      {"--sbom-file", "", "PATH", "none",
       "with --wait: write a CycloneDX 1.6 SBOM of the scanned images, their packages and "
       "vulnerabilities",
       Kind::kValue,
       [](Config& c, const std::vector<std::string>& v, const std::string&) {
         c.sbom_file = Trim(v.back());
         return OkStatus();
       }},
      {"--cosign-vuln-file", "", "PATH", "none",
       "with --wait: write the predicate of `cosign attest --type vuln` (the findings as its "
       "result)",
       Kind::kValue,
       [](Config& c, const std::vector<std::string>& v, const std::string&) {
         c.cosign_vuln_file = Trim(v.back());
         return OkStatus();
       }},
      {"--ignore-file", "", "PATH",
       ".tcss-scan-ignore when it exists",
       "accepted findings, one a line: ID [exp:YYYY-MM-DD] [image:PATTERN] [# reason]",
       Kind::kValue,
       [](Config& c, const std::vector<std::string>& v, const std::string&) {
         c.ignore_file = Trim(v.back());
         return OkStatus();
       }},
      {"--ignore-unfixed", "", "", "false",
       "findings without a fixed version do not count toward the gate", Kind::kBool,
       [](Config& c, const std::vector<std::string>& v, const std::string& n) {
         return SetBool(c.ignore_unfixed, v, n);
       }},
      {"--vex", "", "PATH", "none",
       "OpenVEX document whose not_affected/fixed statements suppress findings (repeatable; in "
       "the environment one path per line)",
       Kind::kRepeat,
       [](Config& c, const std::vector<std::string>& v, const std::string&) {
         c.vex_files.clear();
         for (const auto& block : v)
           for (const auto& line : text::Split(block, '\n'))
             if (!Trim(line).empty()) c.vex_files.push_back(Trim(line));
         return OkStatus();
       }},
      {"--baseline-image", "", "REF", "none",
       "with --wait: compare with the findings TCSS holds now for this image (the default "
       "branch's push), without scanning it: new, existing and fixed findings",
       Kind::kValue,
       [](Config& c, const std::vector<std::string>& v, const std::string& n) -> Status {
         std::string ref = Trim(v.back());
         if (!ref.empty() && !IsImageId(ref)) {
           auto parsed = ParseImageRef(ref);
           if (!parsed.ok()) return UsageError(n + ": " + parsed.error().message);
         }
         c.baseline_image = ref;
         return OkStatus();
       }},
      {"--baseline-file", "", "PATH", "none",
       "with --wait: compare with a findings file an earlier run wrote (--findings-file)",
       Kind::kValue,
       [](Config& c, const std::vector<std::string>& v, const std::string&) {
         c.baseline_file = Trim(v.back());
         return OkStatus();
       }},
      {"--gate", "", "new|all", "all",
       "what the threshold and --fail-on-findings count: all findings, or only those the "
       "baseline does not hold (new)",
       Kind::kValue,
       [](Config& c, const std::vector<std::string>& v, const std::string&) -> Status {
         std::string g = text::Lower(Trim(v.back()));
         if (g == "new" || g == "all" || g.empty()) {
           c.gate_new = g == "new";
           return OkStatus();
         }
         return UsageError("--gate \"" + Trim(v.back()) + "\" must be new or all" +
                           DidYouMean(g, {"new", "all"}));
       }},
      {"--comment", "", "", "false",
       "with --wait: write the result as one pull-request (GitHub: GITHUB_TOKEN) or "
       "merge-request (GitLab: TCSS_GITLAB_TOKEN) comment, updated in place on every run",
       Kind::kBool,
       [](Config& c, const std::vector<std::string>& v, const std::string& n) {
         return SetBool(c.comment, v, n);
       }},
      {"--platform", "", "NAME", "auto",
       "the CI system whose conventions to follow (auto detects it; tekton must be named)",
       Kind::kValue,
       // Chosen before the other options, whose defaults it sets (ParseConfig).
       [](Config&, const std::vector<std::string>&, const std::string&) { return OkStatus(); }},
      {"--dry-run", "", "", "false",
       "look the images up (read-only), print the create request the run would send (signed, "
       "the signature withheld), create nothing",
       Kind::kBool,
       [](Config& c, const std::vector<std::string>& v, const std::string& n) {
         return SetBool(c.dry_run, v, n);
       }},
      {"--log-level", "", "quiet|info|verbose", "info",
       "detail on stderr (-q = quiet, -v = verbose)", Kind::kValue,
       [](Config& c, const std::vector<std::string>& v, const std::string&) -> Status {
         std::string l = Trim(v.back());
         if (l == "quiet" || l == "error")
           c.log_level = LogLevel::kQuiet;
         else if (l == "info")
           c.log_level = LogLevel::kInfo;
         else if (l == "verbose" || l == "debug")
           c.log_level = LogLevel::kVerbose;
         else
           return UsageError("--log-level \"" + l + "\" must be quiet, info or verbose" +
                             DidYouMean(l, {"quiet", "info", "verbose"}));
         return OkStatus();
       }},
  };
  return kTable;
}

}  // namespace

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    std::string t = Trim(cur);
    if (!t.empty()) out.push_back(t);
    cur.clear();
  };
  for (char c : text) {
    if (c == ',' || c == '\n') {
      flush();
    } else {
      cur.push_back(c);
    }
  }
  flush();
  return out;
}

Result<bool> ParseBool(const std::string& name, const std::string& text) {
  std::string t = Trim(text);
  if (t == "true" || t == "True" || t == "TRUE" || t == "1" || t == "yes") return true;
  if (t == "false" || t == "False" || t == "FALSE" || t == "0" || t == "no") return false;
  return UsageError(name + " \"" + text + "\" must be true or false");
}

Result<double> ParseDuration(const std::string& name, const std::string& text) {
  std::string t = Trim(text);
  auto fail = [&] {
    return UsageError(name + " \"" + text +
                      "\" is not a duration; write seconds such as 30, 1.5 or 90s, or 5m, 1h");
  };
  if (t.empty() || t.size() > 16) return fail();
  double mult = 1;
  char last = t.back();
  if (last == 's' || last == 'm' || last == 'h') {
    mult = last == 'm' ? 60 : last == 'h' ? 3600 : 1;
    t.pop_back();
  }
  if (t.empty()) return fail();
  bool dot = false;
  for (char c : t) {
    if (c == '.' && !dot) {
      dot = true;
    } else if (!std::isdigit(static_cast<unsigned char>(c))) {
      return fail();
    }
  }
  double v = std::strtod(t.c_str(), nullptr) * mult;
  if (!std::isfinite(v)) return fail();
  if (v > 7 * 24 * 3600) {
    return UsageError(name + " \"" + text + "\" is longer than the 7-day cap (604800 s, 168h)");
  }
  return v;
}

const std::vector<OptionInfo>& Options() {
  static const std::vector<OptionInfo> kInfo = [] {
    std::vector<OptionInfo> out;
    for (const auto& o : Table()) {
      OptionInfo i;
      i.flag = o.flag;
      i.input = i.flag.substr(2);
      i.env = "TCSS_" + i.input;
      for (char& ch : i.env) ch = ch == '-' ? '_' : static_cast<char>(std::toupper(ch));
      i.metavar = o.metavar;
      i.def = o.def;
      i.help = o.help;
      i.takes_value = o.kind != Kind::kBool;
      for (const auto& a : text::Split(o.aliases, ' ')) {
        if (a.empty()) continue;
        if (a.compare(0, 2, "--") == 0) {
          i.flag_aliases.push_back(a);
        } else if (std::isupper(static_cast<unsigned char>(a[0]))) {
          i.env_aliases.push_back(a);
        } else {
          i.input_aliases.push_back(a);
        }
      }
      out.push_back(std::move(i));
    }
    return out;
  }();
  return kInfo;
}

const OptionInfo* FindOption(const std::string& flag) {
  for (const auto& o : Options()) {
    if (o.flag == flag ||
        std::find(o.flag_aliases.begin(), o.flag_aliases.end(), flag) != o.flag_aliases.end()) {
      return &o;
    }
  }
  return nullptr;
}

const char* AuthModeName(AuthMode m) {
  switch (m) {
    case AuthMode::kSecret:
      return "secret";
    case AuthMode::kOidc:
      return "oidc";
    case AuthMode::kCvmRole:
      return "cvm-role";
    case AuthMode::kAuto:
      break;
  }
  return "auto";
}

const char* SourceName(Source s) {
  switch (s) {
    case Source::kRegistry:
      return "registry";
    case Source::kLocal:
      return "local";
    case Source::kAuto:
      break;
  }
  return "auto";
}

namespace {
Error UnknownOption(const std::string& name) {
  std::vector<std::string> flags = {"--help", "--version"};
  for (const auto& o : Options()) {
    flags.push_back(o.flag);
    flags.insert(flags.end(), o.flag_aliases.begin(), o.flag_aliases.end());
  }
  // "-image" or "---wait": the dashes are not what is misspelt.
  std::string word = name;
  if (word.compare(0, 2, "--") != 0) word = "-" + word;
  while (word.compare(0, 3, "---") == 0) word.erase(0, 1);
  std::string near = text::Closest(word, flags);
  return UsageError("unknown option " + text::OneLine(text::TruncateUtf8(name, 64)) +
                    (near.empty() ? "" : "; did you mean " + near + "?") +
                    " (tcss-scan --help lists every option)");
}

// A first word that is another scanner's verb (`trivy image`, `grype`'s `scan`, `docker scout
// cves`) or a misspelt command, with no registry, tag or digest: refused before any call, with
// the command meant. An image of that bare name is still scanned by its full reference.
Status GuessedCommand(const std::string& word, const std::vector<std::string>& args, size_t at) {
  if (word.find_first_of("/:@.") != std::string::npos || word.size() > 32) return OkStatus();
  static const std::vector<std::string> kVerbs = {
      "scan", "run",   "check", "image", "images", "analyze", "analyse", "inspect", "test", "cves",
      "vuln", "vulns", "sbom",  "fs",    "repo",   "start",   "create",  "task",    "wait", "get"};
  static const std::vector<std::string> kCommands = {"submit",  "push", "status",
                                                     "version", "help", "completion"};
  const std::string lower = text::Lower(word);
  std::string meant;
  if (std::find(kVerbs.begin(), kVerbs.end(), lower) != kVerbs.end()) {
    meant = lower == "wait" || lower == "get" ? "status" : "submit";
  } else {
    meant = text::Closest(lower, kCommands);
    if (meant.empty()) return OkStatus();
  }
  std::string rest;
  for (size_t j = at + 1; j < args.size(); ++j) rest += " " + args[j];
  std::string example = meant == "submit" ? (rest.empty() ? " IMAGE" : rest)
                                          : " " + meant + (rest.empty() ? "" : rest);
  return UsageError(fmt::format(
      "\"{}\" is not a tcss-scan command; did you mean: tcss-scan{}? (commands: [submit] "
      "IMAGE..., push IMAGE, status TASK_ID; an image called \"{}\" is "
      "docker.io/library/{}:latest)",
      text::OneLine(word), text::OneLine(text::TruncateUtf8(example, 200)), text::OneLine(word),
      text::OneLine(lower)));
}
}  // namespace

std::vector<std::pair<std::string, std::string>> ReportFiles(const Config& c) {
  return {{"--report-file", c.report_file}, {"--sarif-file", c.sarif_file},
          {"--junit-file", c.junit_file},   {"--findings-file", c.findings_file},
          {"--sbom-file", c.sbom_file},     {"--cosign-vuln-file", c.cosign_vuln_file}};
}

Result<Config> ParseConfig(const EnvMap& env, const std::vector<std::string>& args_in) {
  Config c;
  const auto& table = Table();
  std::vector<std::vector<std::string>> flag_values(table.size());
  std::vector<std::string> positional;
  std::vector<std::string> args = args_in;

  // Docker CLI plugin protocol: `docker-tcss docker-cli-plugin-metadata` (app::Run strips the
  // plugin name Docker passes first when it runs `docker tcss ARGS...`).
  if (!args.empty() && args[0] == "docker-cli-plugin-metadata") {
    c.command = Command::kPluginMetadata;
    return c;
  }
  bool commands_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      for (size_t j = i + 1; j < args.size(); ++j) positional.push_back(args[j]);
      break;
    }
    if (a == "--help" || a == "-h") {
      c.command = Command::kHelp;
      return c;
    }
    if (a == "--version") {
      c.command = Command::kVersion;
      return c;
    }
    if (a == "-v") {
      flag_values[table.size() - 1] = {"verbose"};
      continue;
    }
    if (a == "-q") {
      flag_values[table.size() - 1] = {"quiet"};
      continue;
    }
    if (a.size() > 1 && a[0] == '-') {
      std::string name = a;
      std::string value;
      bool has_value = false;
      size_t eq = a.find('=');
      if (eq != std::string::npos && a.compare(0, 2, "--") == 0) {
        name = a.substr(0, eq);
        value = a.substr(eq + 1);
        has_value = true;
      }
      const OptionInfo* info = FindOption(name);
      if (info == nullptr) return UnknownOption(name);
      size_t idx = static_cast<size_t>(info - Options().data());
      auto it = table.begin() + static_cast<std::ptrdiff_t>(idx);
      if (it->kind == Kind::kBool) {
        flag_values[idx] = {has_value ? value : "true"};
        continue;
      }
      if (!has_value) {
        if (i + 1 >= args.size()) return UsageError(name + " needs a value (" + it->metavar + ")");
        value = args[++i];
      }
      if (it->kind == Kind::kRepeat) {
        flag_values[idx].push_back(value);
      } else {
        flag_values[idx] = {value};
      }
      continue;
    }
    if (!commands_done && positional.empty()) {
      commands_done = true;
      if (a == "submit") continue;
      if (a == "status") {
        c.command = Command::kStatus;
        continue;
      }
      if (a == "push") {
        c.command = Command::kPush;
        continue;
      }
      if (a == "version") {
        c.command = Command::kVersion;
        return c;
      }
      if (a == "help") {
        c.command = i + 1 < args.size() && args[i + 1] == "--man" ? Command::kMan : Command::kHelp;
        return c;
      }
      if (a == "completion") {
        if (i + 2 != args.size()) {
          return UsageError("completion takes one shell: tcss-scan completion bash|zsh|fish");
        }
        c.command = Command::kCompletion;
        c.shell = args[i + 1];
        return c;
      }
      auto guessed = GuessedCommand(a, args, i);
      if (!guessed.ok()) return guessed.error();
    }
    positional.push_back(a);
  }

  // The platform first: it sets defaults the precedence rule below may override.
  {
    size_t at = 0;
    while (std::string(table[at].flag) != "--platform") ++at;
    std::string requested =
        flag_values[at].empty() ? Get(env, Options()[at].env) : flag_values[at].back();
    auto platform = platforms::Choose(env, requested);
    if (!platform.ok()) return platform.error();
    c.platform = *platform;
    c.dotenv_path = c.platform->DefaultDotenv();
    c.dotenv_default = !c.dotenv_path.empty();
  }

  // Precedence, written once: flag > environment > platform default (above) > built-in default.
  for (size_t i = 0; i < table.size(); ++i) {
    const Option& o = table[i];
    std::vector<std::string> values = flag_values[i];
    std::string source = o.flag;
    if (i == 0 && !positional.empty() && c.command == Command::kSubmit) {
      values.insert(values.end(), positional.begin(), positional.end());
    }
    if (values.empty()) {
      // The variable, then its aliases (the Tencent SDKs' names) when it is unset or empty
      // (an unset action input is an empty variable).
      const OptionInfo& info = Options()[i];
      std::string e;
      for (size_t a = 0; a <= info.env_aliases.size() && Trim(e).empty(); ++a) {
        source = a == 0 ? info.env : info.env_aliases[a - 1];
        e = Get(env, source);
      }
      if (Trim(e).empty()) continue;
      values = {e};
    }
    Status st = o.apply(c, values, source);
    if (!st.ok()) {
      Error err = st.error();
      if (source != o.flag && err.message.find(source) == std::string::npos) {
        err.message += " (from " + source + ")";
      }
      return err;
    }
  }

  if (!c.baseline_image.empty() && !c.baseline_file.empty()) {
    return UsageError(
        "--baseline-image and --baseline-file both name a baseline: give one (the image to "
        "compare with TCSS's findings for it now, the file to compare with an earlier run's)");
  }
  if (c.gate_new && c.baseline_image.empty() && c.baseline_file.empty()) {
    return UsageError(
        "--gate new counts what the baseline does not hold, but none is given: add "
        "--baseline-image REF (the default branch's image) or --baseline-file PATH");
  }
  if (c.command == Command::kSubmit || c.command == Command::kPush) {
    // Whatever reads findings needs the scan's end: it implies --wait, and an explicit
    // --wait=false beside it is a contradiction, not a gate silently off.
    const std::pair<bool, const char*> needs[] = {
        {c.severity_threshold.has_value(), "--severity-threshold"},
        {c.gate_virus || c.gate_risk, "--fail-on-findings"},
        {!c.baseline_image.empty(), "--baseline-image"},
        {!c.baseline_file.empty(), "--baseline-file"},
        {c.gate_new, "--gate new"},
        {c.comment, "--comment"},
    };
    std::vector<std::pair<bool, std::string>> all(std::begin(needs), std::end(needs));
    for (const auto& [flag, path] : ReportFiles(c)) all.emplace_back(!path.empty(), flag);
    for (const auto& [needed, what] : all) {
      if (!needed || c.wait) continue;
      if (!c.wait_given.empty()) {
        return UsageError(fmt::format(
            "{} reads the scan's findings, which exist only once the scan ends, but {} says not "
            "to wait: drop {}=false, or drop {}",
            what, c.wait_given, c.wait_given, what));
      }
      c.wait = true;
      c.wait_implied = what;
    }
  }

  if (c.command == Command::kPush) {
    if (positional.size() != 1 || IsImageId(positional[0])) {
      return UsageError(
          "push needs exactly one image reference: tcss-scan push IMAGE (as a Docker "
          "CLI plugin: docker tcss push IMAGE)");
    }
    auto ref = ParseImageRef(positional[0]);
    if (!ref.ok()) return ref.error();
    c.push_image = positional[0];
    c.images = {positional[0]};
    c.image_source = "the pushed image";
  }
  if (c.command == Command::kStatus) {
    if (positional.size() != 1) {
      return UsageError("status needs exactly one TASK_ID: tcss-scan status TASK_ID [--wait]");
    }
    c.task_id = positional[0];
    if (!IsValidTaskId(c.task_id)) {
      return UsageError("\"" + c.task_id + "\" is not a TaskID (letters, digits, '.', '_', '-')");
    }
    if (c.source == Source::kAuto) {
      // Registry TaskIDs are uint64 numbers, local ones are not only digits.
      bool digits = std::all_of(c.task_id.begin(), c.task_id.end(),
                                [](unsigned char ch) { return std::isdigit(ch) != 0; });
      c.source = digits ? Source::kRegistry : Source::kLocal;
    }
    if (c.images.empty()) c.images = SplitList(Get(env, "TCSS_IMAGE_IDS"));
    for (const auto& id : c.images) {
      // An ID of the task's source, or a reference (a later job inherits TCSS_IMAGES) that is
      // looked up as the submission did.
      bool registry_id =
          !id.empty() && id.size() <= 20 &&
          std::all_of(id.begin(), id.end(), [](unsigned char ch) { return std::isdigit(ch) != 0; });
      if ((c.source == Source::kRegistry && registry_id) ||
          (c.source == Source::kLocal && IsImageId(id))) {
        continue;
      }
      if (IsImageId(id) || registry_id || !ParseImageRef(id).ok()) {
        return UsageError(
            fmt::format("status of a {} task takes {} or image references, not \"{}\"",
                        c.source == Source::kRegistry ? "registry" : "local",
                        c.source == Source::kRegistry ? "registry image Ids (digits)"
                                                      : "image IDs (sha256:...)",
                        id));
      }
    }
    c.image_source = "--image/TCSS_IMAGES/TCSS_IMAGE_IDS";
    if (c.images.empty() && (c.severity_threshold || c.gate_virus || c.gate_risk)) {
      // Without images no findings can be read, and a gate that reads nothing always passes.
      return UsageError(
          "status with --severity-threshold/--fail-on-findings needs the image IDs: pass --image "
          "or TCSS_IMAGE_IDS (the submitting job's dotenv report has it)");
    }
  }

  if (!c.images.empty() && c.image_source.empty()) c.image_source = "arguments/TCSS_IMAGES";
  if (c.command == Command::kSubmit || c.command == Command::kPush) {
    if ((c.all || !c.filters.empty()) && !c.images.empty()) {
      return UsageError(
          "images and --all/--filter are two ways to choose what to scan; use one of them");
    }
    if ((c.all || !c.filters.empty()) && (c.severity_threshold || c.gate_virus || c.gate_risk)) {
      return UsageError(
          "--severity-threshold and --fail-on-findings need the images named (not --all/--filter), "
          "so that their findings can be read");
    }
    if (!c.exclude_image_ids.empty() && !c.all && c.filters.empty()) {
      return UsageError("--exclude-image-id narrows --all or --filter; add one of them");
    }
    // Each source excludes by its own kind of Id; one it cannot use must not be dropped
    // silently (every image would then be scanned).
    for (const auto& id : c.exclude_image_ids) {
      if (c.source == Source::kRegistry && !IsListId(id)) {
        return UsageError("--exclude-image-id \"" + id +
                          "\": registry images are left out by their registry list Id (digits, "
                          "the image-ids output of a registry scan)");
      }
      if (c.source != Source::kRegistry && !IsImageId(id)) {
        return UsageError("--exclude-image-id \"" + id +
                          "\" is a registry list Id: add "
                          "--source registry to leave registry images out");
      }
    }
    if (!c.all && c.filters.empty() && c.images.empty()) {
      auto from_pipeline = platforms::ImagesFromPipeline(env, *c.platform);
      if (!from_pipeline.ok()) return from_pipeline.error();
      if (from_pipeline->images.empty()) {
        std::string looked = "IMAGE arguments, --images, TCSS_IMAGES";
        for (const auto& l : from_pipeline->looked_at) looked += ", " + l;
        return UsageError("no image to scan: looked at " + looked +
                          "; pass one as an argument, e.g. tcss-scan registry/ns/app:tag");
      }
      c.images = from_pipeline->images;
      c.image_source = from_pipeline->source;
      if (c.digest.empty() && !from_pipeline->digest.empty()) {
        Status st = SetDigest(c, from_pipeline->digest, c.image_source);
        if (!st.ok()) return st.error();
      }
    }
    std::vector<std::string> unique;
    for (const auto& img : c.images) {
      if (!IsImageId(img)) {
        auto ref = ParseImageRef(img);
        if (!ref.ok()) {
          Error e = ref.error();
          e.message += " (from " + c.image_source + ")";
          return e;
        }
      }
      if (std::find(unique.begin(), unique.end(), img) == unique.end()) unique.push_back(img);
    }
    c.images = unique;
    if (!c.digest.empty()) {
      // The pushed manifest: every reference becomes repository@digest (the tags of one push
      // name one manifest, so they collapse into one).
      std::vector<std::string> pinned;
      for (const auto& img : c.images) {
        std::string p = img;
        if (!IsImageId(img)) {
          auto ref = ParseImageRef(img);
          p = ref->domain + "/" + ref->path + "@" + c.digest;
        }
        if (std::find(pinned.begin(), pinned.end(), p) == pinned.end()) pinned.push_back(p);
      }
      c.images = pinned;
    }
    if (c.images.size() > 1000) return UsageError("at most 1000 images per run");
  }

  // Proxy settings are read here so that the transport never touches the environment.
  auto first_of = [&](std::initializer_list<const char*> keys) {
    for (const char* k : keys) {
      std::string v = Trim(Get(env, k));
      if (!v.empty()) return v;
    }
    return std::string();
  };
  bool https = c.endpoint.compare(0, 8, "https://") == 0;
  c.https_proxy = https ? first_of({"HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"})
                        : first_of({"HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"});
  c.no_proxy = first_of({"NO_PROXY", "no_proxy"});
  if (!c.https_proxy.empty()) {
    auto p = ParseUrl(c.https_proxy.find("://") == std::string::npos ? "http://" + c.https_proxy
                                                                     : c.https_proxy);
    if (!p.ok() || p->scheme != "http") {
      return UsageError("the proxy setting \"" + RedactUserinfo(c.https_proxy) +
                        "\" is not an http://host:port URL (HTTPS_PROXY/HTTP_PROXY)" +
                        (p.ok() ? "" : ": " + p.error().message));
    }
  }
  return c;
}

namespace {
Status CheckSecret(const std::string& what, const std::string& value) {
  for (char ch : value) {
    if (static_cast<unsigned char>(ch) <= 0x20 || static_cast<unsigned char>(ch) == 0x7f) {
      return UsageError(what +
                        " contains whitespace or a control character; copy it again without spaces "
                        "or line breaks");
    }
  }
  return OkStatus();
}
}  // namespace

Result<std::optional<Credentials>> CredentialsFromEnv(const EnvMap& env) {
  Credentials cr;
  cr.secret_id = Get(env, "TENCENTCLOUD_SECRET_ID");
  cr.secret_key = Get(env, "TENCENTCLOUD_SECRET_KEY");
  cr.token = Get(env, "TENCENTCLOUD_SESSION_TOKEN");
  if (cr.token.empty()) cr.token = Get(env, "TENCENTCLOUD_TOKEN");
  cr.source = "environment";
  if (cr.secret_id.empty() && cr.secret_key.empty()) {
    if (!cr.token.empty()) {
      return UsageError(
          "a session token is set but TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY are not; "
          "set all three");
    }
    return std::optional<Credentials>();
  }
  if (cr.secret_id.empty())
    return UsageError("TENCENTCLOUD_SECRET_ID is empty; set it with TENCENTCLOUD_SECRET_KEY");
  if (cr.secret_key.empty())
    return UsageError("TENCENTCLOUD_SECRET_KEY is empty; set it with TENCENTCLOUD_SECRET_ID");
  for (auto [what, value] :
       {std::pair<std::string, std::string>{"TENCENTCLOUD_SECRET_ID", cr.secret_id},
        {"TENCENTCLOUD_SECRET_KEY", cr.secret_key},
        {"the session token", cr.token}}) {
    auto st = CheckSecret(what, value);
    if (!st.ok()) return st.error();
  }
  return std::optional<Credentials>(cr);
}

std::string CredentialsFilePath(const EnvMap& env) {
  std::string p = Get(env, "TENCENTCLOUD_CREDENTIALS_FILE");
  if (!p.empty()) return p;
  std::string home = Get(env, "HOME");
  if (home.empty()) return "";
  return home + "/.tencentcloud/credentials";
}

Result<Credentials> ParseCredentialsFile(const std::string& path, const std::string& text_in) {
  Credentials cr;
  cr.source = path;
  // Editors on Windows start UTF-8 files with a byte order mark; it is not part of the INI.
  const std::string kBom = "\xEF\xBB\xBF";
  std::string_view text = text_in;
  if (text.compare(0, kBom.size(), kBom) == 0) text.remove_prefix(kBom.size());
  std::string section;
  size_t start = 0;
  int line_no = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    std::string line = Trim(text.substr(start, nl == std::string::npos ? nl : nl - start));
    ++line_no;
    if (!line.empty() && line[0] != '#' && line[0] != ';') {
      if (line.front() == '[') {
        if (line.back() != ']') {
          return UsageError(fmt::format("{} line {}: unclosed section header", path, line_no));
        }
        section = Trim(line.substr(1, line.size() - 2));
      } else if (section == "default") {
        size_t eq = line.find('=');
        if (eq == std::string::npos) {
          return UsageError(fmt::format("{} line {}: expected key = value", path, line_no));
        }
        std::string key = Trim(line.substr(0, eq));
        std::string value = Trim(line.substr(eq + 1));
        if (key == "secret_id")
          cr.secret_id = value;
        else if (key == "secret_key")
          cr.secret_key = value;
        else if (key == "token")
          cr.token = value;
      }
    }
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  if (cr.secret_id.empty() || cr.secret_key.empty()) {
    return UsageError(path +
                      " has no [default] section with secret_id and secret_key; set "
                      "TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY instead");
  }
  for (auto [what, value] :
       {std::pair<std::string, std::string>{"secret_id in " + path, cr.secret_id},
        {"secret_key in " + path, cr.secret_key},
        {"token in " + path, cr.token}}) {
    auto st = CheckSecret(what, value);
    if (!st.ok()) return st.error();
  }
  return cr;
}

const std::vector<std::pair<std::string, std::string>>& ExitCodes() {
  static const std::vector<std::pair<std::string, std::string>> kCodes = {
      {"0",
       "submitted (with --wait: finished under the threshold); or an API error that --fail-on "
       "does not select (a warning is printed)"},
      {"1", "the API rejected the call with an error code that --fail-on selects"},
      {"2", "with --wait: findings at or above the threshold"},
      {"3", "the service could not be reached, or its answer was not a valid API response"},
      {"4", "usage or configuration error; nothing was sent"},
      {"5", "with --wait: the scan did not finish within --wait-timeout"},
      {"6",
       "the task was submitted, but stdout or a CI output file could not be written (the TaskID "
       "went to every output that worked, and to stderr)"},
      {"7", "push: docker push failed, so nothing was scanned"},
      {"130", "interrupted"}};
  return kCodes;
}

std::string VersionText() {
  return fmt::format("tcss-scan {} (TCSS API 2020-11-01, action CreateAssetImageScanTask)\n",
                     TCSS_VERSION);
}

std::string HelpText() {
  std::string out =
      "Usage:\n"
      "  tcss-scan [submit] [OPTIONS] [IMAGE...]   submit a scan (CreateAssetImageScanTask)\n"
      "  tcss-scan push [OPTIONS] IMAGE            docker push IMAGE, then scan the manifest it\n"
      "                                            pushed (plugin: docker tcss push IMAGE)\n"
      "  tcss-scan status TASK_ID [--wait]         show (or wait for) a task's progress\n"
      "  tcss-scan version | --version             version and API version\n"
      "  tcss-scan help | --help                   this text (help --man: the man page)\n"
      "  tcss-scan completion bash|zsh|fish        shell completion: source <(tcss-scan completion "
      "bash)\n"
      "\n"
      "Options (flag | environment variable | GitHub input; flag > env > CI default > default):\n";
  for (const auto& o : Options()) {
    std::string flag = o.flag;
    if (!o.metavar.empty()) flag += " " + o.metavar;
    out += fmt::format("  {:<34} {}\n  {:<34} env {} | input {} | default {}\n", flag, o.help, "",
                       o.env, o.input, o.def);
    std::vector<std::string> also = o.flag_aliases;
    for (const auto& e : o.env_aliases) also.push_back(e + " (when " + o.env + " is unset)");
    for (const auto& i : o.input_aliases) also.push_back("input " + i + " (deprecated)");
    if (!also.empty()) out += fmt::format("  {:<34} also {}\n", "", fmt::join(also, ", "));
  }
  out +=
      "  -v, -q                             shorthand for --log-level verbose / quiet\n"
      "\n"
      "Credentials (never flags): TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY,\n"
      "  TENCENTCLOUD_SESSION_TOKEN (or TENCENTCLOUD_TOKEN); else ~/.tencentcloud/credentials\n"
      "  ([default] secret_id, secret_key, token; TENCENTCLOUD_CREDENTIALS_FILE overrides the "
      "path).\n"
      "Keyless (--auth oidc, or auto without keys): the OIDC token comes from GitHub\n"
      "  (permissions: id-token: write), TENCENTCLOUD_OIDC_TOKEN (GitLab id_tokens), or the file\n"
      "  in TKE_WEB_IDENTITY_TOKEN_FILE; STS region: --region, else TKE_REGION, else "
      "ap-guangzhou.\n"
      "  --auth cvm-role reads this CVM's role from the metadata service (TCSS_METADATA_ENDPOINT\n"
      "  overrides http://metadata.tencentyun.com).\n"
      "Proxy: HTTPS_PROXY / HTTP_PROXY / NO_PROXY (any case).\n"
      "\n"
      "Exit codes:\n";
  for (const auto& [code, meaning] : ExitCodes()) {
    // Wrapped at 92 columns, continuation lines under the meaning.
    std::string line = fmt::format("  {:<4} ", code);
    size_t width = line.size();
    for (const auto& word : text::Split(meaning, ' ')) {
      if (width + word.size() + 1 > 92 && width > 7) {
        out += line + "\n";
        line = "       ";
        width = line.size();
      } else if (width > 7) {
        line += ' ';
        ++width;
      }
      line += word;
      width += word.size();
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace tcss
