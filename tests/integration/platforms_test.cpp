// Issue 13's "done when": on each platform's replayed environment the real tcss-scan finds its
// image where the platform says, submits to the emulator, and the next step reads the TaskID
// the platform's way (a shell sourcing $BASH_ENV, buildkite-agent meta-data get, a Tekton result
// file, Azure's agent reading stdout...).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <regex>

#include "harness.h"

namespace tcss::it {
namespace {

const std::regex kTaskLine("^([0-9a-f]{24})\n");

class PlatformsTest : public ::testing::Test {
 protected:
  TempDir home;
  TempDir workspace;
  Emulator emu;

  // The environment a platform's runner gives a step, plus our endpoint and credentials.
  Env Replayed(const Env& platform_vars) {
    Env env = ScanEnv(emu, home);
    for (const auto& [k, v] : platform_vars) env[k] = v;
    return env;
  }
  // Runs in the workspace; returns the TaskID printed on stdout's first line.
  std::string Submit(const Env& env, std::vector<std::string> args, ProcResult* result = nullptr) {
    args.insert(args.begin(), ScanBin());
    auto r = RunProcess(args, env, workspace.path());
    if (result) *result = r;
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::smatch m;
    EXPECT_TRUE(std::regex_search(r.out, m, kTaskLine)) << r.out;
    EXPECT_EQ(emu.Actions().back(), "CreateAssetImageScanTask");
    return m.size() > 1 ? m[1].str() : "";
  }
  // What a later step's shell sees.
  std::string Shell(const std::string& script, const Env& env = {}) {
    Env e = BaseEnv(home.path(), false);
    for (const auto& [k, v] : env) e[k] = v;
    auto r = RunProcess({"/bin/sh", "-c", script}, e, workspace.path());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }
};

TEST_F(PlatformsTest, AzurePipelinesOutputVariablesAndSummary) {
  TempDir agent_temp;
  ProcResult r;
  std::string task = Submit(Replayed({{"TF_BUILD", "True"},
                                      {"AGENT_TEMPDIRECTORY", agent_temp.path()},
                                      {"TCSS_IMAGES", kApp}}),
                            {}, &r);
  EXPECT_NE(
      r.out.find("\n##vso[task.setvariable variable=TCSS_TASK_ID;isOutput=true]" + task + "\n"),
      std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("##vso[task.setvariable variable=TCSS_IMAGE_IDS;isOutput=true]" + kAppId),
            std::string::npos);
  std::smatch m;
  std::string out = r.out;
  ASSERT_TRUE(std::regex_search(out, m, std::regex("##vso\\[task.uploadsummary\\]([^\n]+)\n")));
  EXPECT_NE(ReadFile(m[1].str()).find("Scan task `" + task + "` submitted"), std::string::npos);
  EXPECT_EQ(r.err.find("##vso["), std::string::npos);
}

TEST_F(PlatformsTest, AzureErrorsBecomeIssuesAndUsageErrorsToo) {
  auto r = RunProcess({ScanBin(), "--frobnicate"}, Replayed({{"TF_BUILD", "True"}}));
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.out,
            "##vso[task.logissue type=error]unknown option --frobnicate (tcss-scan --help lists "
            "every option)\n");
}

TEST_F(PlatformsTest, CnbPluginSettingsInSetOutputLinesOut) {
  Env env = BaseEnv(home.path(), false);
  env["CNB"] = "true";
  env["PLUGIN_IMAGES"] = kApp;
  env["PLUGIN_ENDPOINT"] = emu.url();
  env["PLUGIN_SECRET_ID"] = kSecretId;
  env["PLUGIN_SECRET_KEY"] = kSecretKey;
  ProcResult r;
  std::string task = Submit(env, {}, &r);
  EXPECT_NE(r.out.find("##[set-output task_id=" + task + "]\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("##[set-output image_ids=" + kAppId + "]\n"), std::string::npos);
  env["PLUGIN_WAIT_TIMOUT"] = "5m";  // a typo is named, nothing is sent
  emu.Reset();
  auto typo = RunProcess({ScanBin()}, env, workspace.path());
  EXPECT_EQ(typo.exit_code, 4);
  EXPECT_NE(typo.err.find("unknown plugin setting \"wait-timout\""), std::string::npos) << typo.err;
  EXPECT_EQ(emu.Requests()->size(), 0u);
}

TEST_F(PlatformsTest, DroneAndWoodpeckerPluginsLeaveADotenvInTheWorkspace) {
  for (const Env& marker : {Env{{"DRONE", "true"}}, Env{{"CI", "woodpecker"}}}) {
    Env env = BaseEnv(home.path(), false);
    for (const auto& [k, v] : marker) env[k] = v;
    env["PLUGIN_IMAGES"] = kNginx;
    env["PLUGIN_ENDPOINT"] = emu.url();
    env["PLUGIN_SECRET_ID"] = kSecretId;
    env["PLUGIN_SECRET_KEY"] = kSecretKey;
    emu.Reset();
    std::string task = Submit(env, {});
    EXPECT_EQ(Shell(". ./tcss-scan.env && printf %s \"$TCSS_TASK_ID\""), task);
  }
}

TEST_F(PlatformsTest, JenkinsReadsTheDotenvAsProperties) {
  std::string task = Submit(
      Replayed({{"JENKINS_URL", "https://jenkins.example/"}, {"BUILD_TAG", "jenkins-app-1"}}),
      {kApp});
  std::string props = workspace.Read("tcss-scan.env");
  EXPECT_NE(props.find("TCSS_TASK_ID=" + task + "\n"), std::string::npos) << props;
  // readProperties (java.util.Properties) splits a line at the first '=' or ':' and treats '\'
  // as an escape: the file has neither in keys, and no backslash anywhere.
  EXPECT_EQ(props.find('\\'), std::string::npos);
}

TEST_F(PlatformsTest, TektonResultsFromChainsParams) {
  TempDir results;
  std::string task = Submit(Replayed({{"TCSS_PLATFORM", "tekton"},
                                      {"IMAGE_URL", kApp},
                                      {"TCSS_TEKTON_RESULTS_DIR", results.path()}}),
                            {});
  EXPECT_EQ(results.Read("task-id"), task);
  EXPECT_EQ(results.Read("image-ids"), kAppId);
  EXPECT_EQ(results.Read("exit-code"), "0");
}

TEST_F(PlatformsTest, BuildkiteMetaDataReadBackByTheAgent) {
  // A stand-in for buildkite-agent that keeps meta-data in a folder, as the agent keeps it in
  // the build: `set` stores (and, as the real agent, refuses an empty value), `get` prints;
  // annotate keeps its arguments.
  TempDir bin, store;
  bin.Write("buildkite-agent",
            "#!/bin/sh\n"
            "set -eu\n"
            "case \"$1 $2\" in\n"
            "  'meta-data set') [ -n \"$4\" ] || exit 1; printf %s \"$4\" > \"$STORE/$3\" ;;\n"
            "  'meta-data get') cat \"$STORE/$3\" ;;\n"
            "  annotate*) shift; printf '%s\\n' \"$@\" > \"$STORE/annotation\" ;;\n"
            "  *) exit 64 ;;\n"
            "esac\n");
  chmod(bin.File("buildkite-agent").c_str(), 0755);
  Env path = {{"PATH", bin.path() + ":/usr/bin:/bin"}, {"STORE", store.path()}};
  Env env = Replayed({{"BUILDKITE", "true"}, {"BUILDKITE_JOB_ID", "0190-ab"}});
  for (const auto& [k, v] : path) env[k] = v;
  std::string task = Submit(env, {kApp});
  EXPECT_EQ(Shell("buildkite-agent meta-data get TCSS_TASK_ID", path), task);
  std::string annotation = store.Read("annotation");
  EXPECT_EQ(annotation.rfind("--style\nsuccess\n--context\ntcss-scan-", 0), 0u) << annotation;
  EXPECT_NE(annotation.find("Scan task `" + task + "` submitted"), std::string::npos);

  // Without the agent (a container step without mount-buildkite-agent) the TaskID still
  // reaches stdout, and the lost channel is an output failure (exit 6), named.
  env["PATH"] = "/usr/bin:/bin";
  emu.Reset();
  auto r = RunProcess({ScanBin(), kApp}, env, workspace.path());
  EXPECT_EQ(r.exit_code, 6) << r.err;
  EXPECT_TRUE(std::regex_search(r.out, kTaskLine));
  EXPECT_NE(r.err.find("buildkite-agent"), std::string::npos) << r.err;

  // Hardening III, 9: an agent that hangs (the real one retries a call for minutes) is stopped
  // at --timeout; the TaskID is on stdout and the lost channel is exit 6.
  bin.Write("buildkite-agent", "#!/bin/sh\nexec sleep 60\n");
  chmod(bin.File("buildkite-agent").c_str(), 0755);
  env["PATH"] = bin.path() + ":/usr/bin:/bin";
  emu.Reset();
  r = RunProcess({ScanBin(), "--timeout", "2", kApp}, env, workspace.path());
  EXPECT_EQ(r.exit_code, 6) << r.err;
  EXPECT_TRUE(std::regex_search(r.out, kTaskLine));
  EXPECT_NE(r.err.find("did not finish within"), std::string::npos) << r.err;
  EXPECT_LT(r.seconds, 6);
}

TEST_F(PlatformsTest, CircleciLaterStepsSourceBashEnv) {
  // Hardening III, 18: the job's last line has no newline; its value stays its own.
  home.Write("bash_env", "export EARLIER=1");
  std::string task =
      Submit(Replayed({{"CIRCLECI", "true"}, {"BASH_ENV", home.File("bash_env")}}), {kApp});
  EXPECT_EQ(Shell(". \"$BASH_ENV\" && printf '%s %s' \"$EARLIER\" \"$TCSS_TASK_ID\"",
                  {{"BASH_ENV", home.File("bash_env")}}),
            "1 " + task);
}

TEST_F(PlatformsTest, BitbucketOutputVariables) {
  std::string task = Submit(Replayed({{"BITBUCKET_BUILD_NUMBER", "14"},
                                      {"BITBUCKET_PIPELINES_VARIABLES_PATH", home.File("vars")}}),
                            {kApp});
  EXPECT_NE(home.Read("vars").find("TCSS_TASK_ID=" + task + "\n"), std::string::npos);
}

TEST_F(PlatformsTest, AnUnwritableChannelIsFoundBeforeAnythingIsSent) {
  auto r = RunProcess({ScanBin(), kApp},
                      Replayed({{"CIRCLECI", "true"}, {"BASH_ENV", "/nonexistent/dir/env"}}),
                      workspace.path());
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find("BASH_ENV"), std::string::npos) << r.err;
  EXPECT_EQ(emu.Requests()->size(), 0u);
}

}  // namespace
}  // namespace tcss::it
