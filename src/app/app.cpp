#include "app/app.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "app/api_client.h"
#include "app/logger.h"
#include "core/api.h"
#include "core/image_ref.h"
#include "core/outputs.h"
#include "core/policy.h"

namespace tcss::app {

namespace {

constexpr size_t kNamesPerQuery = 50;
constexpr int64_t kPageSize = 100;
constexpr int kMaxPages = 200;

std::string Describe(const Error& e) {
  std::string s = e.message;
  if (!e.code.empty()) s += " [" + e.code + "]";
  if (!e.request_id.empty()) s += " (RequestId " + e.request_id + ")";
  return s;
}

std::string ParentDir(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

class Runner {
 public:
  Runner(const Config& c, const EnvMap& env, Ports& p, Logger& log)
      : c_(c), env_(env), p_(p), log_(log) {}

  int Submit();

 private:
  Status CheckOutputPaths();
  Result<Credentials> LoadCredentials();
  Result<std::vector<ImageResult>> Resolve(ApiClient& client, std::vector<std::string> refs);
  int Finish();
  Status WriteOutputs();
  void Fail(Error e) { report_.error = std::move(e); }

  const Config& c_;
  const EnvMap& env_;
  Ports& p_;
  Logger& log_;
  RunReport report_;
};

Result<Credentials> Runner::LoadCredentials() {
  auto from_env = CredentialsFromEnv(env_);
  if (!from_env.ok()) return from_env.error();
  if (from_env->has_value()) return **from_env;
  std::string path = CredentialsFilePath(env_);
  if (path.empty() || !p_.files.Exists(path)) {
    return UsageError(
        "no credentials: set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY (as masked CI "
        "variables/secrets), or create " +
        (path.empty() ? std::string("~/.tencentcloud/credentials") : path));
  }
  auto text = p_.files.Read(path);
  if (!text.ok())
    return UsageError("cannot read credentials file " + path + ": " + text.error().message);
  return ParseCredentialsFile(path, *text);
}

Status Runner::CheckOutputPaths() {
  std::vector<std::pair<std::string, std::string>> paths = {
      {"--dotenv/TCSS_DOTENV", c_.dotenv_path},
      {"GITHUB_OUTPUT", c_.github_output},
      {"GITHUB_STEP_SUMMARY", c_.github_step_summary}};
  for (const auto& [what, path] : paths) {
    if (path.empty()) continue;
    if (!p_.files.DirectoryExists(ParentDir(path))) {
      return UsageError(what + " points into a directory that does not exist: " + path +
                        "; create the directory or change the path");
    }
  }
  if (!c_.ca_file.empty() && !p_.files.Read(c_.ca_file).ok()) {
    return UsageError("cannot read the CA file " + c_.ca_file +
                      " (--ca-file/SSL_CERT_FILE); point it at a readable PEM file");
  }
  return OkStatus();
}

Result<std::vector<ImageResult>> Runner::Resolve(ApiClient& client, std::vector<std::string> refs) {
  std::vector<ImageResult> out;
  struct Pending {
    std::string reference;
    std::string normalized;
    std::string familiar;
  };
  std::vector<Pending> pending;
  for (const auto& r : refs) {
    if (IsImageId(r) || c_.no_resolve) {
      out.push_back({r, r});
      continue;
    }
    auto ref = ParseImageRef(r);
    if (!ref.ok()) return ref.error();  // validated in ParseConfig already
    pending.push_back({r, ref->Normalized(), ref->Familiar()});
  }
  if (pending.empty()) return out;

  const int64_t start = p_.clock.MonotonicMillis();
  const int64_t budget = static_cast<int64_t>(c_.resolve_timeout_s * 1000);
  int64_t poll_ms = 2000;
  std::map<std::string, std::vector<std::string>> found;  // normalized → image IDs
  while (true) {
    for (size_t b = 0; b < pending.size(); b += kNamesPerQuery) {
      std::vector<std::string> names;
      std::set<std::string> wanted;
      for (size_t i = b; i < std::min(pending.size(), b + kNamesPerQuery); ++i) {
        if (found.count(pending[i].normalized)) continue;
        names.push_back(pending[i].familiar);
        wanted.insert(pending[i].normalized);
      }
      if (names.empty()) continue;
      for (int page = 0; page < kMaxPages; ++page) {
        auto resp = client.Call(
            "DescribeAssetImageList",
            api::DescribeImageListBody("ImageName", names, kPageSize, page * kPageSize));
        if (!resp.ok()) return resp.error();
        auto list = api::ParseImageList(*resp);
        if (!list.ok()) return list.error();
        for (const auto& img : list->images) {
          auto name = ParseImageRef(img.image_name);
          if (!name.ok() || !IsImageId(img.image_id)) continue;
          std::string n = name->Normalized();
          if (!wanted.count(n)) continue;
          auto& ids = found[n];
          if (std::find(ids.begin(), ids.end(), img.image_id) == ids.end()) {
            ids.push_back(img.image_id);
          }
        }
        if (list->images.empty() || (page + 1) * kPageSize >= list->total) break;
      }
    }
    bool all_found = std::all_of(pending.begin(), pending.end(),
                                 [&](const Pending& pd) { return found.count(pd.normalized) > 0; });
    int64_t elapsed = p_.clock.MonotonicMillis() - start;
    if (all_found || elapsed + poll_ms > budget) break;
    log_.Info(fmt::format("waiting for TCSS to report {} image(s) (checked for {:.0f}s of {}s)",
                          pending.size() - found.size(), static_cast<double>(elapsed) / 1000,
                          c_.resolve_timeout_s));
    if (!p_.sleeper.SleepMillis(poll_ms))
      return Error{ErrorKind::kInterrupted, "", "interrupted", ""};
    poll_ms = std::min<int64_t>(poll_ms * 2, 10000);
  }
  std::vector<std::string> missing;
  for (const auto& pd : pending) {
    auto it = found.find(pd.normalized);
    if (it == found.end()) {
      missing.push_back(pd.reference);
      continue;
    }
    if (it->second.size() > 1) {
      log_.Warn(fmt::format("{} matches {} image IDs; scanning all of them", pd.reference,
                            it->second.size()));
    }
    for (const auto& id : it->second) {
      log_.Verbose(pd.reference + " -> " + id);
      out.push_back({pd.reference, id});
    }
  }
  if (!missing.empty()) {
    std::string names;
    for (const auto& m : missing) names += (names.empty() ? "" : ", ") + m;
    Error e{ErrorKind::kApi, "ResourceNotFound.Image",
            fmt::format("TCSS does not know {} (looked for {}s; the image must be on a host "
                        "with the TCSS agent, or raise --resolve-timeout)",
                        names, c_.resolve_timeout_s),
            ""};
    // Keep what resolved, so that an unselected code can still scan the rest.
    report_.images = out;
    return e;
  }
  return out;
}

Status Runner::WriteOutputs() {
  // Everything the step knows goes out, also on failure; a write failure is reported after.
  Status status = OkStatus();
  if (c_.output == OutputFormat::kJson) {
    p_.out << JsonReport(report_) << std::flush;
  } else if (!report_.task_id.empty()) {
    p_.out << report_.task_id << '\n' << std::flush;
  }
  bool failed = report_.error && !report_.error_is_warning;
  if (c_.platform == Platform::kGithub && report_.error) {
    p_.out << WorkflowAnnotation(failed ? "error" : "warning", "tcss-scan",
                                 log_.Scrub(Describe(*report_.error)))
           << std::flush;
  }
  if (!c_.github_output.empty() && !report_.task_id.empty()) {
    std::string text;
    for (const auto& [name, value] : GithubOutputs(report_)) {
      Result<std::string> entry = UsageError("");
      for (int i = 0; i < 5 && !entry.ok(); ++i) {
        entry = GithubOutputEntry(name, value, "ghadelimiter_" + p_.random.Hex(16));
      }
      if (!entry.ok()) return entry.error();
      text += *entry;
    }
    auto st = p_.files.Append(c_.github_output, text);
    if (!st.ok()) status = st;
  }
  if (!c_.github_step_summary.empty()) {
    auto st = p_.files.Append(c_.github_step_summary, log_.Scrub(GithubSummaryMarkdown(report_)));
    if (!st.ok()) status = st;
  }
  if (!c_.dotenv_path.empty() && !report_.task_id.empty()) {
    auto content = DotenvContent(DotenvVars(report_));
    if (!content.ok()) return content.error();
    auto st = p_.files.WriteAtomic(c_.dotenv_path, *content);
    if (!st.ok()) status = st;
  }
  return status;
}

int Runner::Finish() {
  int code = 0;
  if (report_.error) {
    Error& e = *report_.error;
    if (e.kind == ErrorKind::kApi && !FailOnSelects(c_.fail_on, e.code)) {
      report_.error_is_warning = true;
      log_.Warn(Describe(e) + " (not selected by --fail-on, so the build goes on)");
    } else {
      log_.Error(Describe(e));
      code = ExitCodeFor(e.kind);
    }
  }
  auto st = WriteOutputs();
  if (!st.ok()) {
    log_.Error("could not write the CI outputs: " + st.error().message);
    if (code == 0) code = ExitCodeFor(ErrorKind::kUsage);
  }
  return code;
}

int Runner::Submit() {
  report_.selection = c_.all ? "all" : !c_.filters.empty() ? "filters" : "images";
  auto st = CheckOutputPaths();
  if (!st.ok()) {
    log_.Error(st.error().message);
    return ExitCodeFor(ErrorKind::kUsage);
  }
  auto creds = LoadCredentials();
  if (!creds.ok()) {
    Fail(creds.error());
    return Finish();
  }
  log_.AddSecret(creds->secret_key);
  log_.AddSecret(creds->token);
  if (c_.platform == Platform::kGithub && !creds->token.empty()) {
    p_.out << AddMaskCommand(creds->token) << std::flush;
  }
  auto endpoint = ParseEndpoint(c_.endpoint);
  if (!endpoint.ok()) {
    Fail(endpoint.error());
    return Finish();
  }
  ClientSettings settings;
  settings.endpoint = *endpoint;
  settings.credentials = *creds;
  settings.region = c_.region;
  settings.language = c_.language;
  settings.timeout_s = c_.timeout_s;
  settings.retries = c_.retries;

  log_.Verbose(fmt::format("platform: {}; images from {}; endpoint {}", PlatformName(c_.platform),
                           c_.image_source.empty() ? "-" : c_.image_source, c_.endpoint));
  if (c_.dry_run) {
    for (const auto& i : c_.images) report_.images.push_back({i, IsImageId(i) ? i : ""});
    std::string body = api::CreateScanTaskBody(c_, c_.images);
    HttpRequest req =
        BuildSignedRequest(settings, "CreateAssetImageScanTask", body, p_.clock.UnixSeconds());
    report_.dry_run = true;
    log_.Info("dry run: this is the request that would be sent; nothing was sent");
    if (c_.output == OutputFormat::kText) p_.out << log_.Scrub(DescribeRequest(req)) << std::flush;
    return Finish();
  }

  TransportOptions topts{*endpoint, c_.ca_file, c_.https_proxy, c_.no_proxy};
  auto transport = p_.make_transport(topts);
  if (!transport.ok()) {
    Fail(transport.error());
    return Finish();
  }
  ApiClient client(**transport, p_.clock, p_.sleeper, p_.random, log_, settings);

  std::vector<std::string> ids;
  if (!c_.images.empty()) {
    auto resolved = Resolve(client, c_.images);
    if (!resolved.ok()) {
      Fail(resolved.error());
      if (resolved.error().kind != ErrorKind::kApi ||
          FailOnSelects(c_.fail_on, resolved.error().code) || report_.images.empty()) {
        return Finish();
      }
      // An unselected ResourceNotFound.Image: warn and scan what did resolve.
      log_.Warn(Describe(resolved.error()) + " (not selected by --fail-on; scanning the rest)");
      report_.error.reset();
    } else {
      report_.images = *resolved;
    }
    for (const auto& i : report_.images) {
      if (std::find(ids.begin(), ids.end(), i.image_id) == ids.end()) ids.push_back(i.image_id);
    }
  }
  log_.Info(c_.all                ? "submitting a scan of all images"
            : !c_.filters.empty() ? "submitting a scan by filter"
                                  : fmt::format("submitting a scan of {} image(s)", ids.size()));
  auto resp = client.Call("CreateAssetImageScanTask", api::CreateScanTaskBody(c_, ids));
  if (!resp.ok()) {
    Fail(resp.error());
    return Finish();
  }
  auto created = api::ParseCreateTask(*resp);
  if (!created.ok()) {
    Fail(created.error());
    return Finish();
  }
  report_.task_id = created->task_id;
  report_.request_id = created->request_id;
  log_.Info(
      fmt::format("scan task {} submitted (RequestId {})", report_.task_id, report_.request_id));
  return Finish();
}

}  // namespace

int Run(const std::string& argv0, std::vector<std::string> args, const EnvMap& env, Ports& ports) {
  // Docker runs a CLI plugin as `docker-tcss-scan tcss-scan ARGS...`.
  std::string base = argv0.substr(argv0.rfind('/') == std::string::npos ? 0 : argv0.rfind('/') + 1);
  if (base == "docker-tcss-scan" && !args.empty() && args[0] == "tcss-scan") {
    args.erase(args.begin());
  }
  auto config = ParseConfig(env, args);
  if (!config.ok()) {
    ports.err << "tcss-scan: error: " << config.error().message << '\n' << std::flush;
    if (DetectPlatform(env) == Platform::kGithub) {
      ports.out << WorkflowAnnotation("error", "tcss-scan", config.error().message) << std::flush;
    }
    return ExitCodeFor(ErrorKind::kUsage);
  }
  const Config& c = *config;
  switch (c.command) {
    case Command::kHelp:
      ports.out << HelpText() << std::flush;
      return 0;
    case Command::kVersion:
      ports.out << VersionText() << std::flush;
      return 0;
    case Command::kPluginMetadata:
      ports.out << fmt::format(
                       "{{\"SchemaVersion\":\"0.1.0\",\"Vendor\":\"tcss-scan\",\"Version\":\"{}\","
                       "\"ShortDescription\":\"Submit a Tencent Cloud TCSS image scan\"}}\n",
                       TCSS_VERSION)
                << std::flush;
      return 0;
    case Command::kStatus:
      ports.err << "tcss-scan: error: the status command is not available in this build yet\n";
      return ExitCodeFor(ErrorKind::kUsage);
    case Command::kSubmit:
      break;
  }
  Logger log(ports.err, c.log_level);
  Runner runner(c, env, ports, log);
  return runner.Submit();
}

}  // namespace tcss::app
