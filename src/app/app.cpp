#include "app/app.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "app/api_client.h"
#include "app/comment.h"
#include "app/credentials/provider.h"
#include "app/findings.h"
#include "app/logger.h"
#include "app/resolver.h"
#include "app/sources/select.h"
#include "app/sources/source.h"
#include "app/submit.h"
#include "core/api.h"
#include "core/docs.h"
#include "core/image_ref.h"
#include "core/outputs.h"
#include "core/policy.h"
#include "core/registry_api.h"
#include "core/reports/baseline.h"
#include "core/reports/cosign.h"
#include "core/reports/findings_file.h"
#include "core/reports/gitlab.h"
#include "core/reports/junit.h"
#include "core/reports/model.h"
#include "core/reports/sarif.h"
#include "core/reports/sbom.h"
#include "core/reports/triage.h"
#include "core/text.h"

namespace tcss::app {

namespace {

std::string Describe(const Error& e) {
  std::string s = e.message;
  if (!e.code.empty()) s += " [" + e.code + "]";
  if (!e.request_id.empty()) s += " (RequestId " + e.request_id + ")";
  return s;
}

std::string InterruptedMessage(const std::string& task_id) {
  return fmt::format("interrupted while waiting; the scan goes on: tcss-scan status {} --wait",
                     task_id);
}

class Runner {
 public:
  Runner(const Config& c, const EnvMap& env, Ports& p, Logger& log)
      : c_(c), env_(env), p_(p), log_(log), stdout_closed_(p.stdout_closed) {}

  int Submit();
  int StatusCommand();

 private:
  // Paths, credentials, endpoint: what every command needs before it may send anything.
  // On failure the report holds the error and the caller returns Finish().
  bool Prepare(ClientSettings* settings);
  bool Connect(const ClientSettings& settings);
  // Polls DescribeAssetImageScanStatus until the task is terminal or --wait-timeout passes,
  // then collects findings and applies the gate. `first_delay_ms` is the wait before poll one.
  void WaitAndGate(bool keep_polling, int64_t first_delay_ms);
  void PollAndGate(bool keep_polling, int64_t first_delay_ms);
  // The end of a "TCSS does not know" message: what the lists hold of the same repositories,
  // and (with --source naming one list) whether `other` lists the references instead.
  std::string WayOut(const Resolution& r, ImageSource* other);
  // Whether the images named must be looked up (references, and no --no-resolve).
  bool NeedsLookups() const {
    return !c_.no_resolve && std::any_of(c_.images.begin(), c_.images.end(),
                                         [](const std::string& i) { return !IsImageId(i); });
  }
  // --dry-run: the create request this run would send, signed, the signature withheld.
  void PrintDryRun(const ClientSettings& settings, const ImageSource::Request& request);
  // Lists on stderr the findings that fail the severity gate, the most severe first.
  void LogGateFindings(const Findings& f, int threshold);
  Status CheckOutputPaths();
  // Reads the ignore file (--ignore-file, else .tcss-scan-ignore when it exists).
  Status LoadIgnoreRules();
  // Reads every --vex document; one that is not valid OpenVEX ends the run before any call.
  Status LoadVex();
  // Reads --baseline-file: one that does not parse (or of another schemaVersion) ends the run
  // before any call; one that is not there is a missing baseline, said when the findings are.
  Status LoadBaselineFile();
  // --baseline-image: TCSS's findings for it now, looked up in the sources as any image is.
  Baseline ReadBaselineImage();
  // Whether every vulnerability must be read: a report lists them all, and ignore rules and
  // --ignore-unfixed re-tally the counts from them.
  bool NeedsEveryVulnerability() const {
    const auto files = ReportFiles(c_);
    return std::any_of(files.begin(), files.end(),
                       [](const auto& f) { return !f.second.empty(); }) ||
           !triage_.rules.empty() || c_.ignore_unfixed || !triage_.vex.empty() ||
           !c_.baseline_image.empty() || !c_.baseline_file.empty();
  }
  int Finish();
  std::vector<std::string> WriteOutputs(int exit_code);
  void Fail(Error e) { report_.error = std::move(e); }
  platforms::PublishContext PublishContextFor(int exit_code) {
    return {env_, exit_code,
            [this] {
              if (run_id_.empty()) run_id_ = p_.random.Hex(4);
              return run_id_;
            },
            [this] { return p_.random.Hex(16); },
            [this](std::string t) { return log_.Scrub(std::move(t)); }};
  }

