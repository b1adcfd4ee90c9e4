// Keyless credentials, the pure parts: JWT reading, STS bodies and answers, role ARNs, session
// names, the renewal rule, the STS endpoint for an endpoint, and the options.
#include <gtest/gtest.h>

#include "core/config.h"
#include "core/json.h"
#include "core/jwt.h"
#include "core/sts.h"

namespace tcss {
namespace {

TEST(Base64Url, Rfc4648VectorsBothWays) {
  // RFC 4648 §10, in the URL-safe alphabet without padding.
  const std::vector<std::pair<std::string, std::string>> kVectors = {
      {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}, {"\xfb\xff", "-_8"}};
  for (const auto& [plain, enc] : kVectors) {
    EXPECT_EQ(jwt::Base64UrlEncode(plain), enc);
    EXPECT_EQ(jwt::Base64UrlDecode(enc).value_or("?"), plain);
  }
  EXPECT_EQ(jwt::Base64UrlDecode("Zm8=").value_or("?"), "fo");  // padding tolerated
  EXPECT_FALSE(jwt::Base64UrlDecode("Zm+v"));                   // '+' is not URL-safe
  EXPECT_FALSE(jwt::Base64UrlDecode("Z"));                      // no whole byte
}

TEST(Jwt, DecodesTheRegisteredClaims) {
  // jwt.io's example token (RFC 7519 style, HS256).
  auto t = jwt::Decode(
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwia"
      "WF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->alg, "HS256");
  EXPECT_EQ(t->sub, "1234567890");
  EXPECT_EQ(t->iat, 1516239022);
  EXPECT_EQ(t->exp, 0);
  EXPECT_EQ(t->signature.size(), 32u);
  EXPECT_EQ(t->signing_input.find("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."), 0u);
}

TEST(Jwt, AudienceAsStringOrList) {
  auto make = [](const std::string& payload) {
    return jwt::Base64UrlEncode(R"({"alg":"RS256","kid":"k1"})") + "." +
           jwt::Base64UrlEncode(payload) + ".c2ln";
  };
  auto one = jwt::Decode(make(R"({"iss":"https://i","aud":"a1","exp":5})"));
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->aud, (std::vector<std::string>{"a1"}));
  EXPECT_EQ(one->kid, "k1");
  auto two = jwt::Decode(make(R"({"aud":["a1","a2"]})"));
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->aud, (std::vector<std::string>{"a1", "a2"}));
  EXPECT_FALSE(jwt::Decode(make(R"({"aud":7})")).ok());
  EXPECT_FALSE(jwt::Decode(make(R"({"exp":"soon"})")).ok());
}

TEST(Jwt, MalformedTokensSayWhatIsWrongWithoutRepeatingThem) {
  auto two_parts = jwt::Decode("abc.def");
  ASSERT_FALSE(two_parts.ok());
  EXPECT_NE(two_parts.error().message.find("three base64url parts"), std::string::npos);
  EXPECT_EQ(two_parts.error().message.find("abc"), std::string::npos);
  EXPECT_FALSE(jwt::Decode("e30.e30.").ok());              // empty signature
  EXPECT_FALSE(jwt::Decode("e30.bm90IGpzb24.c2ln").ok());  // payload is not JSON
  EXPECT_TRUE(jwt::LooksLikeJwt("e30.e30.c2ln"));
  EXPECT_FALSE(jwt::LooksLikeJwt("e30.e30"));
  EXPECT_FALSE(jwt::LooksLikeJwt("e30.e 30.c2ln"));
}

TEST(Sts, RequestBodyIsExactlyWhatTheSdksSend) {
  sts::WebIdentityRequest r{"gh", "a.b.c", "qcs::cam::uin/100:roleName/ci", "github-1-1", 3600};
  EXPECT_EQ(sts::AssumeRoleWithWebIdentityBody(r),
            R"({"ProviderId":"gh","WebIdentityToken":"a.b.c","RoleArn":"qcs::cam::uin/100:)"
            R"(roleName/ci","RoleSessionName":"github-1-1","DurationSeconds":3600})");
}

TEST(Sts, ParsesTheAnswerAndRefusesAnIncompleteOne) {
  auto ok = json::ParseObject(
      R"({"Credentials":{"Token":"tok","TmpSecretId":"AKIDtmp","TmpSecretKey":"key"},)"
      R"("ExpiredTime":1700003600,"Expiration":"2023-11-14T23:13:20Z","RequestId":"r"})");
  ASSERT_TRUE(ok.ok());
  auto c = sts::ParseAssumeRoleResponse(*ok, 1700000000);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->secret_id, "AKIDtmp");
  EXPECT_EQ(c->secret_key, "key");
  EXPECT_EQ(c->token, "tok");
  EXPECT_EQ(c->expires_unix, 1700003600);
  EXPECT_EQ(c->obtained_unix, 1700000000);
  auto no_token = json::ParseObject(
      R"({"Credentials":{"TmpSecretId":"AKIDtmp","TmpSecretKey":"key"},"ExpiredTime":1})");
  auto bad = sts::ParseAssumeRoleResponse(*no_token, 0);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::kTransport);
  auto newline = json::ParseObject(
      R"({"Credentials":{"Token":"t\nX-Evil: 1","TmpSecretId":"a","TmpSecretKey":"k"},)"
      R"("ExpiredTime":5})");
  EXPECT_FALSE(sts::ParseAssumeRoleResponse(*newline, 0).ok());  // never a header injection
}

