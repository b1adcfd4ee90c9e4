// The CI platforms (issue 13): detection from each platform's recorded variables, outputs byte
// for byte in the syntax the platform documents, and injection through every value that
// reaches a command.
#include <gtest/gtest.h>

#include "core/config.h"
#include "core/json.h"
#include "core/platforms/platform.h"
#include "core/text.h"

namespace tcss {
namespace {

using platforms::Env;
using platforms::Platform;

const Platform& Chosen(const Env& env, const std::string& requested = "") {
  auto p = platforms::Choose(env, requested);
  EXPECT_TRUE(p.ok());
  return p.ok() ? **p : platforms::None();
}

// What each platform's runner sets (recorded from their documentation's variable lists), with
// the variables of other systems a runner image often inherits.
struct Recorded {
  const char* id;
  Env env;
};
const std::vector<Recorded>& RecordedEnvironments() {
  static const std::vector<Recorded> kEnvs = {
      {"github", {{"CI", "true"}, {"GITHUB_ACTIONS", "true"}, {"GITHUB_RUN_ID", "9"}}},
      {"gitlab", {{"CI", "true"}, {"GITLAB_CI", "true"}, {"CI_JOB_ID", "3"}}},
      {"azure",
       {{"TF_BUILD", "True"}, {"AGENT_NAME", "Azure Pipelines 2"}, {"BUILD_BUILDID", "41"}}},
      {"jenkins",
       {{"JENKINS_URL", "https://ci.example/"}, {"BUILD_TAG", "jenkins-app-7"}, {"CI", "true"}}},
      {"jenkins",  // CODING's Jenkinsfile pipelines are Jenkins underneath
       {{"JENKINS_URL", "http://jenkins:8080/"}, {"CODING", "true"}, {"CI", "true"}}},
      {"cnb", {{"CNB", "true"}, {"CNB_BUILD_ID", "cnb-1"}, {"CI", "true"}}},
      {"cnb", {{"CODING", "true"}, {"CI", "true"}}},
      {"buildkite", {{"BUILDKITE", "true"}, {"CI", "true"}, {"BUILDKITE_JOB_ID", "0190"}}},
      {"circleci", {{"CIRCLECI", "true"}, {"CI", "true"}, {"BASH_ENV", "/tmp/.bash_env-x"}}},
      {"bitbucket", {{"BITBUCKET_BUILD_NUMBER", "14"}, {"CI", "true"}}},
      {"drone", {{"DRONE", "true"}, {"CI", "true"}, {"DRONE_BUILD_NUMBER", "5"}}},
      {"drone", {{"CI", "woodpecker"}, {"CI_PIPELINE_NUMBER", "6"}}},
      {"docker-hub", {{"IMAGE_NAME", "index.docker.io/acme/app:1"}, {"DOCKER_REPO", "x"}}},
      {"none", {{"CI", "true"}}},
      {"none", {}},
  };
  return kEnvs;
}

TEST(Platforms, EachIsDetectedFromItsOwnVariables) {
  for (const auto& r : RecordedEnvironments()) {
    EXPECT_STREQ(Chosen(r.env).Id(), r.id) << "expected " << r.id;
  }
}

TEST(Platforms, TektonAndOverridesAreChosenByName) {
  EXPECT_STREQ(Chosen({}, "tekton").Id(), "tekton");
  EXPECT_STREQ(Chosen({{"GITHUB_ACTIONS", "true"}}, "none").Id(), "none");
  EXPECT_STREQ(Chosen({{"GITHUB_ACTIONS", "true"}}, "AUTO").Id(), "github");
  auto bad = platforms::Choose({}, "travis");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("unknown platform \"travis\""), std::string::npos);
  EXPECT_NE(bad.error().message.find("auto|github|gitlab|azure"), std::string::npos);
  // Through the command line and the environment, with the same message.
  auto c = ParseConfig({{"TCSS_PLATFORM", "tekton"}, {"IMAGE_URL", "registry.example/a/b:1"}}, {});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_STREQ(c->platform->Id(), "tekton");
  auto f = ParseConfig({{"GITLAB_CI", "true"}}, {"--platform", "none", "img:1"});
  ASSERT_TRUE(f.ok());
  EXPECT_STREQ(f->platform->Id(), "none");
  EXPECT_EQ(f->dotenv_path, "");  // GitLab's default went with GitLab
  EXPECT_FALSE(ParseConfig({}, {"--platform", "travis", "img:1"}).ok());
}

TEST(Platforms, DotenvDefaultsWhereAFileIsTheChannel) {
  for (const auto& [id, want] :
       std::vector<std::pair<std::string, std::string>>{{"gitlab", "tcss-scan.env"},
                                                        {"jenkins", "tcss-scan.env"},
                                                        {"drone", "tcss-scan.env"},
                                                        {"github", ""},
                                                        {"azure", ""},
                                                        {"tekton", ""}}) {
    auto c = ParseConfig({}, {"--platform", id, "img:1"});
    ASSERT_TRUE(c.ok()) << id;
    EXPECT_EQ(c->dotenv_path, want) << id;
  }
}

TEST(Platforms, TektonImageFromTheChainsParamsPinnedToTheDigest) {
  const std::string digest = "sha256:" + std::string(64, 'a');
  auto c = ParseConfig({{"IMAGE_URL", "registry.example/team/app:1.2"}, {"IMAGE_DIGEST", digest}},
                       {"--platform", "tekton"});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->images, std::vector<std::string>{"registry.example/team/app@" + digest});
  EXPECT_EQ(c->image_source, "IMAGE_URL@IMAGE_DIGEST");
  auto bad = ParseConfig({{"IMAGE_URL", "r.example/a:1"}, {"IMAGE_DIGEST", "sha256:xyz"}},
                         {"--platform", "tekton"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("IMAGE_URL@IMAGE_DIGEST"), std::string::npos);
  // Not under Tekton: IMAGE_URL is an ordinary name and says nothing.
  auto none = ParseConfig({{"IMAGE_URL", "r.example/a:1"}}, {});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("no image to scan"), std::string::npos);
  auto missing = ParseConfig({}, {"--platform", "tekton"});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("IMAGE_URL (with IMAGE_DIGEST)"), std::string::npos);
}

