// OIDC: the CI job's ID token, exchanged with STS AssumeRoleWithWebIdentity for temporary keys.
// A new token is fetched for every exchange (GitHub's last minutes; a token file may be
// rotated), so renewal during a long --wait never sends an expired one.
#include <fmt/format.h>

#include "app/api_client.h"
#include "app/credentials/provider.h"
#include "core/json.h"
#include "core/jwt.h"
#include "core/outputs.h"
#include "core/sts.h"
#include "core/text.h"

namespace tcss::app {

namespace {

std::string Env(const EnvMap& env, const std::string& key) {
  auto it = env.find(key);
  return it == env.end() ? "" : text::Trim(it->second);
}

constexpr const char* kGithub = "GitHub";
constexpr const char* kTokenVariable = "TENCENTCLOUD_OIDC_TOKEN";
constexpr const char* kTokenFile = "TKE_WEB_IDENTITY_TOKEN_FILE";

class Oidc : public CredentialProvider {
 public:
  Oidc(const CredentialDeps& d, OidcPlan plan) : d_(d), plan_(std::move(plan)) {}

  std::string Describe() const override {
    return fmt::format("OIDC token from {}, role {}", plan_.token_source, d_.c.keyless.role_arn);
  }
  bool Renewable() const override { return true; }

  Result<Credentials> Fetch() override {
    auto token = Token();
    if (!token.ok()) return token.error();
    d_.log.AddSecret(*token);
    d_.p.out << d_.c.platform->MaskCommand(*token) << std::flush;
    auto claims = jwt::Decode(*token);
    if (!claims.ok()) {
      return UsageError(claims.error().message + " (from " + plan_.token_source + ")");
    }
    const int64_t now = d_.p.clock.UnixSeconds();
    if (claims->exp != 0 && claims->exp <= now) {
      return UsageError(fmt::format("the OIDC token from {} expired {} s ago ({}); {}",
                                    plan_.token_source, now - claims->exp, IsoUtc(claims->exp),
                                    plan_.token_source == kGithub
                                        ? "check this machine's clock (NTP)"
                                        : "give the job a fresh one (a CI job's token, such as "
                                          "GitLab's id_tokens, lasts as long as the job's "
                                          "timeout), or check this machine's clock (NTP)"));
    }
    std::string aud;
    for (const auto& a : claims->aud) aud += (aud.empty() ? "" : ",") + a;
    d_.log.Verbose(fmt::format("OIDC token from {}: iss {}, sub {}, aud {}", plan_.token_source,
                               claims->iss, claims->sub, aud));
    return Exchange(*token, now);
  }

 private:
  Result<std::string> Token() {
    std::string token;
    if (plan_.token_source == kGithub) {
      std::string bearer = Env(d_.env, "ACTIONS_ID_TOKEN_REQUEST_TOKEN");
      d_.log.AddSecret(bearer);
      auto resp = HttpGet(d_,
                          sts::GithubTokenUrl(Env(d_.env, "ACTIONS_ID_TOKEN_REQUEST_URL"),
                                              d_.c.keyless.oidc_audience),
                          {{"Authorization", "Bearer " + bearer}, {"Accept", "application/json"}},
                          static_cast<int64_t>(d_.c.timeout_s * 1000), true);
      if (!resp.ok()) {
        Error e = resp.error();
        e.message = "GitHub's OIDC token service: " + e.message;
        return e;
      }
      if (resp->status != 200) {
        return TransportError(
            "InvalidResponse.HttpStatus",
            fmt::format("GitHub's OIDC token service answered HTTP {}{}", resp->status,
                        resp->status == 401 || resp->status == 403
                            ? " (the job's ACTIONS_ID_TOKEN_REQUEST_TOKEN was refused; is the "
                              "step running in the job that was given `permissions: id-token: "
                              "write`?)"
                            : ""));
      }
      auto o = json::ParseObject(resp->body, 4);
      json::Reader r;
      if (o.ok()) token = r.String(*o, "value", true);
      if (!o.ok() || !r.ok || token.empty()) {
        return TransportError("InvalidResponse.Token",
                              "GitHub's OIDC token service answered without a token (\"value\")");
      }
    } else if (plan_.token_source != kTokenFile) {
      token = Env(d_.env, plan_.token_source);  // ours, or the platform's (CircleCI, Bitbucket)
    } else {
      std::string path = Env(d_.env, kTokenFile);
      auto text = d_.p.files.Read(path);
      if (!text.ok()) {
        return UsageError("cannot read the OIDC token file " + path + " (" + kTokenFile +
                          "): " + text.error().message);
      }
      token = text::Trim(*text);
    }
    if (!jwt::LooksLikeJwt(token)) {
      return UsageError("the OIDC token from " + plan_.token_source +
                        " is not a JWT (three base64url parts separated by dots)");
    }
    return token;
  }