TEST(Sts, ParsesTheMetadataServiceAnswer) {
  auto c = sts::ParseMetadataCredentials(
      R"({"TmpSecretId":"AKIDm","TmpSecretKey":"k","Token":"t","ExpiredTime":1700007200,)"
      R"("Expiration":"x","Code":"Success"})",
      1700000000);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->expires_unix, 1700007200);
  EXPECT_FALSE(sts::ParseMetadataCredentials(R"({"Code":"Failed"})", 0).ok());
  EXPECT_FALSE(sts::ParseMetadataCredentials("role-name", 0).ok());
}

TEST(Sts, RenewsAtTenPercentBeforeExpiryWithinBounds) {
  EXPECT_EQ(sts::RenewAt(0, 3600), 3240);    // 10 %
  EXPECT_EQ(sts::RenewAt(0, 43200), 38880);  // 10 %
  EXPECT_EQ(sts::RenewAt(0, 300), 240);      // at least a minute before
  EXPECT_EQ(sts::RenewAt(0, 60), 30);        // but never before half-way
  EXPECT_EQ(sts::RenewAt(100, 100), 100);
}

TEST(Sts, RoleArns) {
  EXPECT_TRUE(sts::CheckRoleArn("qcs::cam::uin/100012345678:roleName/tcss-ci").ok());
  EXPECT_TRUE(sts::CheckRoleArn("qcs::cam::uin/100012345678:role/4611686018427397919").ok());
  for (const char* bad :
       {"", "qcs::cam::uin/abc:roleName/x", "qcs::cam::uin/1:roleName/", "arn:aws:iam::1:role/x",
        "qcs::cam::uin/1:user/x", "qcs::cam::uin/1:roleName/a b"}) {
    auto st = sts::CheckRoleArn(bad);
    ASSERT_FALSE(st.ok()) << bad;
    EXPECT_NE(st.error().message.find("qcs::cam::uin/<account uin>:roleName/<role name>"),
              std::string::npos);
  }
}

TEST(Sts, SessionNamesFromTheCiRunAndSanitised) {
  auto name = [](const EnvMap& env) {
    auto p = platforms::Choose(env, "");
    return sts::DefaultSessionName((*p)->SessionName(env), 5);
  };
  EXPECT_EQ(
      name({{"GITHUB_ACTIONS", "true"}, {"GITHUB_RUN_ID", "77"}, {"GITHUB_RUN_ATTEMPT", "2"}}),
      "github-77-2");
  EXPECT_EQ(name({{"GITLAB_CI", "true"}, {"CI_JOB_ID", "901"}}), "gitlab-901");
  EXPECT_EQ(name({{"TF_BUILD", "True"}, {"BUILD_BUILDID", "1234"}}), "azure-1234");
  EXPECT_EQ(name({{"JENKINS_URL", "https://ci/"}, {"BUILD_TAG", "jenkins-my job-9"}}),
            "jenkins-my-job-9");
  EXPECT_EQ(name({{"CI", "woodpecker"}, {"CI_PIPELINE_NUMBER", "12"}}), "woodpecker-12");
  EXPECT_EQ(name({{"GITHUB_ACTIONS", "true"}}), "tcss-scan-5");  // no run id: the generic name
  EXPECT_EQ(sts::DefaultSessionName("", 1700000000), "tcss-scan-1700000000");
  EXPECT_EQ(sts::SanitizeSessionName("a b/c:d"), "a-b-c-d");
  EXPECT_EQ(sts::SanitizeSessionName("x"), "x-");
  EXPECT_EQ(sts::SanitizeSessionName(std::string(100, 'y')).size(), 64u);
  EXPECT_TRUE(sts::CheckSessionName("ok_name+=,.@-1").ok());
  EXPECT_FALSE(sts::CheckSessionName("x").ok());
  EXPECT_FALSE(sts::CheckSessionName("has space").ok());
  EXPECT_FALSE(sts::CheckSessionName(std::string(65, 'a')).ok());
}