TEST(Platforms, PluginSettingsBecomeOptionsAndCredentials) {
  Env env = {{"DRONE", "true"},
             {"PLUGIN_IMAGES", "r.example/a:1,r.example/b:2"},
             {"PLUGIN_FAIL_ON", "*,-FailedOperation"},
             {"PLUGIN_SECRET_ID", "AKIDplugin"},
             {"PLUGIN_SECRET_KEY", "plugin-key"},
             {"PLUGIN_WAIT", "true"},
             {"TCSS_TIMEOUT", "9"},
             {"PLUGIN_TIMEOUT", "99"}};
  std::vector<std::string> notices;
  auto out = platforms::WithPluginSettings(env, &notices);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_TRUE(notices.empty());
  EXPECT_EQ(platforms::Get(*out, "TCSS_IMAGES"), "r.example/a:1,r.example/b:2");
  EXPECT_EQ(platforms::Get(*out, "TCSS_FAIL_ON"), "*,-FailedOperation");
  EXPECT_EQ(platforms::Get(*out, "TENCENTCLOUD_SECRET_ID"), "AKIDplugin");
  EXPECT_EQ(platforms::Get(*out, "TENCENTCLOUD_SECRET_KEY"), "plugin-key");
  EXPECT_EQ(platforms::Get(*out, "TCSS_TIMEOUT"), "9");  // the TCSS_ variable wins
  auto c = ParseConfig(*out, {});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->images.size(), 2u);
  EXPECT_TRUE(c->wait);

  // A renamed setting still works, with a notice naming the new name.
  env["PLUGIN_AUDIENCE"] = "my-client";
  auto old = platforms::WithPluginSettings(env, &notices);
  ASSERT_TRUE(old.ok()) << old.error().message;
  EXPECT_EQ(platforms::Get(*old, "TCSS_OIDC_AUDIENCE"), "my-client");
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0],
            "the setting audience is deprecated; call it oidc-audience (it works the same)");

  env["PLUGIN_FAIL_ONN"] = "x";
  auto typo = platforms::WithPluginSettings(env, nullptr);
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.error().message.find(
                "unknown plugin setting \"fail-onn\" (PLUGIN_FAIL_ONN); did you mean fail-on?"),
            std::string::npos);
  EXPECT_NE(typo.error().message.find("fail-on"), std::string::npos);
  // Outside a plugin platform PLUGIN_ variables are someone else's.
  auto other = platforms::WithPluginSettings({{"PLUGIN_FAIL_ONN", "x"}}, nullptr);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(platforms::Get(*other, "TCSS_FAIL_ON"), "");
}

