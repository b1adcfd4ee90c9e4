// GitHub Actions: docker/metadata-action's tags, $GITHUB_OUTPUT, the step summary, workflow
// commands on stdout (SPEC §4, §5).
#include "core/config.h"
#include "core/json.h"
#include "core/platforms/list.h"
#include "core/reports/summary.h"
#include "core/sts.h"
#include "core/text.h"

namespace tcss::platforms {

namespace {

class GithubActions : public Platform {
 public:
  const char* Id() const override { return "github"; }
  const char* Name() const override { return "GitHub Actions"; }
  bool Detect(const Env& env) const override { return Get(env, "GITHUB_ACTIONS") == "true"; }

  Result<PipelineImages> Images(const Env& env, bool detected) const override {
    PipelineImages out;
    if (!detected && !Detect(env)) return out;
    out.looked_at.push_back("DOCKER_METADATA_OUTPUT_JSON");
    std::string meta = Get(env, "DOCKER_METADATA_OUTPUT_JSON");
    if (!meta.empty()) {
      auto obj = json::ParseObject(meta);
      if (!obj.ok()) {
        return UsageError("DOCKER_METADATA_OUTPUT_JSON is not valid JSON (" + obj.error().message +
                          "); pass the image with --image instead");
      }
      json::Reader r;
      auto tags = r.Array(*obj, "tags", false);
      if (!r.ok) return UsageError("DOCKER_METADATA_OUTPUT_JSON .tags is not a list of strings");
      if (tags) {
        for (size_t i = 0; i < tags->size(); ++i) {
          Poco::Dynamic::Var v = tags->get(static_cast<unsigned>(i));
          if (!v.isString()) {
            return UsageError("DOCKER_METADATA_OUTPUT_JSON .tags is not a list of strings");
          }
          out.images.push_back(v.extract<std::string>());
        }
      }
      if (!out.images.empty()) {
        out.source = "DOCKER_METADATA_OUTPUT_JSON .tags";
        return out;
      }
    }
    out.looked_at.push_back("DOCKER_METADATA_OUTPUT_TAGS");
    out.images = SplitList(Get(env, "DOCKER_METADATA_OUTPUT_TAGS"));
    if (!out.images.empty()) out.source = "DOCKER_METADATA_OUTPUT_TAGS";
    return out;
  }

  Result<CommentPlace> Comment(const Env& env, const ReadFile& read) const override {
    const std::string event = Get(env, "GITHUB_EVENT_NAME");
    if (event != "pull_request" && event != "pull_request_target") {
      return UsageError("--comment writes to a pull request, and this run is a " +
                        (event.empty() ? std::string("workflow without GITHUB_EVENT_NAME")
                                       : text::OneLine(text::TruncateUtf8(event, 40)) + " event"));
    }
    const std::string repo = Get(env, "GITHUB_REPOSITORY");
    const size_t slash = repo.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == repo.size() ||
        repo.find('/', slash + 1) != std::string::npos ||
        repo.find_first_not_of(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_./") !=
            std::string::npos) {
      return UsageError("GITHUB_REPOSITORY is not OWNER/REPO");
    }
    auto payload = read(Get(env, "GITHUB_EVENT_PATH"));
    if (!payload.ok()) {
      return UsageError("cannot read the event file (GITHUB_EVENT_PATH): " +
                        payload.error().message);
    }
    auto o = json::ParseObject(*payload);
    std::string number;
    if (o.ok()) {
      json::Reader r;
      auto pr = r.Object(*o, "pull_request", false);
      if (pr && pr->has("number")) number = json::Uint64Digits(pr->get("number"));
      if (number.empty() && (*o)->has("number")) number = json::Uint64Digits((*o)->get("number"));
    }
    if (number.empty() || number == "0") {
      return UsageError("the event file (GITHUB_EVENT_PATH) names no pull request number");
    }
    CommentPlace p;
    p.token = Get(env, "GITHUB_TOKEN");
    if (p.token.empty()) {
      return UsageError(
          "no GITHUB_TOKEN: the action passes github.token (input github-token); elsewhere set "
          "GITHUB_TOKEN, and give the job `permissions: pull-requests: write`");
    }
    p.api =
        Get(env, "GITHUB_API_URL").empty() ? "https://api.github.com" : Get(env, "GITHUB_API_URL");
    while (!p.api.empty() && p.api.back() == '/') p.api.pop_back();
    p.comments = "/repos/" + repo + "/issues/" + number + "/comments";
    p.item = "/repos/" + repo + "/issues/comments/";
    p.headers = {{"Authorization", "Bearer " + p.token},
                 {"Accept", "application/vnd.github+json"},
                 {"X-GitHub-Api-Version", "2022-11-28"}};
    p.repository = repo;
    p.job = Get(env, "GITHUB_WORKFLOW") + "/" + Get(env, "GITHUB_JOB");
    p.bot = "github-actions[bot]";  // the job's GITHUB_TOKEN gets 403 from GET /user
    return p;
  }

  std::vector<OutputFile> Files(const PublishContext& ctx) const override {
    std::vector<OutputFile> out = AppendedFile(ctx.env, "GITHUB_OUTPUT");
    for (auto& f : AppendedFile(ctx.env, "GITHUB_STEP_SUMMARY")) out.push_back(std::move(f));
    return out;
  }

  Publication Publish(const RunReport& report, const PublishContext& ctx) const override {
    Publication pub;
    for (const auto& output : AppendedFile(ctx.env, "GITHUB_OUTPUT")) {
      if (report.task_id.empty()) break;
      std::string text;
      for (const auto& [name, value] : GithubOutputs(report)) {
        Result<std::string> entry = UsageError("");
        for (int i = 0; i < 5 && !entry.ok(); ++i) {
          entry = GithubOutputEntry(name, value, "ghadelimiter_" + ctx.random_hex());
        }
        if (entry.ok()) text += *entry;
      }
      pub.files.push_back({output, text});
    }
    for (const auto& summary : AppendedFile(ctx.env, "GITHUB_STEP_SUMMARY")) {
      pub.files.push_back({summary, ctx.scrub(GithubSummaryMarkdown(report))});
    }
    return pub;
  }

  std::string Annotation(bool error, const std::string& message) const override {
    return WorkflowAnnotation(error ? "error" : "warning", "tcss-scan", message);
  }
  std::string MaskCommand(const std::string& secret) const override {
    return AddMaskCommand(secret);
  }
  std::string SessionName(const Env& env) const override {
    if (Get(env, "GITHUB_RUN_ID").empty()) return "";
    std::string attempt = Get(env, "GITHUB_RUN_ATTEMPT");
    return "github-" + Get(env, "GITHUB_RUN_ID") + (attempt.empty() ? "" : "-" + attempt);
  }
  RunLink Run(const Env& env) const override {
    const std::string id = Get(env, "GITHUB_RUN_ID");
    if (id.empty() || Get(env, "GITHUB_REPOSITORY").empty()) return {};
    std::string server = Get(env, "GITHUB_SERVER_URL");
    return {WebAddress((server.empty() ? "https://github.com" : server) + "/" +
                       Get(env, "GITHUB_REPOSITORY") + "/actions/runs/" + id),
            id};
  }
  std::string OidcTokenHint(const std::string& /*audience*/) const override {
    return "an OIDC token: this job has none; give it `permissions: id-token: write` (pull "
           "requests from forks get no token)";
  }
};

}  // namespace

const Platform& Github() {
  static const GithubActions kPlatform;
  return kPlatform;
}

}  // namespace tcss::platforms