TEST(Sts, EndpointFollowsTheTcssEndpoint) {
  EXPECT_EQ(sts::DefaultStsEndpoint("https://tcss.tencentcloudapi.com"),
            "https://sts.tencentcloudapi.com");
  EXPECT_EQ(sts::DefaultStsEndpoint("https://tcss.ap-guangzhou.tencentcloudapi.com"),
            "https://sts.tencentcloudapi.com");
  EXPECT_EQ(sts::DefaultStsEndpoint("https://tcss.intl.tencentcloudapi.com"),
            "https://sts.intl.tencentcloudapi.com");
  EXPECT_EQ(sts::DefaultStsEndpoint("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
  EXPECT_EQ(sts::DefaultStsEndpoint("https://eviltencentcloudapi.com"),
            "https://eviltencentcloudapi.com");
}

TEST(Sts, GithubTokenUrlAppendsTheEncodedAudience) {
  EXPECT_EQ(sts::GithubTokenUrl("https://t.example/x?api-version=2.0", "sts.tencentcloudapi.com"),
            "https://t.example/x?api-version=2.0&audience=sts.tencentcloudapi.com");
  EXPECT_EQ(sts::GithubTokenUrl("https://t.example/x", "a b&c=d/é"),
            "https://t.example/x?audience=a%20b%26c%3Dd%2F%C3%A9");
}

TEST(Sts, HintsNameTheFix) {
  EXPECT_NE(sts::HintFor("InvalidParameter.WebIdentityTokenError").find("ClientId"),
            std::string::npos);
  EXPECT_NE(sts::HintFor("UnauthorizedOperation").find("trust policy"), std::string::npos);
  EXPECT_NE(sts::HintFor("AuthFailure.SignatureExpire").find("NTP"), std::string::npos);
  EXPECT_EQ(sts::HintFor("InternalError"), "");
}

TEST(KeylessConfig, OptionsEnvironmentAndTheSdksNames) {
  auto c = ParseConfig({{"TKE_ROLE_ARN", "qcs::cam::uin/1:roleName/tke"},
                        {"TKE_PROVIDER_ID", "tke-provider"},
                        {"TCSS_AUTH", "OIDC"}},
                       {"x"});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->keyless.auth, AuthMode::kOidc);
  EXPECT_EQ(c->keyless.role_arn, "qcs::cam::uin/1:roleName/tke");
  EXPECT_EQ(c->keyless.oidc_provider_id, "tke-provider");
  EXPECT_EQ(c->keyless.oidc_audience, "sts.tencentcloudapi.com");
  EXPECT_EQ(c->keyless.role_duration_s, 3600);
  // Ours win over the SDKs' names; the flag wins over both.
  auto d = ParseConfig({{"TKE_ROLE_ARN", "qcs::cam::uin/1:roleName/tke"},
                        {"TENCENTCLOUD_ROLE_ARN", "qcs::cam::uin/1:roleName/ours"}},
                       {"x"});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->keyless.role_arn, "qcs::cam::uin/1:roleName/ours");
  auto f = ParseConfig(
      {{"TENCENTCLOUD_ROLE_ARN", "qcs::cam::uin/1:roleName/ours"}},
      {"--role-arn", "qcs::cam::uin/2:roleName/flag", "--role-duration", "2h", "--oidc-audience",
       "my-aud", "--role-session-name", "s1", "--sts-endpoint", "http://127.0.0.1:1", "x"});
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->keyless.role_arn, "qcs::cam::uin/2:roleName/flag");
  EXPECT_EQ(f->keyless.role_duration_s, 7200);
  EXPECT_EQ(f->keyless.oidc_audience, "my-aud");
  EXPECT_EQ(f->keyless.role_session_name, "s1");
  EXPECT_EQ(f->keyless.sts_endpoint, "http://127.0.0.1:1");
}

TEST(KeylessConfig, BadValuesAreUsageErrorsNamingTheirSource) {
  auto bad_env = ParseConfig({{"TKE_ROLE_ARN", "arn:aws:iam::1:role/x"}}, {"x"});
  ASSERT_FALSE(bad_env.ok());
  EXPECT_NE(bad_env.error().message.find("(from TKE_ROLE_ARN)"), std::string::npos);
  for (std::vector<std::string> args : {std::vector<std::string>{"--auth", "keys"},
                                        {"--role-duration", "60"},
                                        {"--role-duration", "43201"},
                                        {"--role-duration", "1000.5"},
                                        {"--role-session-name", "a b"},
                                        {"--sts-endpoint", "http://sts.example.com"},
                                        {"--oidc-provider-id", "bad name"},
                                        {"--oidc-audience", "has space"}}) {
    args.push_back("x");
    auto c = ParseConfig({}, args);
    ASSERT_FALSE(c.ok()) << args[0] << " " << args[1];
    EXPECT_EQ(c.error().kind, ErrorKind::kUsage);
  }
}

}  // namespace
}  // namespace tcss
