// ParseConfig: precedence, validation messages, pipeline sources, credentials.
#include <gtest/gtest.h>

#include "core/config.h"

namespace tcss {
namespace {

EnvMap Env(std::initializer_list<std::pair<const std::string, std::string>> kv) {
  return EnvMap(kv);
}

Result<Config> Parse(const EnvMap& env, std::vector<std::string> args) {
  return ParseConfig(env, args);
}

TEST(Precedence, FlagBeatsEnvBeatsPlatformDefaultBeatsBuiltIn) {
  auto c = Parse(Env({{"TCSS_TIMEOUT", "30"}}), {"--timeout", "5", "img:1"});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->timeout_s, 5);
  c = Parse(Env({{"TCSS_TIMEOUT", "30"}}), {"img:1"});
  EXPECT_EQ(c->timeout_s, 30);
  c = Parse({}, {"img:1"});
  EXPECT_EQ(c->timeout_s, 60);
  // GitLab's platform default for --dotenv, overridden by env, overridden by flag.
  c = Parse(Env({{"GITLAB_CI", "true"}}), {"img:1"});
  EXPECT_EQ(c->dotenv_path, "tcss-scan.env");
  c = Parse(Env({{"GITLAB_CI", "true"}, {"TCSS_DOTENV", "x.env"}}), {"img:1"});
  EXPECT_EQ(c->dotenv_path, "x.env");
  c = Parse(Env({{"GITLAB_CI", "true"}, {"TCSS_DOTENV", "x.env"}}), {"--dotenv=y.env", "img:1"});
  EXPECT_EQ(c->dotenv_path, "y.env");
}

TEST(Precedence, EmptyEnvironmentValuesAreUnset) {
  auto c = Parse(Env({{"TCSS_TIMEOUT", ""}, {"TCSS_FAIL_ON", " "}}), {"img:1"});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->timeout_s, 60);
  EXPECT_EQ(c->fail_on, std::vector<std::string>{"*"});
}

TEST(Precedence, ImageFlagsReplaceTheEnvironmentList) {
  auto c = Parse(Env({{"TCSS_IMAGES", "a:1,b:2\nc:3"}}), {});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->images, (std::vector<std::string>{"a:1", "b:2", "c:3"}));
  c = Parse(Env({{"TCSS_IMAGES", "a:1"}}), {"--image", "x:1", "y:2"});
  EXPECT_EQ(c->images, (std::vector<std::string>{"x:1", "y:2"}));
}

TEST(Validation, EachBadInputIsAUsageErrorNamingTheProblem) {
  struct Case {
    std::vector<std::string> args;
    EnvMap env;
    std::string needle;
  };
  std::vector<Case> cases = {
      {{"--bogus", "img:1"}, {}, "unknown option --bogus"},
      {{"--timeout", "abc", "img:1"}, {}, "--timeout \"abc\" is not a duration"},
      {{"--filter", "ImageName", "--all"}, {}, "has no '='"},
      {{"--endpoint", "http://tcss.example.com", "img:1"}, {}, "only for loopback"},
      {{"Nginx:1"}, {}, "lower case"},
      {{"nginx:-bad"}, {}, "tag must start"},
      {{"nginx@sha256:abc"}, {}, "64 lower-case hex"},
      {{}, {}, "no image to scan: looked at IMAGE arguments"},
      {{"img:1"}, {{"TCSS_WAIT", "maybe"}}, "TCSS_WAIT"},
      {{"--retries", "99", "img:1"}, {}, "0 to 20"},
      {{"--fail-on", "Auth Failure", "img:1"}, {}, "--fail-on pattern"},
      {{"--scan", "cve", "img:1"}, {}, "unknown kind"},
      {{"--all", "img:1"}, {}, "use one of them"},
      {{"--timeout"}, {}, "needs a value"},
      {{"--language", "fr-FR", "img:1"}, {}, "en-US or zh-CN"},
      {{"status"}, {}, "exactly one TASK_ID"},
      {{"img:1"}, {{"HTTPS_PROXY", "socks5://p:1"}}, "proxy"},
  };
  for (const auto& tc : cases) {
    auto c = Parse(tc.env, tc.args);
    ASSERT_FALSE(c.ok()) << tc.needle;
    EXPECT_EQ(c.error().kind, ErrorKind::kUsage);
    EXPECT_NE(c.error().message.find(tc.needle), std::string::npos)
        << "message: " << c.error().message << "\nexpected: " << tc.needle;
  }
}