  const Config& c_;
  const EnvMap& env_;
  Ports& p_;
  Logger& log_;
  RunReport report_;
  std::unique_ptr<CredentialCache> credentials_;
  std::unique_ptr<Transport> transport_;
  std::unique_ptr<ApiClient> client_;
  ImageSource* source_ = nullptr;               // the source of the task (owned where it was made)
  std::vector<ImageSource*> baseline_sources_;  // where --baseline-image is looked for, in order
  std::optional<Baseline> baseline_file_;       // --baseline-file, read before any call
  bool outputs_unusable_ = false;
  bool stdout_closed_ = false;
  std::string started_at_;  // ISO time the run began, for the scan report
  reports::TriageOptions triage_;
  std::string run_id_;              // names this run's files where a CI system keeps many
  std::string dry_run_unresolved_;  // --dry-run without credentials: why nothing was looked up
};

std::string Runner::WayOut(const Resolution& r, ImageSource* other) {
  std::string out;
  for (const auto& m : r.missing) {
    auto it = r.near.find(m);
    if (it != r.near.end() && !it->second.empty()) {
      out += fmt::format("; for {} TCSS lists {}", m, fmt::join(it->second, ", "));
    }
  }
  if (other != nullptr) {
    // One read of the other list, bounded by --timeout: the mistake may be the --source.
    auto there = other->LookUp(
        r.missing, p_.clock.MonotonicMillis() + static_cast<int64_t>(c_.timeout_s * 1000));
    if (!there.ok()) {
      log_.Verbose("could not look in the " + std::string(SourceName(other->kind())) +
                   " list: " + there.error().message);
    } else if (!there->images.empty()) {
      std::vector<std::string> refs;
      for (const auto& i : there->images)
        if (std::find(refs.begin(), refs.end(), i.reference) == refs.end())
          refs.push_back(i.reference);
      out +=
          fmt::format("; TCSS lists {} as {} image(s): pass --source {} (or auto)",
                      fmt::join(refs, ", "), SourceName(other->kind()), SourceName(other->kind()));
    }
  }
  return out;
}

void Runner::PrintDryRun(const ClientSettings& settings, const ImageSource::Request& request) {
  report_.dry_run = true;
  log_.Info("dry run: this is the request that would be sent; nothing was sent");
  if (c_.output == OutputFormat::kText) {
    p_.out << log_.Scrub(
                  DescribeDryRun(settings, request.action, request.body, p_.clock.UnixSeconds()))
           << std::flush;
  }
}

Status Runner::CheckOutputPaths() {
  struct Target {
    std::string what, path;
    bool replace;
  };
  std::vector<Target> targets = {{"--dotenv/TCSS_DOTENV", c_.dotenv_path, true}};
  for (const auto& [flag, path] : ReportFiles(c_)) {
    targets.push_back({flag + "/" + FindOption(flag)->env, path, true});
  }
  for (const auto& f : c_.platform->Files(PublishContextFor(0))) {
    targets.push_back({f.what, f.path, f.replace});
  }
  if (c_.dotenv_default) {
    // A default path lies in the checkout, which a pull request fills: a link there (to
    // ~/.bashrc) is removed, never followed; the dotenv is written as a file of its own.
    auto st = p_.files.DropSymlink(c_.dotenv_path);
    if (!st.ok()) return UsageError("--dotenv/TCSS_DOTENV: " + st.error().message);
  }
  for (const auto& t : targets) {
    if (t.path.empty()) continue;
    auto st = p_.files.CheckWritable(t.path, t.replace);
    if (!st.ok()) return UsageError(t.what + ": " + st.error().message);
  }
  if (!c_.ca_file.empty() && !p_.files.Read(c_.ca_file).ok()) {
    return UsageError("cannot read the CA file " + c_.ca_file +
                      " (--ca-file/SSL_CERT_FILE); point it at a readable PEM file");
  }
  return OkStatus();
}

Status Runner::LoadIgnoreRules() {
  const std::string kDefault = ".tcss-scan-ignore";
  std::string path = c_.ignore_file;
  if (path.empty()) {
    if (!p_.files.Exists(kDefault)) return OkStatus();
    path = kDefault;
  }
  auto text = p_.files.Read(path);
  if (!text.ok()) {
    return UsageError("cannot read the ignore file " + path +
                      " (--ignore-file/TCSS_IGNORE_FILE): " + text.error().message);
  }
  std::vector<std::string> warnings;
  auto rules = reports::ParseIgnoreFile(path, *text, &warnings);
  if (!rules.ok()) return rules.error();
  for (const auto& w : warnings) log_.Warn(w);
  triage_.rules = std::move(*rules);
  triage_.rules_path = path;
  log_.Verbose(fmt::format("{} ignore rule(s) from {}", triage_.rules.size(), path));
  return OkStatus();
}

Status Runner::LoadVex() {
  for (const auto& path : c_.vex_files) {
    auto text = p_.files.Read(path);
    if (!text.ok()) {
      return UsageError("cannot read the VEX file " + path +
                        " (--vex/TCSS_VEX): " + text.error().message);
    }
    std::vector<std::string> warnings;
    auto statements = reports::ParseVex(path, *text, triage_.vex.size(), &warnings);
    if (!statements.ok()) return statements.error();
    for (const auto& w : warnings) log_.Warn(w);
    log_.Verbose(fmt::format("{} VEX statement(s) from {}", statements->size(), path));
    for (auto& s : *statements) triage_.vex.push_back(std::move(s));
  }
  return OkStatus();
}

Status Runner::LoadBaselineFile() {
  if (c_.baseline_file.empty()) return OkStatus();
  if (!p_.files.Exists(c_.baseline_file)) {
    // The default branch may not have written one yet: every finding counts as new.
    Baseline b;
    b.kind = "file";
    b.reference = c_.baseline_file;
    b.missing = "there is no file " + c_.baseline_file;
    baseline_file_ = std::move(b);
    return OkStatus();
  }
  auto text = p_.files.Read(c_.baseline_file);
  if (!text.ok()) {
    return UsageError("cannot read the baseline file " + c_.baseline_file +
                      " (--baseline-file/TCSS_BASELINE_FILE): " + text.error().message);
  }
  auto b = reports::ParseBaselineFile(c_.baseline_file, *text);
  if (!b.ok()) return b.error();
  log_.Verbose(
      fmt::format("{} finding(s) in the baseline file {}", b->findings.size(), c_.baseline_file));
  baseline_file_ = std::move(*b);
  return OkStatus();
}

Baseline Runner::ReadBaselineImage() {
  Baseline b;
  b.kind = "image";
  b.reference = c_.baseline_image;
  const int64_t deadline =
      p_.clock.MonotonicMillis() +
      static_cast<int64_t>(std::max(c_.resolve_timeout_s, c_.timeout_s) * 1000);
  std::vector<std::string> looked;
  for (ImageSource* src : baseline_sources_) {
    looked.push_back(SourceName(src->kind()));
    std::vector<ImageResult> found;
    const bool id = src->kind() == Source::kLocal
                        ? IsImageId(c_.baseline_image)
                        : registry_api::IsRegistryTaskId(c_.baseline_image);
    if (id) {
      found.push_back({c_.baseline_image, c_.baseline_image});
    } else {
      auto r = src->LookUp({c_.baseline_image}, deadline);
      if (!r.ok()) {
        b.missing = fmt::format("looking it up in the {} list failed: {}", looked.back(),
                                r.error().message);
        return b;
      }
      if (r->images.empty()) continue;
      found.push_back(r->images.front());
    }
    auto f = src->ReadFindings(found, true);
    if (!f.ok()) {
      b.missing = "reading TCSS's findings for it failed: " + f.error().message;
      return b;
    }
    const std::string status = f->images.empty() ? "UNKNOWN" : f->images.front().scan_status;
    if (text::Lower(status) != "scanned") {
      b.missing = status == "UNKNOWN" ? "TCSS lists no findings for it"
                  : text::Lower(status) == "not_scan" || text::Lower(status) == "notscan"
                      ? "TCSS has never scanned it"
                      : fmt::format("TCSS's last scan of it did not end well (status {})",
                                    text::OneLine(text::TruncateUtf8(status, 40)));
      return b;
    }
    b.image_id = found.front().image_id;
    b.findings = reports::BaselineFindingsOf(*f);
    return b;
  }
  b.missing = fmt::format("TCSS does not know it (looked in the {} list{})",
                          fmt::join(looked, " and the "), looked.size() > 1 ? "s" : "");
  return b;
}

// Writes every output the run has; each channel on its own, so one that fails does not keep
// the TaskID from the others. Returns what failed, one line each.
std::vector<std::string> Runner::WriteOutputs(int exit_code) {
  std::vector<std::string> failed_channels;
  auto note = [&](const Status& st) {
    if (!st.ok()) failed_channels.push_back(st.error().message);
  };
  std::string stdout_text;
  if (c_.output == OutputFormat::kJson) {
    stdout_text = log_.Scrub(JsonReport(report_));
  } else if (c_.command == Command::kStatus) {
    // The service's word, so one line that no runner takes for a command.
    if (report_.progress) {
      stdout_text = platforms::DefuseLogCommands(text::OneLine(report_.progress->status)) + "\n";
    }
  } else if (!report_.task_id.empty()) {
    stdout_text = report_.task_id + "\n";
  }
  bool failed = report_.error && !report_.error_is_warning;
  if (report_.error) {
    std::string text = Describe(*report_.error);
    if (!report_.error->hint.empty()) text += "; " + report_.error->hint;
    stdout_text += c_.platform->Annotation(failed, log_.Scrub(text));
  }
  // The CI system's own channels: files first (a command on stdout may name one), then stdout,
  // then the programs it reads values from.
  platforms::Publication pub = c_.platform->Publish(report_, PublishContextFor(exit_code));
  for (const auto& w : pub.warnings) log_.Warn(w);
  for (const auto& f : pub.files) {
    note(f.target.replace ? p_.files.Replace(f.target.path, f.text)
                          : p_.files.Append(f.target.path, f.text));
  }
  stdout_text += pub.stdout_text;
  if (!stdout_text.empty()) {
    p_.out << stdout_text << std::flush;
    if (!p_.out.good()) {
      note(UsageError(stdout_closed_ ? "stdout was closed when tcss-scan started"
                                     : "writing to stdout failed (a closed pipe or a full disk)"));
    }
  }
  // The agent calls (Buildkite's retries one for minutes) share one --timeout.
  const int64_t commands_deadline =
      p_.clock.MonotonicMillis() + static_cast<int64_t>(c_.timeout_s * 1000);
  for (const auto& argv : pub.commands) {
    std::string ignored;
    auto rc = p_.run_process(argv, &ignored,
                             std::max<int64_t>(1, commands_deadline - p_.clock.MonotonicMillis()));
    if (!rc.ok()) {  // it cannot be run at all: once is enough to say so
      note(UsageError(
          fmt::format("{} {}: {}", argv[0], argv.size() > 1 ? argv[1] : "", rc.error().message)));
      break;
    }
    if (*rc != 0) {
      note(
          UsageError(fmt::format("{} {} {} exited with {}", argv[0], argv.size() > 1 ? argv[1] : "",
                                 argv.size() > 3 ? argv[3] : "", *rc)));
    }
  }
  // The finding reports, replaced on every run: with the findings of an ended scan, else with
  // a valid document that says why there are none (a reused workspace must never show an
  // earlier run's findings as this one's).
  const std::string now = IsoUtc(p_.clock.UnixSeconds());
  const reports::FindingsFileContext times{started_at_.empty() ? now : started_at_, now};
  for (const auto& [flag, path] : ReportFiles(c_)) {
    if (path.empty()) continue;
    if (!report_.findings) {
      log_.Warn(path + " lists no findings: " + reports::NoFindingsReason(report_));
    }
    std::string text;
    if (flag == "--report-file") {
      text = GitlabContainerScanningReport(report_, times.started_at, times.finished_at);
    } else if (flag == "--sarif-file") {
      auto sarif = reports::SarifReport(report_);
      if (!sarif.dropped.empty()) log_.Warn("left out of " + path + ": " + sarif.dropped);
      text = std::move(sarif.text);
    } else if (flag == "--findings-file") {
      text = reports::FindingsFile(report_, times);
    } else if (flag == "--sbom-file") {
      text = reports::CycloneDxSbom(report_, {now});
    } else if (flag == "--cosign-vuln-file") {
      const platforms::RunLink run = c_.platform->Run(env_);
      std::vector<std::string> refs;
      for (const auto& i : report_.images) refs.push_back(i.reference);
      text = reports::CosignVulnPredicate(report_, {times, run.url, run.id, c_.endpoint, refs});
    } else {
      text = reports::JunitReport(report_);
    }
    note(p_.files.Replace(path, text));
  }
  if (!c_.dotenv_path.empty()) {
    // A run without a TaskID still replaces the dotenv, so that a later job never picks up
    // an earlier run's task as this one's.
    auto vars = report_.task_id.empty()
                    ? std::vector<std::pair<std::string, std::string>>{{"TCSS_TASK_ID", ""},
                                                                       {"TCSS_EXIT_CODE",
                                                                        std::to_string(exit_code)}}
                    : DotenvVars(report_);
    Dotenv dotenv = BuildDotenv(std::move(vars));
    for (const auto& [key, why] : dotenv.dropped) {
      log_.Warn(key + " left out of " + c_.dotenv_path + ": " + why);
    }
    note(p_.files.Replace(c_.dotenv_path, dotenv.text));
  }
  return failed_channels;
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
      if (!e.hint.empty()) log_.Hint(e.hint);
      code = ExitCodeFor(e.kind);
    }
  }
  if (outputs_unusable_) return code;
  // The pull/merge-request comment: after the gate, before the outputs; whatever happens to it
  // is one warning, never the exit code.
  if (c_.comment && client_ && !report_.dry_run) {
    std::string warning = WriteComment(c_, env_, p_, log_, report_);
    if (!warning.empty()) log_.Warn(warning);
  }
  auto failures = WriteOutputs(code);
  for (const auto& f : failures) {
    log_.Error("could not write an output: " + f +
               (report_.task_id.empty() ? "" : " (the TaskID is " + report_.task_id + ")"));
  }
  // Before anything was sent a failed output is a usage error (4); after, it is its own
  // outcome (6), unless the run already failed otherwise.
  if (!failures.empty() && code == 0) {
    bool sent = client_ && client_->attempts() > 0;
    code = ExitCodeFor(sent ? ErrorKind::kOutput : ErrorKind::kUsage);
    // A file that carries the exit code (Tekton's exit-code result) says the final one: it
    // was written before stdout failed (closed from the start, or a broken pipe).
    platforms::Publication pub = c_.platform->Publish(report_, PublishContextFor(code));
    for (const auto& f : pub.files) {
      if (f.target.replace) (void)p_.files.Replace(f.target.path, f.text);
    }
  }
  return code;
}

