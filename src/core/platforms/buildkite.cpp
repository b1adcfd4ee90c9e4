// Buildkite: values for later steps in the build's meta-data (buildkite-agent meta-data set),
// the summary as an annotation (buildkite-agent annotate).
#include "core/platforms/list.h"
#include "core/reports/summary.h"

namespace tcss::platforms {

namespace {

// One argv string must stay under Linux's 128 KiB MAX_ARG_STRLEN; Buildkite takes up to 1 MiB.
constexpr size_t kAnnotationBytes = size_t{100} * 1000;

class BuildkitePipeline : public Platform {
 public:
  const char* Id() const override { return "buildkite"; }
  const char* Name() const override { return "Buildkite"; }
  bool Detect(const Env& env) const override { return Get(env, "BUILDKITE") == "true"; }

  Publication Publish(const RunReport& report, const PublishContext& ctx) const override {
    Publication pub;
    if (!report.task_id.empty()) {
      for (const auto& [key, value] : DotenvVars(report)) {
        // The agent refuses an empty value (exit 1, which would turn a good run into exit 6):
        // an unset key reads as empty with `meta-data get --default ""` all the same.
        if (value.empty()) continue;
        // The agent would read a value starting with '-' as a flag.
        if (!value.empty() && value[0] == '-') {
          pub.warnings.push_back("the meta-data " + key +
                                 " was left out: its value starts with '-'");
          continue;
        }
        pub.commands.push_back({"buildkite-agent", "meta-data", "set", key, value});
      }
    }
    bool failed = (report.error && !report.error_is_warning) || !report.gate.empty();
    std::string style = failed ? "error" : report.error ? "warning" : "success";
    pub.commands.push_back({"buildkite-agent", "annotate", "--style", style, "--context",
                            "tcss-scan-" + ctx.run_id(),
                            ctx.scrub(GithubSummaryMarkdown(report, kAnnotationBytes))});
    return pub;
  }

  RunLink Run(const Env& env) const override {
    return {WebAddress(Get(env, "BUILDKITE_BUILD_URL")), Get(env, "BUILDKITE_JOB_ID")};
  }
  std::string SessionName(const Env& env) const override {
    return Get(env, "BUILDKITE_JOB_ID").empty() ? "" : "buildkite-" + Get(env, "BUILDKITE_JOB_ID");
  }
};

}  // namespace

const Platform& Buildkite() {
  static const BuildkitePipeline kPlatform;
  return kPlatform;
}

}  // namespace tcss::platforms
