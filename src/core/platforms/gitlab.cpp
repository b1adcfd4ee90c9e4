// GitLab CI: the Auto DevOps / Container-Scanning image variables and a dotenv report.
#include "core/platforms/list.h"

namespace tcss::platforms {

namespace {

class GitlabCi : public Platform {
 public:
  const char* Id() const override { return "gitlab"; }
  const char* Name() const override { return "GitLab CI"; }
  bool Detect(const Env& env) const override { return Get(env, "GITLAB_CI") == "true"; }

  Result<PipelineImages> Images(const Env& env, bool detected) const override {
    PipelineImages out;
    if (!detected && !Detect(env)) return out;
    std::string repo = Get(env, "CI_APPLICATION_REPOSITORY");
    std::string tag = Get(env, "CI_APPLICATION_TAG");
    out.looked_at.push_back("CI_APPLICATION_REPOSITORY:CI_APPLICATION_TAG");
    if (!repo.empty() && !tag.empty()) {
      out.images = {repo + ":" + tag};
      out.source = "CI_APPLICATION_REPOSITORY:CI_APPLICATION_TAG";
      return out;
    }
    std::string registry_image = Get(env, "CI_REGISTRY_IMAGE");
    std::string commit_tag = Get(env, "CI_COMMIT_TAG");
    out.looked_at.push_back(
        "CI_REGISTRY_IMAGE with CI_COMMIT_TAG or CI_COMMIT_REF_SLUG/CI_COMMIT_SHA");
    if (!registry_image.empty() && !commit_tag.empty()) {
      out.images = {registry_image + ":" + commit_tag};
      out.source = "$CI_REGISTRY_IMAGE:$CI_COMMIT_TAG";
      return out;
    }
    std::string slug = Get(env, "CI_COMMIT_REF_SLUG");
    std::string sha = Get(env, "CI_COMMIT_SHA");
    if (!registry_image.empty() && !slug.empty() && !sha.empty()) {
      out.images = {registry_image + "/" + slug + ":" + sha};
      out.source = "$CI_REGISTRY_IMAGE/$CI_COMMIT_REF_SLUG:$CI_COMMIT_SHA";
    }
    return out;
  }

  std::string DefaultDotenv() const override { return "tcss-scan.env"; }
  std::string SessionName(const Env& env) const override {
    return Get(env, "CI_JOB_ID").empty() ? "" : "gitlab-" + Get(env, "CI_JOB_ID");
  }
  RunLink Run(const Env& env) const override {
    return {WebAddress(Get(env, "CI_JOB_URL")), Get(env, "CI_JOB_ID")};
  }
  Result<CommentPlace> Comment(const Env& env, const ReadFile& /*read*/) const override {
    auto digits = [](const std::string& s) {
      return !s.empty() && s.size() <= 20 && s.find_first_not_of("0123456789") == std::string::npos;
    };
    const std::string iid = Get(env, "CI_MERGE_REQUEST_IID");
    const std::string project = Get(env, "CI_PROJECT_ID");
    if (!digits(iid)) {
      return UsageError(
          "--comment writes to a merge request, and this is not a merge-request pipeline (no "
          "CI_MERGE_REQUEST_IID; run the job with `rules: - if: $CI_PIPELINE_SOURCE == "
          "\"merge_request_event\"`)");
    }
    if (!digits(project)) return UsageError("CI_PROJECT_ID is not a number");
    CommentPlace p;
    p.gitlab = true;
    p.token = Get(env, "TCSS_GITLAB_TOKEN");
    if (p.token.empty()) {
      return UsageError(std::string("no TCSS_GITLAB_TOKEN") +
                        (Get(env, "CI_JOB_TOKEN").empty()
                             ? ""
                             : " (CI_JOB_TOKEN cannot write merge-request notes)") +
                        ": set it to a project or group access token with the api scope, as a "
                        "masked CI/CD variable");
    }
    p.api = Get(env, "CI_API_V4_URL");
    while (!p.api.empty() && p.api.back() == '/') p.api.pop_back();
    if (p.api.empty()) return UsageError("CI_API_V4_URL is not set");
    p.comments = "/projects/" + project + "/merge_requests/" + iid + "/notes";
    p.item = p.comments + "/";
    p.headers = {{"PRIVATE-TOKEN", p.token}};
    p.repository = Get(env, "CI_PROJECT_PATH");
    p.job = Get(env, "CI_JOB_NAME");
    return p;
  }
  std::string OidcTokenHint(const std::string& audience) const override {
    return "an OIDC token: add `id_tokens: TENCENTCLOUD_OIDC_TOKEN: {aud: " + audience +
           "}` to the job";
  }
};

}  // namespace

const Platform& Gitlab() {
  static const GitlabCi kPlatform;
  return kPlatform;
}

}  // namespace tcss::platforms