// Hardening III, 12: each source's kind of Id is taken; the other kind is refused, not dropped.
// Issue 21, 1: a gate cannot be off by accident. What reads findings implies --wait; an
// explicit "do not wait" beside it is a usage error naming both.
TEST(Validation, WhatReadsFindingsImpliesWaitAndRefusesWaitFalse) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--severity-threshold", "critical", "img:1"},
        {"--fail-on-findings", "virus", "img:1"},
        {"--sarif-file", "x.sarif", "img:1"},
        {"--junit-file", "j.xml", "img:1"},
        {"--report-file", "gl.json", "img:1"}}) {
    auto c = Parse({}, args);
    ASSERT_TRUE(c.ok()) << args[0] << ": " << c.error().message;
    EXPECT_TRUE(c->wait) << args[0];
    EXPECT_EQ(c->wait_implied, args[0]);
  }
  auto plain = Parse({}, {"img:1"});
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->wait);
  auto flag = Parse({}, {"--wait=false", "--severity-threshold", "high", "img:1"});
  ASSERT_FALSE(flag.ok());
  EXPECT_EQ(flag.error().kind, ErrorKind::kUsage);
  EXPECT_NE(flag.error().message.find("--severity-threshold reads the scan's findings"),
            std::string::npos)
      << flag.error().message;
  EXPECT_NE(flag.error().message.find("drop --wait=false"), std::string::npos);
  auto env = Parse({{"TCSS_WAIT", "false"}, {"TCSS_SARIF_FILE", "x.sarif"}}, {"img:1"});
  ASSERT_FALSE(env.ok());
  EXPECT_NE(env.error().message.find("but TCSS_WAIT says not to wait"), std::string::npos)
      << env.error().message;
  // status checks once without --wait, as before.
  auto status = Parse({}, {"status", "t1", "--image", "sha256:" + std::string(64, 'a'),
                           "--severity-threshold", "high"});
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_FALSE(status->wait);
}

TEST(Validation, ExcludedImagesUseTheIdsOfTheirSource) {
  const std::string sha = "sha256:" + std::string(64, 'a');
  auto registry = Parse({}, {"--source", "registry", "--all", "--exclude-image-id", "110207177"});
  ASSERT_TRUE(registry.ok()) << registry.error().message;
  EXPECT_EQ(registry->exclude_image_ids, std::vector<std::string>{"110207177"});
  auto dropped = Parse({}, {"--source", "registry", "--all", "--exclude-image-id", sha});
  ASSERT_FALSE(dropped.ok());
  EXPECT_NE(dropped.error().message.find("registry list Id"), std::string::npos);
  auto local = Parse({}, {"--all", "--exclude-image-id", "42"});
  ASSERT_FALSE(local.ok());
  EXPECT_NE(local.error().message.find("--source registry"), std::string::npos)
      << local.error().message;
  EXPECT_FALSE(Parse({}, {"--all", "--source", "registry", "--exclude-image-id", "0042"}).ok());
}

