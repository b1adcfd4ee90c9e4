#include "core/pipeline.h"

#include "core/config.h"
#include "core/json.h"

namespace tcss {

namespace {
std::string Get(const std::map<std::string, std::string>& env, const std::string& key) {
  auto it = env.find(key);
  return it == env.end() ? "" : it->second;
}
}  // namespace

Platform DetectPlatform(const std::map<std::string, std::string>& env) {
  if (Get(env, "GITHUB_ACTIONS") == "true") return Platform::kGithub;
  if (Get(env, "GITLAB_CI") == "true") return Platform::kGitlab;
  if (!Get(env, "IMAGE_NAME").empty() || !Get(env, "DOCKER_REPO").empty()) {
    return Platform::kDockerHub;
  }
  return Platform::kNone;
}

const char* PlatformName(Platform p) {
  switch (p) {
    case Platform::kGithub:
      return "GitHub Actions";
    case Platform::kGitlab:
      return "GitLab CI";
    case Platform::kDockerHub:
      return "Docker Hub hook";
    case Platform::kNone:
      break;
  }
  return "no CI";
}

Result<PipelineImages> ImagesFromPipeline(const std::map<std::string, std::string>& env) {
  PipelineImages out;
  if (Get(env, "GITHUB_ACTIONS") == "true") {
    out.looked_at.push_back("DOCKER_METADATA_OUTPUT_JSON");
    std::string meta = Get(env, "DOCKER_METADATA_OUTPUT_JSON");
    if (!meta.empty()) {
      auto obj = json::ParseObject(meta);
      if (!obj.ok()) {
        return UsageError("DOCKER_METADATA_OUTPUT_JSON is not valid JSON (" + obj.error().message +
                          "); pass the image with --image instead");
      }
      json::Reader r;
      auto tags = r.Array(*obj, "tags", false);
      if (!r.ok) return UsageError("DOCKER_METADATA_OUTPUT_JSON .tags is not a list of strings");
      if (tags) {
        for (size_t i = 0; i < tags->size(); ++i) {
          Poco::Dynamic::Var v = tags->get(static_cast<unsigned>(i));
          if (!v.isString()) {
            return UsageError("DOCKER_METADATA_OUTPUT_JSON .tags is not a list of strings");
          }
          out.images.push_back(v.extract<std::string>());
        }
      }
      if (!out.images.empty()) {
        out.source = "DOCKER_METADATA_OUTPUT_JSON .tags";
        return out;
      }
    }
    out.looked_at.push_back("DOCKER_METADATA_OUTPUT_TAGS");
    out.images = SplitList(Get(env, "DOCKER_METADATA_OUTPUT_TAGS"));
    if (!out.images.empty()) {
      out.source = "DOCKER_METADATA_OUTPUT_TAGS";
      return out;
    }
  }
  if (Get(env, "GITLAB_CI") == "true") {
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
      return out;
    }
  }
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
    if (hub.compare(0, kIndex.size(), kIndex) == 0) hub = "docker.io/" + hub.substr(kIndex.size());
    out.images = {hub};
  }
  return out;
}

}  // namespace tcss
