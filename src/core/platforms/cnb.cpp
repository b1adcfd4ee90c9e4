// CNB (cnb.cool) and CODING cloud-native build: a plugin image whose settings arrive as
// PLUGIN_<NAME>; outputs are `##[set-output key=value]` lines on stdout, which the pipeline maps
// to variables with `exports:`.
#include "core/platforms/list.h"

namespace tcss::platforms {

namespace {

class CloudNativeBuild : public Platform {
 public:
  const char* Id() const override { return "cnb"; }
  const char* Name() const override { return "CNB / CODING cloud-native build"; }
  bool Detect(const Env& env) const override {
    return Get(env, "CNB") == "true" || Get(env, "CODING") == "true";
  }
  bool TakesPluginSettings() const override { return true; }

  // The command ends at the line's end and (no source says how CNB reads a value holding ']')
  // at its first ']': a value with either is left out rather than cut or escaped into
  // something CNB might read differently.
  Publication Publish(const RunReport& report, const PublishContext& /*ctx*/) const override {
    Publication pub;
    if (report.task_id.empty()) return pub;
    for (const auto& [key, value] : StepOutputs(report, '_')) {
      if (value.find_first_of("]\r\n") != std::string::npos) {
        pub.warnings.push_back("the output " + key +
                               " was left out: its value holds ']' or a line break");
        continue;
      }
      pub.stdout_text += "##[set-output " + key + "=" + value + "]\n";
    }
    return pub;
  }

  std::string SessionName(const Env& env) const override {
    return Get(env, "CNB_BUILD_ID").empty() ? "" : "cnb-" + Get(env, "CNB_BUILD_ID");
  }
};

}  // namespace

const Platform& Cnb() {
  static const CloudNativeBuild kPlatform;
  return kPlatform;
}

}  // namespace tcss::platforms
