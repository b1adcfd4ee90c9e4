// CircleCI: `export` lines appended to $BASH_ENV, which every later step of the job sources.
#include "core/platforms/list.h"

namespace tcss::platforms {

namespace {

// A POSIX shell single-quoted word: nothing inside is expanded; a quote ends, is escaped, and
// the word goes on.
std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

class CircleciJob : public Platform {
 public:
  const char* Id() const override { return "circleci"; }
  const char* Name() const override { return "CircleCI"; }
  bool Detect(const Env& env) const override { return Get(env, "CIRCLECI") == "true"; }

  std::vector<OutputFile> Files(const PublishContext& ctx) const override {
    return AppendedFile(ctx.env, "BASH_ENV");
  }

  Publication Publish(const RunReport& report, const PublishContext& ctx) const override {
    Publication pub;
    auto files = Files(ctx);
    if (files.empty() || report.task_id.empty()) return pub;
    // A newline first: a $BASH_ENV whose last line has none would otherwise run on into ours.
    std::string text = "\n";
    for (const auto& [key, value] : DotenvVars(report)) {
      text += "export " + key + "=" + ShellQuote(value) + "\n";
    }
    pub.files.push_back({files[0], text});
    return pub;
  }

  RunLink Run(const Env& env) const override {
    return {WebAddress(Get(env, "CIRCLE_BUILD_URL")), Get(env, "CIRCLE_WORKFLOW_JOB_ID")};
  }
  std::string SessionName(const Env& env) const override {
    return Get(env, "CIRCLE_BUILD_NUM").empty() ? "" : "circleci-" + Get(env, "CIRCLE_BUILD_NUM");
  }
  // CircleCI mints both for every job in a context-enabled workflow; v2 carries more claims.
  std::vector<std::string> OidcTokenVariables() const override {
    return {"CIRCLE_OIDC_TOKEN_V2", "CIRCLE_OIDC_TOKEN"};
  }
  std::string OidcTokenHint(const std::string& /*audience*/) const override {
    return "an OIDC token: CircleCI gives one (CIRCLE_OIDC_TOKEN_V2) to jobs that use a "
           "context; or set TENCENTCLOUD_OIDC_TOKEN";
  }
};

}  // namespace

const Platform& Circleci() {
  static const CircleciJob kPlatform;
  return kPlatform;
}

}  // namespace tcss::platforms