RunReport Submitted(const std::string& task_id = "1700000000000000001") {
  RunReport r;
  r.task_id = task_id;
  r.request_id = "6e3c7a1b-0000-4000-8000-000000000001";
  r.images = {{"r.example/a:1", "sha256:" + std::string(64, 'b')}, {"r.example/b:2", "42"}};
  r.source = "registry";
  return r;
}

struct Context {
  Env env;
  platforms::PublishContext ctx{env, 0, [] { return std::string("0badcafe"); },
                                [] { return std::string("feedfacefeedface"); },
                                [](std::string s) { return s; }};
  explicit Context(Env e) : env(std::move(e)) {}
};

// The agent's parser (azure-pipelines-agent Command.TryParse and CommandStringConvertor):
// "##vso[" anywhere in a line, the command up to the next ']', properties split on ';' then
// at the first '=', both properties and data unescaped.
struct AzureCommand {
  std::string name;
  std::map<std::string, std::string> props;
  std::string data;
};
std::string AzureUnescape(std::string s) {
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"%3B", ";"}, {"%0D", "\r"}, {"%0A", "\n"}, {"%5D", "]"}, {"%AZP25", "%"}}) {
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
      s.replace(at, from.size(), to);
    }
  }
  return s;
}
std::vector<AzureCommand> AzureAgentReads(const std::string& output) {
  std::vector<AzureCommand> out;
  size_t start = 0;
  while (start < output.size()) {
    size_t end = output.find('\n', start);
    if (end == std::string::npos) end = output.size();
    std::string line = output.substr(start, end - start);
    start = end + 1;
    size_t at = line.find("##vso[");
    if (at == std::string::npos) continue;
    size_t close = line.find(']', at);
    if (close == std::string::npos) continue;
    std::string head = line.substr(at + 6, close - at - 6);
    AzureCommand cmd;
    size_t space = head.find(' ');
    cmd.name = head.substr(0, space);
    if (space != std::string::npos) {
      std::string props = head.substr(space + 1);
      size_t p = 0;
      while (p <= props.size()) {
        size_t semi = props.find(';', p);
        std::string kv = props.substr(p, semi == std::string::npos ? std::string::npos : semi - p);
        size_t eq = kv.find('=');
        if (eq != std::string::npos) cmd.props[kv.substr(0, eq)] = AzureUnescape(kv.substr(eq + 1));
        if (semi == std::string::npos) break;
        p = semi + 1;
      }
    }
    cmd.data = AzureUnescape(line.substr(close + 1));
    out.push_back(cmd);
  }
  return out;
}

TEST(Platforms, AzureSetsOutputVariablesAndUploadsTheSummary) {
  Context c(Env{{"TF_BUILD", "True"}, {"AGENT_TEMPDIRECTORY", "/agent/_temp"}});
  auto pub = Chosen(c.env).Publish(Submitted(), c.ctx);
  const std::string want =
      "##vso[task.setvariable variable=TCSS_TASK_ID;isOutput=true]1700000000000000001\n"
      "##vso[task.setvariable variable=TCSS_REQUEST_ID;isOutput=true]"
      "6e3c7a1b-0000-4000-8000-000000000001\n"
      "##vso[task.setvariable variable=TCSS_IMAGE_IDS;isOutput=true]sha256:" +
      std::string(64, 'b') +
      ",42\n"
      "##vso[task.setvariable variable=TCSS_SOURCE;isOutput=true]registry\n"
      "##vso[task.uploadsummary]/agent/_temp/tcss-scan-summary-0badcafe.md\n";
  EXPECT_EQ(pub.stdout_text, want);
  ASSERT_EQ(pub.files.size(), 1u);
  EXPECT_EQ(pub.files[0].target.path, "/agent/_temp/tcss-scan-summary-0badcafe.md");
  EXPECT_TRUE(pub.files[0].target.replace);
  EXPECT_NE(pub.files[0].text.find("Scan task `1700000000000000001` submitted"), std::string::npos);
  EXPECT_EQ(Chosen(c.env).Annotation(true, "boom"), "##vso[task.logissue type=error]boom\n");
  EXPECT_EQ(Chosen(c.env).MaskCommand("a%b;c]d"), "##vso[task.setsecret]a%AZP25b;c]d\n");
}