TEST(Validation, GoodValuesParse) {
  auto c =
      Parse({}, {"--filter", "ImageName=nginx,redis;exact", "--exclude-image-id",
                 "sha256:" + std::string(64, 'a'), "--scan", "vul,risk", "--timeout", "1.5m",
                 "--fail-on", "*,-FailedOperation", "--endpoint", "http://127.0.0.1:8080", "-q"});
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_EQ(c->filters.size(), 1u);
  EXPECT_EQ(c->filters[0].values, (std::vector<std::string>{"nginx", "redis"}));
  EXPECT_TRUE(c->filters[0].exact);
  EXPECT_TRUE(c->scan_vul);
  EXPECT_FALSE(c->scan_virus);
  EXPECT_EQ(c->timeout_s, 90);
  EXPECT_EQ(c->log_level, LogLevel::kQuiet);
  auto g =
      Parse({}, {"--wait", "--severity-threshold", "HIGH", "--fail-on-findings", "virus", "a:1"});
  ASSERT_TRUE(g.ok()) << g.error().message;
  EXPECT_EQ(*g->severity_threshold, Severity::kHigh);
  EXPECT_TRUE(g->gate_virus);
  EXPECT_FALSE(g->gate_risk);
  auto all = Parse({}, {"--all", "--severity-threshold", "high"});
  ASSERT_FALSE(all.ok());
  EXPECT_NE(all.error().message.find("need the images named"), std::string::npos);
}

TEST(Pipeline, GithubMetadataJsonThenTags) {
  auto c = Parse(Env({{"GITHUB_ACTIONS", "true"},
                      {"DOCKER_METADATA_OUTPUT_JSON",
                       R"({"tags":["ghcr.io/o/r:1","ghcr.io/o/r:latest"],"labels":{}})"},
                      {"DOCKER_METADATA_OUTPUT_TAGS", "ghcr.io/o/r:other"}}),
                 {});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->images, (std::vector<std::string>{"ghcr.io/o/r:1", "ghcr.io/o/r:latest"}));
  c = Parse(Env({{"GITHUB_ACTIONS", "true"},
                 {"DOCKER_METADATA_OUTPUT_TAGS", "ghcr.io/o/r:1\nghcr.io/o/r:2\n"}}),
            {});
  EXPECT_EQ(c->images, (std::vector<std::string>{"ghcr.io/o/r:1", "ghcr.io/o/r:2"}));
  c = Parse(Env({{"GITHUB_ACTIONS", "true"}, {"DOCKER_METADATA_OUTPUT_JSON", "{not json"}}), {});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("DOCKER_METADATA_OUTPUT_JSON"), std::string::npos);
}

TEST(Pipeline, GitlabVariables) {
  EnvMap base = {{"GITLAB_CI", "true"},
                 {"CI_REGISTRY_IMAGE", "registry.gitlab.com/g/p"},
                 {"CI_COMMIT_REF_SLUG", "main"},
                 {"CI_COMMIT_SHA", "abc123"}};
  auto c = Parse(base, {});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->images, std::vector<std::string>{"registry.gitlab.com/g/p/main:abc123"});
  base["CI_COMMIT_TAG"] = "v1.2.3";
  EXPECT_EQ(Parse(base, {})->images, std::vector<std::string>{"registry.gitlab.com/g/p:v1.2.3"});
  base["CI_APPLICATION_REPOSITORY"] = "reg.example.com/app";
  base["CI_APPLICATION_TAG"] = "7";
  EXPECT_EQ(Parse(base, {})->images, std::vector<std::string>{"reg.example.com/app:7"});
}

TEST(Pipeline, DockerHubHookVariables) {
  auto c = Parse(Env({{"DOCKER_REPO", "index.docker.io/acme/app"}, {"DOCKER_TAG", "1.0"}}), {});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->images, std::vector<std::string>{"docker.io/acme/app:1.0"});
  c = Parse(Env({{"IMAGE_NAME", "index.docker.io/acme/app:2"}, {"DOCKER_REPO", "x"}}), {});
  EXPECT_EQ(c->images, std::vector<std::string>{"docker.io/acme/app:2"});
  c = Parse(Env({{"IMAGE_NAME", "index.docker.io/Acme/app:2"}}), {});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("from IMAGE_NAME"), std::string::npos);
}