bool Runner::Prepare(ClientSettings* settings) {
  auto st = CheckOutputPaths();
  if (!st.ok()) {
    Fail(st.error());
    outputs_unusable_ = true;  // report on stderr only
    return false;
  }
  triage_.ignore_unfixed = c_.ignore_unfixed;
  triage_.today = IsoUtc(p_.clock.UnixSeconds()).substr(0, 10);
  for (const auto& load : {&Runner::LoadIgnoreRules, &Runner::LoadVex, &Runner::LoadBaselineFile}) {
    auto loaded = (this->*load)();
    if (!loaded.ok()) {
      Fail(loaded.error());
      return false;
    }
  }
  auto endpoint = ParseEndpoint(c_.endpoint);
  if (!endpoint.ok()) {
    Fail(endpoint.error());
    return false;
  }
  CredentialDeps deps{c_, env_, p_, log_};
  auto provider = ChooseCredentials(deps);
  if (!provider.ok() && c_.dry_run && provider.error().kind == ErrorKind::kUsage) {
    // A dry run without credentials still shows the request; what it could not look up, it
    // says.
    dry_run_unresolved_ = provider.error().message;
    settings->credentials = Credentials{"SECRET-ID-NOT-SET", "", "", "", 0, 0};
  } else if (!provider.ok()) {
    Fail(provider.error());
    return false;
  } else {
    credentials_ = std::make_unique<CredentialCache>(deps, std::move(*provider));
  }
  if (!credentials_) {
    // (the dry run without credentials, above)
  } else if (c_.dry_run && !NeedsLookups() && credentials_->provider().Renewable()) {
    // A dry run sends nothing, not even the exchange; the signature is withheld anyway.
    log_.Info("dry run: credentials would be temporary keys from " +
              credentials_->provider().Describe() + " (not fetched)");
    settings->credentials = Credentials{"TEMPORARY-SECRET-ID", "", "", "", 0, 0};
  } else {
    auto creds = credentials_->Get(false);
    if (!creds.ok()) {
      Fail(creds.error());
      return false;
    }
    log_.Verbose("credentials: " + creds->source);
    settings->credentials = *creds;
  }
  settings->endpoint = *endpoint;
  settings->region = c_.region;
  settings->language = c_.language;
  settings->timeout_s = c_.timeout_s;
  settings->retries = c_.retries;
  log_.Verbose(fmt::format("platform: {}; images from {}; endpoint {}", c_.platform->Name(),
                           c_.image_source.empty() ? "-" : c_.image_source, c_.endpoint));
  return true;
}

