// Bitbucket Pipelines: KEY=VALUE lines in $BITBUCKET_PIPELINES_VARIABLES_PATH, which the step
// shares with later steps through `output-variables:`.
#include "core/platforms/list.h"

namespace tcss::platforms {

namespace {

class BitbucketPipelines : public Platform {
 public:
  const char* Id() const override { return "bitbucket"; }
  const char* Name() const override { return "Bitbucket Pipelines"; }
  bool Detect(const Env& env) const override { return !Get(env, "BITBUCKET_BUILD_NUMBER").empty(); }

  std::vector<OutputFile> Files(const PublishContext& ctx) const override {
    return AppendedFile(ctx.env, "BITBUCKET_PIPELINES_VARIABLES_PATH");
  }

  Publication Publish(const RunReport& report, const PublishContext& ctx) const override {
    Publication pub;
    auto files = Files(ctx);
    if (files.empty() || report.task_id.empty()) return pub;
    Dotenv vars = BuildDotenv(DotenvVars(report));
    for (const auto& [key, why] : vars.dropped) {
      pub.warnings.push_back(key + " left out of BITBUCKET_PIPELINES_VARIABLES_PATH: " + why);
    }
    pub.files.push_back({files[0], vars.text});
    return pub;
  }

  std::string SessionName(const Env& env) const override {
    return Get(env, "BITBUCKET_BUILD_NUMBER").empty()
               ? ""
               : "bitbucket-" + Get(env, "BITBUCKET_BUILD_NUMBER");
  }
  // Minted for a step with `oidc: true`.
  std::vector<std::string> OidcTokenVariables() const override {
    return {"BITBUCKET_STEP_OIDC_TOKEN"};
  }
  std::string OidcTokenHint(const std::string& /*audience*/) const override {
    return "an OIDC token: add `oidc: true` to the step (BITBUCKET_STEP_OIDC_TOKEN); or set "
           "TENCENTCLOUD_OIDC_TOKEN";
  }
};

}  // namespace

const Platform& Bitbucket() {
  static const BitbucketPipelines kPlatform;
  return kPlatform;
}

}  // namespace tcss::platforms