TEST(Credentials, FromEnvironmentAndProfile) {
  auto none = CredentialsFromEnv({});
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto half = CredentialsFromEnv(Env({{"TENCENTCLOUD_SECRET_ID", "AKID"}}));
  ASSERT_FALSE(half.ok());
  EXPECT_NE(half.error().message.find("TENCENTCLOUD_SECRET_KEY"), std::string::npos);
  auto spaced = CredentialsFromEnv(
      Env({{"TENCENTCLOUD_SECRET_ID", "AKID "}, {"TENCENTCLOUD_SECRET_KEY", "k"}}));
  ASSERT_FALSE(spaced.ok());
  auto tok = CredentialsFromEnv(Env({{"TENCENTCLOUD_SECRET_ID", "AKID"},
                                     {"TENCENTCLOUD_SECRET_KEY", "k"},
                                     {"TENCENTCLOUD_TOKEN", "t"}}));
  ASSERT_TRUE(tok.ok());
  EXPECT_EQ((*tok)->token, "t");
  auto file = ParseCredentialsFile(
      "/p", "# c\n[other]\nsecret_id=X\n[default]\nsecret_id = AKIDf\nsecret_key=kf\ntoken=tf\n");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->secret_id, "AKIDf");
  EXPECT_EQ(file->token, "tf");
  EXPECT_FALSE(ParseCredentialsFile("/p", "[other]\nsecret_id=X\n").ok());
  // Saved by a Windows editor: a UTF-8 byte order mark before "[default]".
  auto bom =
      ParseCredentialsFile("/p", "\xEF\xBB\xBF[default]\r\nsecret_id=AKIDb\r\nsecret_key=kb\r\n");
  ASSERT_TRUE(bom.ok()) << bom.error().message;
  EXPECT_EQ(bom->secret_id, "AKIDb");
  EXPECT_EQ(CredentialsFilePath(Env({{"HOME", "/h"}})), "/h/.tencentcloud/credentials");
  EXPECT_EQ(CredentialsFilePath(Env({{"TENCENTCLOUD_CREDENTIALS_FILE", "/c"}, {"HOME", "/h"}})),
            "/c");
}

TEST(Help, ListsEveryOptionWithItsEnvAndInput) {
  std::string help = HelpText();
  for (const auto& o : Options()) {
    EXPECT_NE(help.find(o.flag), std::string::npos) << o.flag;
    EXPECT_NE(help.find("env " + o.env + " | input " + o.input + " |"), std::string::npos) << o.env;
  }
  for (const char* code : {"  0 ", "  1 ", "  2 ", "  3 ", "  4 ", "  5 ", "  130"}) {
    EXPECT_NE(help.find(code), std::string::npos) << code;
  }
}

TEST(Commands, VersionHelpPluginAndStatus) {
  EXPECT_EQ(Parse({}, {"--version"})->command, Command::kVersion);
  EXPECT_EQ(Parse({}, {"help"})->command, Command::kHelp);
  EXPECT_EQ(Parse({}, {"docker-cli-plugin-metadata"})->command, Command::kPluginMetadata);
  auto s = Parse(Env({{"TCSS_IMAGE_IDS", "sha256:" + std::string(64, 'b')}}), {"status", "task-1"});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->task_id, "task-1");
  EXPECT_EQ(s->images.size(), 1u);
}

TEST(Durations, Forms) {
  EXPECT_EQ(*ParseDuration("x", "30"), 30);
  EXPECT_EQ(*ParseDuration("x", "1.5"), 1.5);
  EXPECT_EQ(*ParseDuration("x", "90s"), 90);
  EXPECT_EQ(*ParseDuration("x", "2m"), 120);
  EXPECT_EQ(*ParseDuration("x", "1h"), 3600);
  for (const char* bad : {"", "-1", "abc", "1e9", "5d", "s"})
    EXPECT_FALSE(ParseDuration("x", bad).ok()) << bad;
  auto week = ParseDuration("--wait-timeout", "169h");
  ASSERT_FALSE(week.ok());
  EXPECT_NE(week.error().message.find("7-day cap"), std::string::npos);
  EXPECT_TRUE(ParseDuration("--wait-timeout", "168h").ok());
}

