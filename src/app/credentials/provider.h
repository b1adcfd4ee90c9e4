// Credentials: one provider per source (stored keys, OIDC → STS, the CVM role), the chain that
// picks one written once (ChooseCredentials), and the cache that renews temporary keys before
// they expire. The pure parts (request bodies, JWT claims, session names, when to renew) are
// in core/sts and core/jwt.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/logger.h"
#include "app/ports.h"
#include "core/config.h"

namespace tcss::app {

struct CredentialDeps {
  const Config& c;
  const EnvMap& env;
  Ports& p;
  Logger& log;
};

class CredentialProvider {
 public:
  virtual ~CredentialProvider() = default;
  // Credentials from the source: for temporary ones a new exchange each time.
  virtual Result<Credentials> Fetch() = 0;
  // What it is, for messages ("OIDC token from GitHub, role qcs::cam::...").
  virtual std::string Describe() const = 0;
  // Whether it can be asked again for new credentials (temporary ones).
  virtual bool Renewable() const { return false; }
};

// Stored keys: the environment, else the profile file; nullptr (no error) when neither is
// there. A set but malformed value is an error.
Result<std::unique_ptr<CredentialProvider>> MakeStoredKeyProvider(const CredentialDeps& d);

// OIDC: where the token would come from, and what is missing for an exchange ("" = nothing).
struct OidcPlan {
  std::string token_source;  // "GitHub", "TENCENTCLOUD_OIDC_TOKEN", "TKE_WEB_IDENTITY_TOKEN_FILE"
  std::string missing;       // what to set, one clause per item, for the error message
};
OidcPlan PlanOidc(const CredentialDeps& d);
std::unique_ptr<CredentialProvider> MakeOidcProvider(const CredentialDeps& d, OidcPlan plan);

std::unique_ptr<CredentialProvider> MakeCvmRoleProvider(const CredentialDeps& d);

// The chain (--auth): secret = stored keys; oidc = the exchange; cvm-role = the metadata
// service; auto = environment keys → profile file → OIDC when a role, a provider and a token
// are all there. Nothing usable: a usage error (exit 4) saying what was tried and what is
// missing. Nothing is sent here.
Result<std::unique_ptr<CredentialProvider>> ChooseCredentials(const CredentialDeps& d);

// Holds the current credentials; fetches new ones when there are none, when renewal is due
// (sts::RenewAt) or when asked to. Every new secret is added to the logger's scrub list and,
// under GitHub, masked with ::add-mask:: before it can appear anywhere.
class CredentialCache {
 public:
  CredentialCache(const CredentialDeps& d, std::unique_ptr<CredentialProvider> provider)
      : d_(d), provider_(std::move(provider)) {}
  Result<Credentials> Get(bool renew);
  const CredentialProvider& provider() const { return *provider_; }

 private:
  void Protect(const Credentials& c);
  CredentialDeps d_;
  std::unique_ptr<CredentialProvider> provider_;
  std::optional<Credentials> current_;
};

// A GET (token and metadata services): `headers` besides Host; bounded by `timeout_ms`,
// retried on connection failures and 5xx up to --retries. `proxy` false for link-local
// services a proxy cannot reach.
Result<HttpResponse> HttpGet(const CredentialDeps& d, const std::string& url,
                             std::vector<sign::Header> headers, int64_t timeout_ms, bool proxy);

}  // namespace tcss::app