bool Runner::Connect(const ClientSettings& settings) {
  Sleeper& sleeper = p_.sleeper;
  TransportOptions topts{settings.endpoint, c_.ca_file, c_.https_proxy, c_.no_proxy,
                         [&sleeper] { return sleeper.Interrupted(); }};
  auto transport = p_.make_transport(topts);
  if (!transport.ok()) {
    Fail(transport.error());
    return false;
  }
  transport_ = std::move(*transport);
  client_ =
      std::make_unique<ApiClient>(*transport_, p_.clock, p_.sleeper, p_.random, log_, settings);
  if (credentials_ && credentials_->provider().Renewable()) {
    CredentialCache* cache = credentials_.get();
    client_->SetCredentialSource([cache](bool renew) { return cache->Get(renew); });
  }
  return true;
}

int Runner::Submit() {
  started_at_ = IsoUtc(p_.clock.UnixSeconds());
  report_.selection = c_.all ? "all" : !c_.filters.empty() ? "filters" : "images";
  report_.gate_virus = c_.gate_virus;
  report_.gate_risk = c_.gate_risk;
  report_.gate_new = c_.gate_new;
  ClientSettings settings;
  if (!Prepare(&settings)) return Finish();
  if (!c_.wait_implied.empty()) {
    log_.Info(c_.wait_implied +
              " reads the scan's findings, so this run waits for the scan to "
              "end (--wait is implied)");
  }
  if (!Connect(settings)) return Finish();
  ApiClient& client = *client_;

  SourceDeps deps{client, p_.clock, log_, c_};
  auto local = MakeLocalSource(deps);
  auto registry = MakeRegistrySource(deps);
  std::vector<ImageSource*> sources;
  if (c_.source != Source::kLocal) sources.push_back(registry.get());
  if (c_.source != Source::kRegistry) sources.push_back(local.get());
  ImageSource* source = sources.front();
  if (c_.all || !c_.filters.empty())
    source = c_.source == Source::kRegistry ? registry.get() : local.get();

  std::vector<std::string> ids;
  const bool unresolved_dry_run = c_.dry_run && !dry_run_unresolved_.empty() && NeedsLookups();
  if (!c_.images.empty() && (c_.no_resolve || unresolved_dry_run)) {
    for (const auto& i : c_.images) report_.images.push_back({i, i});
    source = c_.source == Source::kRegistry ? registry.get() : local.get();
    if (unresolved_dry_run) {
      log_.Warn("dry run: the references were not looked up (" + dry_run_unresolved_ +
                "); the real run sends their TCSS IDs, and a registry image's request is "
                "CreateAssetImageRegistryScanTask");
    }
  } else if (!c_.images.empty()) {
    // A dry run looks once (no waiting, no registry sync): the lookups are read-only.
    auto selected = SelectImages(sources, c_.images, p_.clock, p_.sleeper, log_,
                                 c_.dry_run ? 0 : c_.resolve_timeout_s,
                                 static_cast<int64_t>(c_.timeout_s * 1000));
    if (!selected.ok()) {
      Fail(selected.error());
      return Finish();
    }
    source = selected->source;
    report_.images = selected->resolution.images;
    const auto& missing = selected->resolution.missing;
    if (!missing.empty()) {
      std::string names;
      for (const auto& m : missing) names += (names.empty() ? "" : ", ") + m;
      std::string where = c_.source == Source::kLocal ? "the images TCSS's agents reported"
                          : c_.source == Source::kRegistry
                              ? "the images of the registries connected to TCSS"
                              : "the registry images and the images TCSS's agents reported";
      Error e{ErrorKind::kApi, "ResourceNotFound.Image",
              fmt::format("TCSS does not know {} (looked in {} for {}s; a pushed image must be in "
                          "a registry connected to TCSS, a local one on a host with the TCSS "
                          "agent; or raise --resolve-timeout)",
                          names, where, c_.resolve_timeout_s),
              ""};
      e.message += WayOut(selected->resolution, c_.source == Source::kRegistry ? local.get()
                                                : c_.source == Source::kLocal  ? registry.get()
                                                                               : nullptr);
      if (FailOnSelects(c_.fail_on, e.code) || report_.images.empty()) {
        Fail(e);
        return Finish();
      }
      log_.Warn(Describe(e) + " (not selected by --fail-on; scanning the rest)");
    }
  }
  for (const auto& i : report_.images) {
    if (std::find(ids.begin(), ids.end(), i.image_id) == ids.end()) ids.push_back(i.image_id);
  }
  source_ = source;
  baseline_sources_ = {source};
  for (ImageSource* s : sources)
    if (s != source) baseline_sources_.push_back(s);
  report_.source = SourceName(source->kind());
  if (c_.dry_run) {
    PrintDryRun(settings, source->CreateRequest(ids));
    return Finish();
  }
  log_.Info(c_.all ? fmt::format("submitting a scan of all {} images", report_.source)
            : !c_.filters.empty()
                ? fmt::format("submitting a scan of {} images by filter", report_.source)
                : fmt::format("submitting a scan of {} {} image(s)", ids.size(), report_.source));
  SubmitOutcome sub = source->Submit(ids);
  report_.task_id = sub.task_id;
  report_.request_id = sub.request_id;
  if (sub.error) {
    Fail(*sub.error);
    // TCSS is already scanning these images and --fail-on lets that pass: the running task is
    // the one to follow.
    bool follow = sub.error->kind == ErrorKind::kApi && !sub.task_id.empty() &&
                  !FailOnSelects(c_.fail_on, sub.error->code);
    if (!follow || !c_.wait) return Finish();
  } else if (sub.adopted) {
    log_.Warn(fmt::format(
        "TCSS is already scanning these images in task {} (started {}): following it instead of "
        "starting another ({}; --fail-on {} makes this an error)",
        report_.task_id, sub.adopted_started.empty() ? "-" : sub.adopted_started, kAlreadyScanning,
        kAlreadyScanning));
  } else {
    log_.Info(fmt::format("scan task {} {} (RequestId {})", report_.task_id,
                          sub.recovered ? "recovered" : "submitted",
                          report_.request_id.empty() ? "-" : report_.request_id));
  }
  if (c_.wait) {
    p_.sleeper.SetLastWords(
        c_.output == OutputFormat::kJson ? log_.Scrub(JsonReport(report_)) : report_.task_id + "\n",
        "tcss-scan: error: " + InterruptedMessage(report_.task_id) + "\n");
    WaitAndGate(true, PollDelayMillis(0, 0));
  }
  return Finish();
}