TEST(Durations, CallBudgetsBelowOneSecondAreRefused) {
  for (const char* flag : {"--timeout", "--wait-timeout"}) {
    auto tiny = ParseConfig({}, {flag, "0.0001", "sha256:" + std::string(64, 'a')});
    ASSERT_FALSE(tiny.ok()) << flag;
    EXPECT_NE(tiny.error().message.find("at least 1 second"), std::string::npos)
        << tiny.error().message;
  }
  EXPECT_TRUE(ParseConfig({}, {"--resolve-timeout", "0", "nginx:1"}).ok());
}

// Issue 21, 4: one name per option. The flag, the variable and the input are the same word.
TEST(Names, EveryOptionHasOneNameForFlagVariableAndInput) {
  for (const auto& o : Options()) {
    std::string word = o.flag.substr(2);
    std::string env = "TCSS_" + word;
    for (char& ch : env) ch = ch == '-' ? '_' : static_cast<char>(std::toupper(ch));
    EXPECT_EQ(o.env, env) << o.flag;
    EXPECT_EQ(o.input, word) << o.flag;
  }
  ASSERT_NE(FindOption("--images"), nullptr);
  EXPECT_EQ(FindOption("--image"), FindOption("--images"));
  EXPECT_EQ(FindOption("--nope"), nullptr);
}

TEST(Names, TheTencentNamesAndTheSingularFlagsStayAliases) {
  std::string arn = "qcs::cam::uin/100000000001:roleName/ci";
  // TCSS_REGION first, then the SDK's TENCENTCLOUD_REGION.
  auto c = Parse(Env({{"TENCENTCLOUD_REGION", "ap-beijing"}}), {"img:1"});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->region, "ap-beijing");
  c = Parse(Env({{"TENCENTCLOUD_REGION", "ap-beijing"}, {"TCSS_REGION", "ap-shanghai"}}),
            {"img:1"});
  EXPECT_EQ(c->region, "ap-shanghai");
  // Bitbucket's file sets TCSS_ROLE_ARN / TCSS_OIDC_PROVIDER_ID: read now.
  c = Parse(Env({{"TCSS_ROLE_ARN", arn}, {"TCSS_OIDC_PROVIDER_ID", "bitbucket"}}), {"img:1"});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->keyless.role_arn, arn);
  EXPECT_EQ(c->keyless.oidc_provider_id, "bitbucket");
  c = Parse(Env({{"TKE_ROLE_ARN", arn}, {"TENCENTCLOUD_OIDC_PROVIDER_ID", "p"}}), {"img:1"});
  EXPECT_EQ(c->keyless.role_arn, arn);
  EXPECT_EQ(c->keyless.oidc_provider_id, "p");
  c = Parse(Env({{"SSL_CERT_FILE", "/a.pem"}}), {"img:1"});
  EXPECT_EQ(c->ca_file, "/a.pem");
  c = Parse(Env({{"SSL_CERT_FILE", "/a.pem"}, {"TCSS_CA_FILE", "/b.pem"}}), {"img:1"});
  EXPECT_EQ(c->ca_file, "/b.pem");
  // A bad value names the variable it came from.
  auto bad = Parse(Env({{"TENCENTCLOUD_LANGUAGE", "fr"}}), {"img:1"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("(from TENCENTCLOUD_LANGUAGE)"), std::string::npos);
  // --images, and --image as ever; --filters and --filter.
  c = Parse({}, {"--images", "a:1", "--image", "b:2"});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->images, (std::vector<std::string>{"a:1", "b:2"}));
  c = Parse({}, {"--filters", "ImageName=a", "--filter", "ImageTag=b"});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->filters.size(), 2u);
  std::string help = HelpText();
  EXPECT_NE(help.find("also TENCENTCLOUD_REGION (when TCSS_REGION is unset)"), std::string::npos);
  EXPECT_NE(help.find("also input audience (deprecated)"), std::string::npos);
}