TEST(Platforms, AzureValuesCannotStartACommand) {
  Context c(Env{{"TF_BUILD", "True"}});
  const Platform& azure = Chosen(c.env);
  const std::string hostile =
      "x]\n##vso[task.setvariable variable=PWNED]1\r\n##vso[task.complete result=Failed;]% ;";
  RunReport r = Submitted();
  r.images = {{"r.example/a:1", hostile}};
  r.source = hostile;
  auto cmds = AzureAgentReads(azure.Publish(r, c.ctx).stdout_text);
  ASSERT_EQ(cmds.size(), 4u);
  for (const auto& cmd : cmds) {
    EXPECT_EQ(cmd.name, "task.setvariable");
    EXPECT_EQ(cmd.props.size(), 2u);
    EXPECT_EQ(cmd.props.at("isOutput"), "true");
  }
  EXPECT_EQ(cmds[2].props.at("variable"), "TCSS_IMAGE_IDS");
  EXPECT_EQ(cmds[2].data, hostile);  // read back exactly
  EXPECT_EQ(cmds[3].data, hostile);
  auto issue = AzureAgentReads(azure.Annotation(false, hostile));
  ASSERT_EQ(issue.size(), 1u);
  EXPECT_EQ(issue[0].name, "task.logissue");
  EXPECT_EQ(issue[0].props.at("type"), "warning");
  EXPECT_EQ(issue[0].data, platforms::DefuseLogCommands(hostile));  // human text, defused too
  auto mask = AzureAgentReads(azure.MaskCommand(hostile));
  ASSERT_EQ(mask.size(), 1u);
  EXPECT_EQ(mask[0].data, hostile);
}

TEST(Platforms, LogLinesAndJsonCarryNoRunnerCommands) {
  EXPECT_EQ(platforms::DefuseLogCommands("a ##vso[task.complete]x ##[set-output k=v] #[ok"),
            "a ## vso[task.complete]x ## [set-output k=v] #[ok");
  // The Azure agent warns about "##vso" anywhere (any case) that is not a legal command.
  EXPECT_EQ(platforms::DefuseLogCommands("##VSO ##vSo[x] ### #vso ##"),
            "## VSO ## vSo[x] ### #vso ##");
  EXPECT_EQ(platforms::DefuseLogCommands("###[a ##v"), "### [a ##v");
  EXPECT_TRUE(AzureAgentReads(platforms::DefuseLogCommands("##vso[task.setvariable]x")).empty());
  RunReport r = Submitted();
  r.error = Error{ErrorKind::kApi, "InvalidParameter",
                  "bad ##vso[task.complete]x ##[set-output a=b] ##VSO", ""};
  std::string json = JsonReport(r);
  EXPECT_EQ(text::Lower(json).find("##vso"), std::string::npos) << json;
  auto parsed = json::ParseObject(json);
  ASSERT_TRUE(parsed.ok());  // the same text, escaped
  EXPECT_NE(json.find("bad ##\\u0076so[task.complete]x ##\\u005bset-output a=b] ##\\u0056SO"),
            std::string::npos)
      << json;
  EXPECT_EQ(json.find("##["), std::string::npos);
}

TEST(Platforms, CnbSetOutputLinesAndValuesThatCannotBeWritten) {
  Context c(Env{{"CNB", "true"}});
  const Platform& cnb = Chosen(c.env);
  EXPECT_TRUE(cnb.TakesPluginSettings());
  auto pub = cnb.Publish(Submitted(), c.ctx);
  EXPECT_EQ(pub.stdout_text,
            "##[set-output task_id=1700000000000000001]\n"
            "##[set-output request_id=6e3c7a1b-0000-4000-8000-000000000001]\n"
            "##[set-output image_ids=sha256:" +
                std::string(64, 'b') +
                ",42]\n"
                "##[set-output source=registry]\n");
  RunReport r = Submitted();
  r.source = "x]\n##[set-output task_id=evil]";
  pub = cnb.Publish(r, c.ctx);
  EXPECT_EQ(pub.stdout_text.find("evil"), std::string::npos);
  ASSERT_EQ(pub.warnings.size(), 1u);
  EXPECT_NE(pub.warnings[0].find("source was left out"), std::string::npos);
  EXPECT_TRUE(cnb.Publish(RunReport{}, c.ctx).stdout_text.empty());
}

