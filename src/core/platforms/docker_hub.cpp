// Docker Hub automated builds: the post_push hook's IMAGE_NAME / DOCKER_REPO:DOCKER_TAG.
#include "core/platforms/list.h"

namespace tcss::platforms {

namespace {

class DockerHubHook : public Platform {
 public:
  const char* Id() const override { return "docker-hub"; }
  const char* Name() const override { return "Docker Hub hook"; }
  bool Detect(const Env& env) const override {
    return !Get(env, "IMAGE_NAME").empty() || !Get(env, "DOCKER_REPO").empty();
  }

  // Consulted everywhere, last (SPEC §4 step 4): the hook's variables are the fallback.
  Result<PipelineImages> Images(const Env& env, bool /*detected*/) const override {
    PipelineImages out;
    out.looked_at.push_back("IMAGE_NAME");
    std::string image_name = Get(env, "IMAGE_NAME");
    std::string docker_repo = Get(env, "DOCKER_REPO");
    std::string docker_tag = Get(env, "DOCKER_TAG");
    std::string hub;
    if (!image_name.empty()) {
      hub = image_name;
      out.source = "IMAGE_NAME";
    } else {
      out.looked_at.push_back("DOCKER_REPO:DOCKER_TAG");
      if (!docker_repo.empty()) {
        hub = docker_repo + (docker_tag.empty() ? "" : ":" + docker_tag);
        out.source = "DOCKER_REPO:DOCKER_TAG";
      }
    }
    if (!hub.empty()) {
      const std::string kIndex = "index.docker.io/";
      if (hub.compare(0, kIndex.size(), kIndex) == 0) {
        hub = "docker.io/" + hub.substr(kIndex.size());
      }
      out.images = {hub};
    }
    return out;
  }
};

}  // namespace

const Platform& DockerHub() {
  static const DockerHubHook kPlatform;
  return kPlatform;
}

}  // namespace tcss::platforms
