// Tekton: chosen with --platform tekton (a Task param; Tekton sets no marker variable). The
// image comes from the Tekton Chains params IMAGE_URL / IMAGE_DIGEST; outputs are result files,
// /tekton/results/NAME (what $(results.NAME.path) expands to).
#include "core/platforms/list.h"

namespace tcss::platforms {

namespace {

// A TaskRun's results share one 4096-byte termination message (Tekton's default), as JSON with
// each result's key and type: budget the per-result overhead.
constexpr size_t kResultsBudget = 4096;
constexpr size_t kPerResultOverhead = 48;

// $(results.NAME.path): /tekton/results/NAME, or under TCSS_TEKTON_RESULTS_DIR.
OutputFile ResultFile(const Env& env, const std::string& name) {
  std::string dir = Get(env, "TCSS_TEKTON_RESULTS_DIR");
  return {"$(results." + name + ".path)", (dir.empty() ? "/tekton/results" : dir) + "/" + name,
          true};
}

constexpr const char* kDeclared[] = {"task-id", "request-id", "image-ids", "exit-code"};

class TektonTask : public Platform {
 public:
  const char* Id() const override { return "tekton"; }
  const char* Name() const override { return "Tekton"; }
  bool Detect(const Env& /*env*/) const override { return false; }

  Result<PipelineImages> Images(const Env& env, bool detected) const override {
    PipelineImages out;
    if (!detected) return out;
    out.looked_at.push_back("IMAGE_URL (with IMAGE_DIGEST)");
    std::string url = Get(env, "IMAGE_URL");
    if (url.empty()) return out;
    out.images = {url};
    out.digest = Get(env, "IMAGE_DIGEST");
    out.source = out.digest.empty() ? "IMAGE_URL" : "IMAGE_URL@IMAGE_DIGEST";
    return out;
  }

  std::vector<OutputFile> Files(const PublishContext& ctx) const override {
    std::vector<OutputFile> out;
    for (const char* name : kDeclared) out.push_back(ResultFile(ctx.env, name));
    return out;
  }

  // Every result the Task declares (integrations/tekton) is written, empty when the run has no
  // value for it, so that a pipeline reading it after a failed submission gets "" rather than
  // a missing result; nothing else (--wait's counts are not declared results).
  Publication Publish(const RunReport& report, const PublishContext& ctx) const override {
    Publication pub;
    Vars results = {{"task-id", ""}, {"request-id", ""}, {"image-ids", ""}};
    if (!report.task_id.empty()) {
      for (auto& [name, value] : StepOutputs(report, '-')) {
        for (auto& declared : results) {
          if (declared.first == name) declared.second = value;
        }
      }
    }
    results.emplace_back("exit-code", std::to_string(ctx.exit_code));
    size_t total = 0;
    for (const auto& [name, value] : results)
      total += name.size() + value.size() + kPerResultOverhead;
    for (auto& [name, value] : results) {
      if (name == "image-ids" && total > kResultsBudget) {
        pub.warnings.push_back(
            "the result image-ids was written empty: with it the results pass "
            "Tekton's 4096-byte limit");
        value.clear();
      }
      pub.files.push_back({ResultFile(ctx.env, name), value});
    }
    return pub;
  }
};

}  // namespace

const Platform& Tekton() {
  static const TektonTask kPlatform;
  return kPlatform;
}

}  // namespace tcss::platforms