TEST(Platforms, CircleciExportsAreSingleQuotedShellWords) {
  Context c(Env{{"CIRCLECI", "true"}, {"BASH_ENV", "/tmp/.bash_env-1"}});
  RunReport r = Submitted();
  r.source = "it's $(touch /tmp/pwned) `x`";
  auto pub = Chosen(c.env).Publish(r, c.ctx);
  ASSERT_EQ(pub.files.size(), 1u);
  EXPECT_EQ(pub.files[0].target.path, "/tmp/.bash_env-1");
  EXPECT_FALSE(pub.files[0].target.replace);
  EXPECT_EQ(pub.files[0].text,
            "\nexport TCSS_TASK_ID='1700000000000000001'\n"
            "export TCSS_REQUEST_ID='6e3c7a1b-0000-4000-8000-000000000001'\n"
            "export TCSS_IMAGE_IDS='sha256:" +
                std::string(64, 'b') +
                ",42'\n"
                "export TCSS_SOURCE='it'\\''s $(touch /tmp/pwned) `x`'\n");
}

TEST(Platforms, BitbucketOutputVariablesFile) {
  Context c(
      Env{{"BITBUCKET_BUILD_NUMBER", "14"}, {"BITBUCKET_PIPELINES_VARIABLES_PATH", "/v/vars"}});
  RunReport r = Submitted();
  r.source = "two words";
  auto pub = Chosen(c.env).Publish(r, c.ctx);
  ASSERT_EQ(pub.files.size(), 1u);
  EXPECT_EQ(pub.files[0].target.path, "/v/vars");
  EXPECT_EQ(pub.files[0].text,
            "TCSS_TASK_ID=1700000000000000001\n"
            "TCSS_REQUEST_ID=6e3c7a1b-0000-4000-8000-000000000001\n"
            "TCSS_IMAGE_IDS=sha256:" +
                std::string(64, 'b') + ",42\n");
  ASSERT_EQ(pub.warnings.size(), 1u);
  EXPECT_NE(pub.warnings[0].find("TCSS_SOURCE"), std::string::npos);
  EXPECT_EQ(Chosen(c.env).OidcTokenVariables(),
            std::vector<std::string>{"BITBUCKET_STEP_OIDC_TOKEN"});
}

TEST(Platforms, TektonResultsFilesWithinTheirLimit) {
  Context c(Env{{"TCSS_TEKTON_RESULTS_DIR", "/tekton/results"}});
  c.ctx.exit_code = 0;
  const Platform& tekton = Chosen(c.env, "tekton");
  auto pub = tekton.Publish(Submitted(), c.ctx);
  std::map<std::string, std::string> files;
  for (const auto& f : pub.files) {
    EXPECT_TRUE(f.target.replace);
    files[f.target.path] = f.text;
  }
  EXPECT_EQ(files.at("/tekton/results/task-id"), "1700000000000000001");  // no newline
  EXPECT_EQ(files.at("/tekton/results/request-id"), "6e3c7a1b-0000-4000-8000-000000000001");
  EXPECT_EQ(files.at("/tekton/results/image-ids"), "sha256:" + std::string(64, 'b') + ",42");
  EXPECT_EQ(files.at("/tekton/results/exit-code"), "0");
  // Over 4096 bytes with every image ID: image-ids is the one emptied.
  RunReport many = Submitted();
  many.images.assign(60, {"r.example/a:1", "sha256:" + std::string(64, 'c')});
  pub = tekton.Publish(many, c.ctx);
  size_t total = 0;
  for (const auto& f : pub.files) {
    total += f.text.size();
    if (f.target.path == "/tekton/results/image-ids") {
      EXPECT_EQ(f.text, "");
    }
  }
  EXPECT_LT(total, 4096u);
  ASSERT_EQ(pub.warnings.size(), 1u);
  // A failed submission still writes every declared result.
  c.ctx.exit_code = 3;
  pub = tekton.Publish(RunReport{}, c.ctx);
  ASSERT_EQ(pub.files.size(), 4u);
  EXPECT_EQ(pub.files[0].text, "");
  EXPECT_EQ(pub.files[3].text, "3");
}