// Issue 21, 3: a typo gets the way out in the same line.
TEST(Names, UnknownOptionsAndValuesSayWhatWasMeant) {
  struct Case {
    std::vector<std::string> args;
    std::string says;
  } cases[] = {
      {{"--severity-treshold", "high", "a:1"},
       "unknown option --severity-treshold; did you mean --severity-threshold? (tcss-scan --help"},
      {{"-wait", "a:1"}, "unknown option -wait; did you mean --wait?"},
      {{"--ignore-unfix", "a:1"}, "did you mean --ignore-unfixed?"},
      {{"--frobnicate", "a:1"},
       "unknown option --frobnicate (tcss-scan --help lists every option)"},
      {{"--source", "regsitry", "a:1"}, "must be auto, registry or local; did you mean registry?"},
      {{"--severity-threshold", "hihg", "a:1"}, "did you mean high?"},
      {{"--output", "jsno", "a:1"}, "did you mean json?"},
      {{"--auth", "odic", "a:1"}, "did you mean oidc?"},
      {{"--log-level", "verbos", "a:1"}, "did you mean verbose?"},
      {{"--language", "zh-cn", "a:1"}, "did you mean zh-CN?"},
      {{"--scan", "vul,viruses", "a:1"}, "did you mean virus?"},
  };
  for (const auto& tc : cases) {
    auto c = Parse({}, tc.args);
    ASSERT_FALSE(c.ok()) << tc.args[0];
    EXPECT_EQ(c.error().kind, ErrorKind::kUsage);
    EXPECT_NE(c.error().message.find(tc.says), std::string::npos) << c.error().message;
  }
}

TEST(Names, AnUnknownRegionIsAWarningWithTheNearestOne) {
  auto c = Parse({}, {"--region", "ap-guangzou", "a:1"});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->region, "ap-guangzou");
  ASSERT_EQ(c->notices.size(), 1u);
  EXPECT_EQ(c->notices[0],
            "--region \"ap-guangzou\" is not a Tencent Cloud region tcss-scan knows; did you mean "
            "ap-guangzhou? (it is sent as given)");
  EXPECT_TRUE(Parse({}, {"--region", "ap-guangzhou", "a:1"})->notices.empty());
}

// Issue 21, 3: `tcss-scan scan nginx:1.25` costs no call and says what to type.
TEST(Names, AnotherScannersVerbIsAUsageErrorWithTheCommandMeant) {
  auto c = Parse({}, {"scan", "nginx:1.25"});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().kind, ErrorKind::kUsage);
  EXPECT_EQ(c.error().message,
            "\"scan\" is not a tcss-scan command; did you mean: tcss-scan nginx:1.25? (commands: "
            "[submit] IMAGE..., push IMAGE, status TASK_ID; an image called \"scan\" is "
            "docker.io/library/scan:latest)");
  for (const char* verb : {"image", "run", "check", "cves", "Scan"}) {
    EXPECT_FALSE(Parse({}, {verb, "--wait", "nginx:1.25"}).ok()) << verb;
  }
  auto typo = Parse({}, {"stauts", "task-1"});
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.error().message.find("did you mean: tcss-scan status task-1?"), std::string::npos);
  // With a tag, a registry or a digest it is an image; after the command it is an image too.
  EXPECT_TRUE(Parse({}, {"scan:1.0"}).ok());
  EXPECT_TRUE(Parse({}, {"docker.io/library/scan"}).ok());
  EXPECT_TRUE(Parse({}, {"submit", "scan"}).ok());
  EXPECT_TRUE(Parse({}, {"nginx", "scan"}).ok());
  EXPECT_TRUE(Parse({}, {"nginx"}).ok());
}
}  // namespace
}  // namespace tcss
