// Jenkins (and CODING's Jenkinsfile pipelines): no output channel of its own; the dotenv file
// in the workspace is what a Jenkinsfile reads back (readProperties), the JUnit file what its
// junit step shows.
#include "core/platforms/list.h"

namespace tcss::platforms {

namespace {

class JenkinsPipeline : public Platform {
 public:
  const char* Id() const override { return "jenkins"; }
  const char* Name() const override { return "Jenkins"; }
  bool Detect(const Env& env) const override { return !Get(env, "JENKINS_URL").empty(); }
  std::string DefaultDotenv() const override { return "tcss-scan.env"; }
  RunLink Run(const Env& env) const override {
    return {WebAddress(Get(env, "BUILD_URL")), Get(env, "BUILD_TAG")};
  }
  std::string SessionName(const Env& env) const override {
    return Get(env, "BUILD_TAG");  // jenkins-JOB-NUMBER
  }
};

}  // namespace

const Platform& Jenkins() {
  static const JenkinsPipeline kPlatform;
  return kPlatform;
}

}  // namespace tcss::platforms
