// The emulator's keyless side: STS AssumeRoleWithWebIdentity that verifies OIDC tokens for real
// (RS256 against a JWKS, iss, aud, exp/nbf, the role's trust), the temporary keys it issues
// (accepted by the TCSS side with their X-TC-Token until ExpiredTime), a GitHub-style token
// issuer that signs with the emulator's own key, and the CVM metadata service.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "emulator/handlers.h"
#include "emulator/state.h"

namespace tcss::emulator {

// --oidc-provider NAME=ISSUER,AUDIENCE[,AUDIENCE...][,jwks=FILE]: ISSUER "self" is the
// emulator's own issuer; without jwks= the emulator's own signing key is trusted.
struct OidcProviderConfig {
  std::string name;
  std::string issuer;
  std::vector<std::string> audiences;
  std::string jwks_file;
  std::string jwks_json;  // the file's text, read at start-up
};

// --role ARN=PROVIDER[,sub=PATTERN][,max=SECONDS]: a role whose trust policy names the provider
// (and, with sub=, a pattern the token's sub must match; * matches any run of characters).
struct RoleConfig {
  std::string arn;
  std::string provider;
  std::string sub_pattern;
  int64_t max_seconds = 43200;
};

struct IdentityOptions {
  std::vector<OidcProviderConfig> providers;
  std::vector<RoleConfig> roles;
  std::string request_token;  // --oidc-request-token: the token issuer's bearer token
  std::string subject = "repo:example/app:ref:refs/heads/main";  // --oidc-subject
  std::string cvm_role;                                          // --cvm-role NAME[,max=S]
  int64_t cvm_seconds = 7200;
};

Result<OidcProviderConfig> ParseOidcProvider(const std::string& spec);
Result<RoleConfig> ParseRole(const std::string& spec);

struct HttpAnswer {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

class Identity {
 public:
  // Creates the signing key and reads the providers' JWKS; errors name the bad option.
  static Result<std::unique_ptr<Identity>> Create(IdentityOptions options);
  ~Identity();
  Identity(const Identity&) = delete;
  Identity& operator=(const Identity&) = delete;

  // The emulator's base URL, known once it listens: its issuer is <base>/_emulator/oidc.
  void SetBaseUrl(const std::string& base);
  std::string Issuer() const;

  // GET /_emulator/oidc/token?audience=…, /_emulator/oidc/jwks,
  // /_emulator/oidc/.well-known/openid-configuration; nullopt: not an identity path.
  std::optional<HttpAnswer> Serve(const std::string& uri, const std::string& authorization,
                                  int64_t now);
  // GET /latest/meta-data/…; nullopt when `uri` is not under it.
  std::optional<HttpAnswer> Metadata(const std::string& uri, int64_t now);

  ApiResult AssumeRoleWithWebIdentity(const Poco::JSON::Object::Ptr& body, int64_t now);
  std::optional<Credential> FindTemporary(const std::string& secret_id) const;
  void Reset();

  // A JWT signed with the emulator's key (the issuer endpoint; tests).
  std::string SignToken(const std::string& audience, const std::string& subject, int64_t now,
                        int64_t lifetime) const;

 private:
  struct Key;
  explicit Identity(IdentityOptions options);
  Credential Issue(int64_t now, int64_t seconds);
  // The signing key, made on first use (RSA 2048 takes a while; most runs never need it).
  const Key& OwnKey() const;
  std::string VerifyToken(const std::string& token, const OidcProviderConfig& provider, int64_t now,
                          std::string* sub) const;

  IdentityOptions options_;
  mutable std::once_flag own_key_once_;
  mutable std::unique_ptr<Key> own_key_;
  std::map<std::string, std::vector<std::unique_ptr<Key>>> provider_keys_;  // by provider name
  mutable std::mutex mu_;
  std::string base_url_;
  std::map<std::string, Credential> issued_;  // by SecretId
};

}  // namespace tcss::emulator
