// Azure Pipelines: logging commands on stdout (##vso[...]), escaped as azure-pipelines-task-lib
// does, and a Markdown summary attached with task.uploadsummary.
#include "core/platforms/list.h"
#include "core/reports/summary.h"
#include "core/text.h"

namespace tcss::platforms {

namespace {

class AzurePipelines : public Platform {
 public:
  const char* Id() const override { return "azure"; }
  const char* Name() const override { return "Azure Pipelines"; }
  bool Detect(const Env& env) const override { return text::Lower(Get(env, "TF_BUILD")) == "true"; }

  // The summary file lives in the agent's temporary folder, which the agent empties after the
  // job; a name per run keeps two scans in one job apart.
  std::vector<OutputFile> Files(const PublishContext& ctx) const override {
    std::string dir = Get(ctx.env, "AGENT_TEMPDIRECTORY");
    if (dir.empty()) return {};
    return {{"the summary in AGENT_TEMPDIRECTORY",
             dir + "/tcss-scan-summary-" + ctx.run_id() + ".md", true}};
  }

  Publication Publish(const RunReport& report, const PublishContext& ctx) const override {
    Publication pub;
    if (!report.task_id.empty()) {
      // isOutput=true: later steps read $(STEP.TCSS_TASK_ID), later jobs
      // dependencies.JOB.outputs['STEP.TCSS_TASK_ID']; the agent also sets it for this job.
      for (const auto& [name, value] : DotenvVars(report)) {
        pub.stdout_text += "##vso[task.setvariable variable=" + AzureEscape(name, true) +
                           ";isOutput=true]" + AzureEscape(value, false) + "\n";
      }
    }
    for (const auto& file : Files(ctx)) {
      pub.files.push_back({file, ctx.scrub(GithubSummaryMarkdown(report))});
      pub.stdout_text += "##vso[task.uploadsummary]" + AzureEscape(file.path, false) + "\n";
    }
    return pub;
  }

  std::string Annotation(bool error, const std::string& message) const override {
    // Human text: a marker inside it is defused too, whatever an agent version makes of it.
    return std::string("##vso[task.logissue type=") + (error ? "error" : "warning") + "]" +
           AzureEscape(DefuseLogCommands(message), false) + "\n";
  }
  std::string MaskCommand(const std::string& secret) const override {
    return "##vso[task.setsecret]" + AzureEscape(secret, false) + "\n";
  }
  std::string SessionName(const Env& env) const override {
    return Get(env, "BUILD_BUILDID").empty() ? "" : "azure-" + Get(env, "BUILD_BUILDID");
  }
};

}  // namespace

const Platform& Azure() {
  static const AzurePipelines kPlatform;
  return kPlatform;
}

}  // namespace tcss::platforms