  Result<Credentials> Exchange(const std::string& token, int64_t now) {
    if (!client_) {
      std::string endpoint = d_.c.keyless.sts_endpoint.empty()
                                 ? sts::DefaultStsEndpoint(d_.c.endpoint)
                                 : d_.c.keyless.sts_endpoint;
      auto url = ParseEndpoint(endpoint);
      if (!url.ok()) return url.error();
      Sleeper& sleeper = d_.p.sleeper;
      auto transport =
          d_.p.make_transport(TransportOptions{*url, d_.c.ca_file, d_.c.https_proxy, d_.c.no_proxy,
                                               [&sleeper] { return sleeper.Interrupted(); }});
      if (!transport.ok()) return transport.error();
      transport_ = std::move(*transport);
      ClientSettings s;
      s.endpoint = *url;
      s.service = sts::kService;
      s.version = sts::kVersion;
      s.unsigned_call = true;
      s.answers_carry_credentials = true;
      s.region = !d_.c.region.empty()                 ? d_.c.region
                 : !Env(d_.env, "TKE_REGION").empty() ? Env(d_.env, "TKE_REGION")
                                                      : sts::kDefaultRegion;
      s.language = d_.c.language;
      s.timeout_s = d_.c.timeout_s;
      s.retries = d_.c.retries;
      client_ = std::make_unique<ApiClient>(*transport_, d_.p.clock, d_.p.sleeper, d_.p.random,
                                            d_.log, s);
      sts_where_ = endpoint;
    }
    sts::WebIdentityRequest req;
    req.provider_id = d_.c.keyless.oidc_provider_id;
    req.token = token;
    req.role_arn = d_.c.keyless.role_arn;
    req.session_name = d_.c.keyless.role_session_name.empty()
                           ? sts::DefaultSessionName(d_.c.platform->SessionName(d_.env), now)
                           : d_.c.keyless.role_session_name;
    req.duration_s = d_.c.keyless.role_duration_s;
    auto resp =
        client_->Call(sts::kAssumeRoleWithWebIdentity, sts::AssumeRoleWithWebIdentityBody(req));
    if (!resp.ok()) {
      Error e = resp.error();
      std::string hint = sts::HintFor(e.code);
      e.message = "STS AssumeRoleWithWebIdentity (" + sts_where_ + ", role " + req.role_arn +
                  ", provider " + req.provider_id + "): " + e.message +
                  (hint.empty() ? "" : "; " + hint);
      return e;
    }
    auto creds = sts::ParseAssumeRoleResponse(*resp, d_.p.clock.UnixSeconds());
    if (!creds.ok()) return creds.error();
    creds->source = fmt::format("OIDC token from {} via STS (role {}, session {})",
                                plan_.token_source, req.role_arn, req.session_name);
    return creds;
  }

  CredentialDeps d_;
  OidcPlan plan_;
  std::unique_ptr<Transport> transport_;
  std::unique_ptr<ApiClient> client_;
  std::string sts_where_;
};

}  // namespace

OidcPlan PlanOidc(const CredentialDeps& d) {
  OidcPlan plan;
  if (!Env(d.env, "ACTIONS_ID_TOKEN_REQUEST_URL").empty() &&
      !Env(d.env, "ACTIONS_ID_TOKEN_REQUEST_TOKEN").empty()) {
    plan.token_source = kGithub;
  } else if (!Env(d.env, kTokenVariable).empty()) {
    plan.token_source = kTokenVariable;
  } else if (!Env(d.env, kTokenFile).empty()) {
    plan.token_source = kTokenFile;
  } else {
    for (const auto& name : d.c.platform->OidcTokenVariables()) {
      if (!Env(d.env, name).empty()) {
        plan.token_source = name;
        break;
      }
    }
  }
  std::vector<std::string> missing;
  if (d.c.keyless.role_arn.empty()) {
    missing.push_back("a role ARN (--role-arn / TCSS_ROLE_ARN)");
  }
  if (d.c.keyless.oidc_provider_id.empty()) {
    missing.push_back("the identity provider's name (--oidc-provider-id / TCSS_OIDC_PROVIDER_ID)");
  }
  if (plan.token_source.empty()) {
    std::string hint = d.c.platform->OidcTokenHint(d.c.keyless.oidc_audience);
    if (!hint.empty()) {
      missing.push_back(hint);
    } else {
      missing.push_back("an OIDC token (TENCENTCLOUD_OIDC_TOKEN, or a file named by " +
                        std::string(kTokenFile) + ")");
    }
  }
  for (size_t i = 0; i < missing.size(); ++i) {
    plan.missing += (i == 0 ? "" : i + 1 == missing.size() ? " and " : ", ") + missing[i];
  }
  return plan;
}

std::unique_ptr<CredentialProvider> MakeOidcProvider(const CredentialDeps& d, OidcPlan plan) {
  return std::make_unique<Oidc>(d, std::move(plan));
}

}  // namespace tcss::app
