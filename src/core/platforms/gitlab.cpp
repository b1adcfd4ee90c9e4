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