int Runner::StatusCommand() {
  report_.task_id = c_.task_id;
  report_.selection = "images";
  report_.gate_virus = c_.gate_virus;
  report_.gate_risk = c_.gate_risk;
  report_.gate_new = c_.gate_new;
  ClientSettings settings;
  report_.source = SourceName(c_.source);
  if (!Prepare(&settings) || !Connect(settings)) return Finish();
  SourceDeps deps{*client_, p_.clock, log_, c_};
  auto source = c_.source == Source::kRegistry ? MakeRegistrySource(deps) : MakeLocalSource(deps);
  source_ = source.get();
  baseline_sources_ = {source_};
  // IDs as they are; references (TCSS_IMAGES inherited from the submitting job) looked up in
  // the task's source as the submission did.
  std::vector<std::string> refs;
  for (const auto& i : c_.images) {
    bool id = c_.source == Source::kLocal ? IsImageId(i) : registry_api::IsRegistryTaskId(i);
    if (id) {
      report_.images.push_back({i, i});
    } else {
      refs.push_back(i);
    }
  }
  if (!refs.empty()) {
    const int64_t deadline =
        p_.clock.MonotonicMillis() +
        static_cast<int64_t>(std::max(c_.resolve_timeout_s, c_.timeout_s) * 1000);
    auto found = source->LookUp(refs, deadline);
    if (!found.ok()) {
      Fail(found.error());
      return Finish();
    }
    for (auto& img : found->images) report_.images.push_back(std::move(img));
    if (!found->missing.empty()) {
      Fail(Error{ErrorKind::kApi, "ResourceNotFound.Image",
                 fmt::format("TCSS does not list {} as a {} image now; pass the IDs the "
                             "submission printed (TCSS_IMAGE_IDS)",
                             fmt::join(found->missing, ", "), SourceName(c_.source)),
                 ""});
      return Finish();
    }
  }
  p_.sleeper.SetLastWords("", "tcss-scan: error: " + InterruptedMessage(report_.task_id) + "\n");
  WaitAndGate(c_.wait, 0);
  return Finish();
}