TEST(Platforms, BuildkiteMetaDataAndAnnotationAsArgvNeverAShell) {
  Context c(Env{{"BUILDKITE", "true"}});
  RunReport r = Submitted("-1700");
  r.source = "$(x); rm -rf /";
  auto pub = Chosen(c.env).Publish(r, c.ctx);
  ASSERT_EQ(pub.commands.size(), 4u);
  using Argv = std::vector<std::string>;
  EXPECT_EQ(pub.commands[0], (Argv{"buildkite-agent", "meta-data", "set", "TCSS_REQUEST_ID",
                                   "6e3c7a1b-0000-4000-8000-000000000001"}));
  EXPECT_EQ(pub.commands[2],
            (Argv{"buildkite-agent", "meta-data", "set", "TCSS_SOURCE", "$(x); rm -rf /"}));
  ASSERT_EQ(pub.warnings.size(), 1u);  // "-1700" would read as a flag
  EXPECT_NE(pub.warnings[0].find("TCSS_TASK_ID"), std::string::npos);
  const Argv& annotate = pub.commands[3];
  ASSERT_EQ(annotate.size(), 7u);
  EXPECT_EQ(Argv(annotate.begin(), annotate.begin() + 6),
            (Argv{"buildkite-agent", "annotate", "--style", "success", "--context",
                  "tcss-scan-0badcafe"}));
  EXPECT_EQ(annotate[6].rfind("### TCSS image scan", 0), 0u);
  r.gate = "2 high";
  EXPECT_EQ(Chosen(c.env).Publish(r, c.ctx).commands.back()[3], "error");
  // Hardening III, 9: the real agent refuses an empty value (a recovered task has no
  // RequestId): such a key is not set at all.
  r.request_id.clear();
  for (const auto& argv : Chosen(c.env).Publish(r, c.ctx).commands) {
    EXPECT_NE(argv.size() > 3 ? argv[3] : "", "TCSS_REQUEST_ID");
    if (argv[1] == "meta-data") {
      ASSERT_EQ(argv.size(), 5u);
      EXPECT_FALSE(argv[4].empty());
    }
  }
}

TEST(Platforms, GithubKeepsItsChannels) {
  Context c(
      Env{{"GITHUB_ACTIONS", "true"}, {"GITHUB_OUTPUT", "/o"}, {"GITHUB_STEP_SUMMARY", "/s"}});
  auto pub = Chosen(c.env).Publish(Submitted(), c.ctx);
  ASSERT_EQ(pub.files.size(), 2u);
  EXPECT_EQ(pub.files[0].target.path, "/o");
  EXPECT_EQ(
      pub.files[0].text.rfind("task-id<<ghadelimiter_feedfacefeedface\n1700000000000000001\n", 0),
      0u);
  EXPECT_EQ(pub.files[1].target.path, "/s");
  EXPECT_EQ(Chosen(c.env).Annotation(true, "x"), "::error title=tcss-scan::x\n");
}

TEST(Platforms, FirstPlatformThatNamesAnImageWins) {
  // SPEC §4's order: GitHub's metadata before the Docker Hub hook's variables.
  Env env = {{"GITHUB_ACTIONS", "true"},
             {"DOCKER_METADATA_OUTPUT_TAGS", "ghcr.io/a/b:1"},
             {"IMAGE_NAME", "acme/x:2"}};
  auto found = platforms::ImagesFromPipeline(env, Chosen(env));
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->images, std::vector<std::string>{"ghcr.io/a/b:1"});
  env.erase("DOCKER_METADATA_OUTPUT_TAGS");
  found = platforms::ImagesFromPipeline(env, Chosen(env));
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->images, std::vector<std::string>{"acme/x:2"});
  EXPECT_EQ(found->looked_at.front(), "DOCKER_METADATA_OUTPUT_JSON");
}

}  // namespace
}  // namespace tcss
