// Drone and Woodpecker: a plugin image (settings as PLUGIN_<NAME>); outputs are files in the
// workspace, which later steps share.
#include "core/platforms/list.h"

namespace tcss::platforms {

namespace {

class DronePlugin : public Platform {
 public:
  const char* Id() const override { return "drone"; }
  const char* Name() const override { return "Drone / Woodpecker"; }
  bool Detect(const Env& env) const override {
    return Get(env, "DRONE") == "true" || Get(env, "CI") == "woodpecker";
  }
  bool TakesPluginSettings() const override { return true; }
  std::string DefaultDotenv() const override { return "tcss-scan.env"; }
  std::string SessionName(const Env& env) const override {
    if (!Get(env, "DRONE_BUILD_NUMBER").empty()) return "drone-" + Get(env, "DRONE_BUILD_NUMBER");
    if (!Get(env, "CI_PIPELINE_NUMBER").empty()) {
      return "woodpecker-" + Get(env, "CI_PIPELINE_NUMBER");
    }
    return "";
  }
};

}  // namespace

const Platform& Drone() {
  static const DronePlugin kPlatform;
  return kPlatform;
}

}  // namespace tcss::platforms