void Runner::WaitAndGate(bool keep_polling, int64_t first_delay_ms) {
  // The last resort once a TaskID exists: an exception (memory exhausted, a bug) becomes this
  // run's error, and Finish publishes the TaskID through every output as always.
  try {
    PollAndGate(keep_polling, first_delay_ms);
  } catch (const std::exception& e) {
    report_.findings.reset();
    Fail(TransportError(
        "InternalError.Client",
        fmt::format("reading the scan's result failed ({}); scan task {} was submitted: pick it "
                    "up with tcss-scan status {} --wait",
                    e.what(), report_.task_id, report_.task_id)));
  }
}

void Runner::PollAndGate(bool keep_polling, int64_t first_delay_ms) {
  report_.waited = true;
  if (started_at_.empty()) started_at_ = IsoUtc(p_.clock.UnixSeconds());
  if (c_.severity_threshold) {
    report_.threshold = LevelName(static_cast<int>(*c_.severity_threshold));
  }
  const int64_t start = p_.clock.MonotonicMillis();
  const int64_t budget = static_cast<int64_t>(c_.wait_timeout_s * 1000);
  int64_t delay = first_delay_ms;
  bool finished_ok = false;
  std::string last_line;
  int64_t last_said = start;  // when the last progress line was printed
  int failed_polls = 0;
  auto WaitTimeout = [&](const std::string& status, int64_t schedule) {
    return Error{ErrorKind::kWaitTimeout, "",
                 fmt::format("the scan did not finish within --wait-timeout {}s (status {}, {}%); "
                             "pick it up later with: tcss-scan status {} --wait",
                             c_.wait_timeout_s, status, schedule, report_.task_id),
                 ""};
  };
  for (int poll = 0;; ++poll) {
    int64_t elapsed = p_.clock.MonotonicMillis() - start;
    if (keep_polling && elapsed + delay > budget) delay = std::max<int64_t>(0, budget - elapsed);
    if (delay > 0 && !p_.sleeper.SleepMillis(delay)) {
      Fail(Error{ErrorKind::kInterrupted, "", InterruptedMessage(report_.task_id), ""});
      return;
    }
    auto resp =
        source_->Status(report_.task_id, CallOptions{true, keep_polling ? start + budget : 0});
    if (!resp.ok()) {
      Error e = resp.error();
      if (e.kind == ErrorKind::kInterrupted) e.message = InterruptedMessage(report_.task_id);
      // A blip (the network, a 5xx, throttling) does not end a wait: only --wait-timeout or an
      // error that asking again cannot change does.
      const bool transient =
          e.kind == ErrorKind::kTransport ||
          (e.kind == ErrorKind::kApi && (IsRetryableApiCode(e.code) || IsThrottleCode(e.code)));
      const int64_t now = p_.clock.MonotonicMillis();
      if (keep_polling && transient && now - start >= budget) {
        // Still failing (or hanging) when --wait-timeout ran out: that is the outcome.
        e = WaitTimeout(report_.progress ? report_.progress->status : "unknown",
                        report_.progress ? report_.progress->schedule : 0);
        e.message += " (the last status call failed: " + resp.error().message + ")";
      } else if (keep_polling && transient) {
        ++failed_polls;
        log_.Warn(
            fmt::format("asking for the scan's status failed ({}{}); still waiting, {} s of "
                        "--wait-timeout left",
                        resp.error().code.empty() ? "" : resp.error().code + ": ",
                        resp.error().message, (budget - (now - start)) / 1000));
        delay = PollDelayMillis(std::min(failed_polls, 4), 0);
        continue;
      } else if (e.kind != ErrorKind::kInterrupted && keep_polling) {
        e.message += fmt::format(" (scan task {} may still run: tcss-scan status {} --wait)",
                                 report_.task_id, report_.task_id);
      }
      Fail(e);
      return;
    }
    failed_polls = 0;
    ScanProgress pr = resp->progress;
    finished_ok = resp->finished_ok;
    report_.progress = pr;
    std::string left = pr.left_seconds > 0 && IsRunningStatus(pr.status)
                           ? fmt::format(", about {} s left", pr.left_seconds)
                           : "";
    std::string line = fmt::format("scan {}: {} {}% ({}/{} images{})", report_.task_id, pr.status,
                                   pr.schedule, pr.image_scan_cnt, pr.image_total, left);
    const int64_t now = p_.clock.MonotonicMillis();
    if (line != last_line) {
      log_.Info(line);
      last_said = now;
    } else if (now - last_said >= 60000) {
      // At least once a minute, so that a CI system that kills silent steps (CircleCI after
      // 10 minutes) sees the run alive.
      log_.Info(fmt::format("{}; waited {} s, {} s of --wait-timeout left", line,
                            (now - start) / 1000,
                            std::max<int64_t>(0, budget - (now - start)) / 1000));
      last_said = now;
    } else {
      log_.Verbose(line);
    }
    last_line = line;
    if (!IsRunningStatus(pr.status)) break;
    if (!keep_polling) return;  // `status` without --wait: one look
    elapsed = p_.clock.MonotonicMillis() - start;
    if (elapsed >= budget) {
      Fail(WaitTimeout(pr.status, pr.schedule));
      return;
    }
    delay = PollDelayMillis(poll + 1, pr.left_seconds);
  }
  const std::string status = report_.progress->status;
  if (!finished_ok) {
    // A failed or unknown terminal status: the findings cannot be trusted. --fail-on decides.
    Fail(Error{ErrorKind::kApi, "ScanStatus." + status,
               "the scan ended with status " + status + " instead of END", ""});
    return;
  }
  if (report_.images.empty()) return;
  const bool every = NeedsEveryVulnerability();
  auto findings = source_->ReadFindings(report_.images, every);
  if (!findings.ok()) {
    Fail(findings.error());
    return;
  }
  if (!c_.sbom_file.empty()) {
    auto st = source_->ReadComponents(*findings);
    if (!st.ok()) {
      Fail(st.error());
      return;
    }
  }
  if (!c_.baseline_image.empty()) {
    findings->baseline = ReadBaselineImage();
  } else if (baseline_file_) {
    findings->baseline = baseline_file_;
  }
  if (findings->baseline && !findings->baseline->available()) {
    log_.Warn(fmt::format("no baseline: {} ({}); every finding counts as new",
                          findings->baseline->reference, findings->baseline->missing));
  }
  if (every) {
    for (const auto& n : reports::Triage(*findings, triage_)) log_.Warn(n);
  }
  report_.findings = *findings;
  const auto& t = findings->totals;
  log_.Info(
      fmt::format("findings: {} critical, {} high, {} medium, {} low, {} viruses, {} risks{}{}",
                  t.critical, t.high, t.medium, t.low, t.virus, t.risk,
                  t.ignored > 0 ? fmt::format("; {} ignored", t.ignored) : "",
                  t.suppressed > 0 ? fmt::format("; {} suppressed by VEX", t.suppressed) : ""));
  if (findings->baseline && findings->baseline->available()) {
    log_.Info(fmt::format(
        "against the baseline {}: new {} critical, {} high, {} medium, {} low, {} viruses, {} "
        "risks; {} fixed",
        findings->baseline->reference, t.new_critical, t.new_high, t.new_medium, t.new_low,
        t.new_virus, t.new_risk, findings->baseline->fixed.size()));
  }
  // What was accepted or suppressed, and why, in the log too: the most severe first, a few.
  auto why = [](const Suppression& s) {
    return s.kind == Suppression::Kind::kVex ? "suppressed" : "ignored";
  };
  auto reason = [](const Suppression& s) {
    return s.kind == Suppression::Kind::kVex
               ? s.Describe()
               : s.reason + (s.expires.empty() ? "" : ", until " + s.expires);
  };
  constexpr int64_t kShown = 10;
  const auto accepted = std::count_if(findings->all.begin(), findings->all.end(),
                                      [](const VulnFinding& v) { return v.suppression.active(); });
  int64_t shown = 0;
  for (const auto& v : findings->all) {
    if (!v.suppression.active()) continue;
    if (++shown > kShown) {
      log_.Info(fmt::format("  … and {} more ignored or suppressed (see the reports)",
                            accepted - kShown));
      break;
    }
    log_.Info(fmt::format("  {} {} {} ({}): {}", why(v.suppression), LevelName(v.level),
                          reports::FindingId(v), v.component, reason(v.suppression)));
  }
  for (const auto& th : findings->threats) {
    if (th.suppression.active()) {
      log_.Info(fmt::format("  {} {} {}: {}", why(th.suppression), th.kind, th.id,
                            reason(th.suppression)));
    }
  }
  int threshold = c_.severity_threshold ? static_cast<int>(*c_.severity_threshold) : 0;
  report_.gate = GateViolation(*findings, threshold, c_.gate_virus, c_.gate_risk, c_.gate_new);
  if (!report_.gate.empty()) {
    if (threshold > 0) LogGateFindings(*findings, threshold);
    // The viruses and risks --fail-on-findings selects: each one, the file or the description.
    int64_t listed = 0;
    for (const auto& th : findings->threats) {
      if (!reports::FailsGate(th, report_)) continue;
      if (++listed > 20) {
        log_.Info("  … and more (every one: --sarif-file, --junit-file or --report-file)");
        break;
      }
      log_.Info(fmt::format("  {} {} {} ({}) in {}", th.kind, LevelName(th.level), th.name,
                            th.kind == "virus" ? (th.path.empty() ? th.id : th.path + ", " + th.id)
                                               : text::TruncateUtf8(th.description, 160),
                            reports::ImageLabel(*findings, th.image_id)));
    }
    Fail(Error{ErrorKind::kFindings, "", "the scan found " + report_.gate, ""});
  }
}

void Runner::LogGateFindings(const Findings& f, int threshold) {
  // Every log names what failed the gate, not only GitHub's step summary: the most severe
  // first (all of them read with a report or an ignore file, else the top ten).
  constexpr int kShown = 20;
  const std::vector<VulnFinding>& list = f.all.empty() ? f.top : f.all;
  const auto& t = f.totals;
  const int64_t counts[] = {
      0, c_.gate_new ? t.new_low : t.low, c_.gate_new ? t.new_medium : t.medium,
      c_.gate_new ? t.new_high : t.high, c_.gate_new ? t.new_critical : t.critical};
  int64_t failing = 0;
  for (int level = threshold; level <= 4; ++level) failing += counts[level];
  log_.Info("what fails the gate (threshold " + LevelName(threshold) +
            (c_.gate_new ? ", new findings only" : "") + "):");
  int64_t shown = 0;
  for (const auto& v : list) {
    if (!reports::FailsGate(v, threshold, c_.gate_new)) continue;
    if (shown == kShown) break;
    ++shown;
    log_.Info(fmt::format("  {} {} {} {} -> {} in {}", LevelName(v.level), reports::FindingId(v),
                          v.component.empty() ? "-" : v.component,
                          v.version.empty() ? "-" : v.version,
                          v.fixed_versions.empty() ? "no fix yet" : v.fixed_versions,
                          reports::ImageLabel(f, v.image_id)));
  }
  if (failing > shown) {
    log_.Info(
        fmt::format("  … and {} more (every one: --sarif-file, --junit-file or --report-file)",
                    failing - shown));
  }
}

// `tcss-scan push IMAGE` (`docker tcss push IMAGE`): docker push (its output on stderr, one
// defused line each), exit 7 when it fails, then a scan of exactly the manifest it pushed.
int PushThenScan(const Config& c, const EnvMap& env, Ports& ports, Logger& log) {
  if (!ports.run_process) {
    log.Error("push cannot run docker here");
    return ExitCodeFor(ErrorKind::kUsage);
  }
  log.Info("docker push " + c.push_image);
  std::string output;
  auto rc = ports.run_process({"docker", "push", c.push_image}, &output, 0);  // as long as it takes
  if (!rc.ok()) {
    log.Error(rc.error().message);
    return ExitCodeFor(ErrorKind::kUsage);
  }
  if (*rc != 0) {
    log.Error(
        fmt::format("docker push {} failed (exit {}); nothing was scanned", c.push_image, *rc));
    return ExitCodeFor(ErrorKind::kPush);
  }
  Config scan = c;
  scan.command = Command::kSubmit;
  std::string digest = PushedDigest(output);
  if (digest.empty()) {
    log.Warn("docker push printed no digest; scanning " + c.push_image + " by its tag");
  } else {
    auto ref = ParseImageRef(c.push_image);
    scan.digest = digest;
    scan.images = {ref->domain + "/" + ref->path + "@" + digest};
    log.Info("pushed " + digest + "; scanning " + scan.images[0]);
  }
  Runner runner(scan, env, ports, log);
  return runner.Submit();
}

}  // namespace

int Run(const std::string& argv0, std::vector<std::string> args, const EnvMap& env, Ports& ports) {
  // Docker runs a CLI plugin `docker-NAME` as `docker-NAME NAME ARGS...` (`docker tcss IMG`
  // runs `docker-tcss tcss IMG`). Docker accepts only [a-z][a-z0-9]* as NAME, so the plugin is
  // installed as docker-tcss.
  std::string base = argv0.substr(argv0.rfind('/') == std::string::npos ? 0 : argv0.rfind('/') + 1);
  const std::string kPrefix = "docker-";
  if (base.compare(0, kPrefix.size(), kPrefix) == 0 && !args.empty() &&
      args[0] == base.substr(kPrefix.size())) {
    args.erase(args.begin());
  }
  // Plugin platforms (Drone, Woodpecker, CNB) pass their settings as PLUGIN_<NAME>.
  std::vector<std::string> notices;
  auto plugin_env = platforms::WithPluginSettings(env, &notices);
  auto config =
      plugin_env.ok() ? ParseConfig(*plugin_env, args) : Result<Config>(plugin_env.error());
  if (!config.ok()) {
    Logger(ports.err, LogLevel::kInfo).Error(config.error().message);
    if (!config.error().hint.empty()) Logger(ports.err, LogLevel::kInfo).Hint(config.error().hint);
    auto platform = platforms::Choose(env, "");
    if (platform.ok())
      ports.out << (*platform)->Annotation(true, config.error().message) << std::flush;
    return ExitCodeFor(ErrorKind::kUsage);
  }
  const EnvMap& run_env = *plugin_env;
  const Config& c = *config;
  notices.insert(notices.end(), c.notices.begin(), c.notices.end());
  for (const auto& n : notices) Logger(ports.err, c.log_level).Warn(n);
  switch (c.command) {
    case Command::kHelp:
      ports.out << HelpText() << std::flush;
      return 0;
    case Command::kVersion:
      ports.out << VersionText() << std::flush;
      return 0;
    case Command::kMan:
      ports.out << ManPage() << std::flush;
      return 0;
    case Command::kCompletion: {
      auto script = CompletionScript(c.shell);
      if (!script.ok()) {
        Logger(ports.err, LogLevel::kInfo).Error(script.error().message);
        return ExitCodeFor(ErrorKind::kUsage);
      }
      ports.out << *script << std::flush;
      return 0;
    }
    case Command::kPluginMetadata:
      ports.out << fmt::format(
                       "{{\"SchemaVersion\":\"0.1.0\",\"Vendor\":\"tcss-scan\",\"Version\":\"{}\","
                       "\"ShortDescription\":\"Submit a Tencent Cloud TCSS image scan\"}}\n",
                       TCSS_VERSION)
                << std::flush;
      return 0;
    case Command::kStatus:
    case Command::kSubmit:
    case Command::kPush:
      break;
  }
  Logger log(ports.err, c.log_level);
  if (c.command == Command::kPush) return PushThenScan(c, run_env, ports, log);
  Runner runner(c, run_env, ports, log);
  return c.command == Command::kStatus ? runner.StatusCommand() : runner.Submit();
}

}  // namespace tcss::app
