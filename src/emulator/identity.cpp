#include "emulator/identity.h"

#include <fmt/format.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <cctype>

#include "base/glob.h"
#include "core/json.h"
#include "core/jwt.h"
#include "core/outputs.h"
#include "core/sts.h"
#include "core/text.h"
#include "core/url.h"

namespace tcss::emulator {

struct Identity::Key {
  std::string kid;
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

namespace {

using Obj = Poco::JSON::Object::Ptr;

std::string RandomText(size_t n) {
  static const char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string bytes(n, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(n));
  std::string out;
  for (char b : bytes) out.push_back(kChars[static_cast<unsigned char>(b) % 62]);
  return out;
}

std::string BnBytes(EVP_PKEY* pkey, const char* name) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1) return "";
  std::string out(static_cast<size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  BN_free(bn);
  return out;
}

// An RSA public key from a JWK's n and e (base64url big-endian integers).
EVP_PKEY* PublicKey(const std::string& n, const std::string& e) {
  BIGNUM* bn_n = BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()),
                           static_cast<int>(n.size()), nullptr);
  BIGNUM* bn_e = BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()),
                           static_cast<int>(e.size()), nullptr);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  EVP_PKEY* pkey = nullptr;
  OSSL_PARAM* params = nullptr;
  EVP_PKEY_CTX* ctx = nullptr;
  if (bn_n && bn_e && bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) == 1 &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) == 1 &&
      (params = OSSL_PARAM_BLD_to_param(bld)) != nullptr &&
      (ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr)) != nullptr &&
      EVP_PKEY_fromdata_init(ctx) == 1) {
    if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) pkey = nullptr;
  }
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  BN_free(bn_n);
  BN_free(bn_e);
  return pkey;
}

bool VerifyRs256(EVP_PKEY* key, const std::string& input, const std::string& signature) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx && EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                             signature.size(), reinterpret_cast<const unsigned char*>(input.data()),
                             input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

std::string SignRs256(EVP_PKEY* key, const std::string& input) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t len = 0;
  std::string sig;
  if (ctx && EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                     input.size()) == 1) {
    sig.resize(len);
    if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
      sig.clear();
    }
    sig.resize(len);
  }
  EVP_MD_CTX_free(ctx);
  return sig;
}

std::string QueryParam(const std::string& uri, const std::string& name) {
  size_t q = uri.find('?');
  if (q == std::string::npos) return "";
  for (const auto& kv : text::Split(uri.substr(q + 1), '&')) {
    size_t eq = kv.find('=');
    if (kv.substr(0, eq) != name || eq == std::string::npos) continue;
    std::string v = kv.substr(eq + 1);
    std::replace(v.begin(), v.end(), '+', ' ');  // form encoding
    auto decoded = PercentDecode(v);
    return decoded.ok() ? *decoded : "";
  }
  return "";
}

HttpAnswer Message(int status, const std::string& message) {
  json::Writer w;
  w.BeginObject().String("message", message).EndObject();
  return {status, w.str(), "application/json"};
}

std::string Path(const std::string& uri) { return uri.substr(0, uri.find('?')); }

}  // namespace

Result<OidcProviderConfig> ParseOidcProvider(const std::string& spec) {
  OidcProviderConfig p;
  size_t eq = spec.find('=');
  auto fail = [&](const std::string& why) {
    return UsageError("--oidc-provider \"" + spec + "\": " + why +
                      " (write NAME=ISSUER,AUDIENCE[,AUDIENCE...][,jwks=FILE]; ISSUER may be "
                      "self)");
  };
  if (eq == std::string::npos || eq == 0) return fail("no NAME=");
  p.name = spec.substr(0, eq);
  auto parts = text::Split(spec.substr(eq + 1), ',');
  if (parts.size() < 2 || parts[0].empty()) return fail("it needs an issuer and an audience");
  p.issuer = parts[0];
  for (size_t i = 1; i < parts.size(); ++i) {
    if (parts[i].rfind("jwks=", 0) == 0) {
      p.jwks_file = parts[i].substr(5);
    } else if (!parts[i].empty()) {
      p.audiences.push_back(parts[i]);
    }
  }
  if (p.audiences.empty()) return fail("it needs at least one audience");
  return p;
}

Result<RoleConfig> ParseRole(const std::string& spec) {
  RoleConfig r;
  size_t eq = spec.find('=');
  auto fail = [&](const std::string& why) {
    return UsageError("--role \"" + spec + "\": " + why +
                      " (write ARN=PROVIDER[,sub=PATTERN][,max=SECONDS])");
  };
  if (eq == std::string::npos) return fail("no ARN=");
  r.arn = spec.substr(0, eq);
  if (!sts::CheckRoleArn(r.arn).ok())
    return fail("the ARN is not qcs::cam::uin/<uin>:roleName/<n>");
  auto parts = text::Split(spec.substr(eq + 1), ',');
  r.provider = parts[0];
  if (r.provider.empty()) return fail("no provider");
  for (size_t i = 1; i < parts.size(); ++i) {
    if (parts[i].rfind("sub=", 0) == 0) {
      r.sub_pattern = parts[i].substr(4);
    } else if (parts[i].rfind("max=", 0) == 0) {
      std::string v = parts[i].substr(4);
      if (v.empty() || v.size() > 5 ||
          !std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c); }) ||
          std::stoll(v) < 1) {
        return fail("max= must be whole seconds");
      }
      r.max_seconds = std::stoll(v);
    } else {
      return fail("unknown part \"" + parts[i] + "\"");
    }
  }
  return r;
}

Identity::Identity(IdentityOptions options) : options_(std::move(options)) {}
Identity::~Identity() = default;

Result<std::unique_ptr<Identity>> Identity::Create(IdentityOptions options) {
  std::unique_ptr<Identity> id(new Identity(std::move(options)));
  for (const auto& p : id->options_.providers) {
    auto& keys = id->provider_keys_[p.name];
    if (p.jwks_file.empty()) continue;
    auto o = json::ParseObject(p.jwks_json, 8);
    json::Reader r;
    auto list = o.ok() ? r.Array(*o, "keys", true) : nullptr;
    if (!list)
      return UsageError("--oidc-provider " + p.name + ": " + p.jwks_file +
                        " is not a JWKS ({\"keys\":[...]})");
    for (size_t i = 0; i < list->size(); ++i) {
      auto k = list->getObject(static_cast<unsigned>(i));
      if (!k || r.String(k, "kty", false) != "RSA") continue;
      auto n = jwt::Base64UrlDecode(r.String(k, "n", true));
      auto e = jwt::Base64UrlDecode(r.String(k, "e", true));
      if (!r.ok || !n || !e) {
        return UsageError("--oidc-provider " + p.name + ": an RSA key in " + p.jwks_file +
                          " lacks n or e");
      }
      auto key = std::make_unique<Key>();
      key->kid = r.String(k, "kid", false);
      key->pkey = PublicKey(*n, *e);
      if (!key->pkey) {
        return UsageError("--oidc-provider " + p.name + ": bad RSA key in " + p.jwks_file);
      }
      keys.push_back(std::move(key));
    }
    if (keys.empty()) {
      return UsageError("--oidc-provider " + p.name + ": " + p.jwks_file + " has no RSA key");
    }
  }
  for (const auto& role : id->options_.roles) {
    bool known = std::any_of(id->options_.providers.begin(), id->options_.providers.end(),
                             [&](const OidcProviderConfig& p) { return p.name == role.provider; });
    if (!known) {
      return UsageError("--role " + role.arn + " trusts provider " + role.provider +
                        ", which no --oidc-provider defines");
    }
  }
  return id;
}

const Identity::Key& Identity::OwnKey() const {
  std::call_once(own_key_once_, [this] {
    own_key_ = std::make_unique<Key>();
    own_key_->pkey = EVP_RSA_gen(2048);
    own_key_->kid = "tcss-emulator-" + RandomText(8);
  });
  return *own_key_;
}

void Identity::SetBaseUrl(const std::string& base) {
  std::lock_guard<std::mutex> l(mu_);
  base_url_ = base;
}

std::string Identity::Issuer() const {
  std::lock_guard<std::mutex> l(mu_);
  return base_url_ + "/_emulator/oidc";
}

std::string Identity::SignToken(const std::string& audience, const std::string& subject,
                                int64_t now, int64_t lifetime) const {
  json::Writer h;
  h.BeginObject()
      .String("alg", "RS256")
      .String("typ", "JWT")
      .String("kid", OwnKey().kid)
      .EndObject();
  json::Writer p;
  p.BeginObject()
      .String("iss", Issuer())
      .String("aud", audience)
      .String("sub", subject)
      .Int("iat", now)
      .Int("nbf", now)
      .Int("exp", now + lifetime)
      .String("jti", RandomText(16))
      .EndObject();
  std::string input = jwt::Base64UrlEncode(h.str()) + "." + jwt::Base64UrlEncode(p.str());
  return input + "." + jwt::Base64UrlEncode(SignRs256(OwnKey().pkey, input));
}

std::optional<HttpAnswer> Identity::Serve(const std::string& uri, const std::string& authorization,
                                          int64_t now) {
  const std::string path = Path(uri);
  if (path == "/_emulator/oidc/jwks") {
    json::Writer w;
    w.BeginObject()
        .BeginArray("keys")
        .BeginObject()
        .String("kty", "RSA")
        .String("alg", "RS256")
        .String("use", "sig")
        .String("kid", OwnKey().kid)
        .String("n", jwt::Base64UrlEncode(BnBytes(OwnKey().pkey, OSSL_PKEY_PARAM_RSA_N)))
        .String("e", jwt::Base64UrlEncode(BnBytes(OwnKey().pkey, OSSL_PKEY_PARAM_RSA_E)))
        .EndObject()
        .EndArray()
        .EndObject();
    return HttpAnswer{200, w.str(), "application/json"};
  }
  if (path == "/_emulator/oidc/.well-known/openid-configuration") {
    json::Writer w;
    w.BeginObject()
        .String("issuer", Issuer())
        .String("jwks_uri", Issuer() + "/jwks")
        .StringArray("id_token_signing_alg_values_supported", {"RS256"})
        .EndObject();
    return HttpAnswer{200, w.str(), "application/json"};
  }
  if (path == "/_emulator/oidc/token") {
    if (options_.request_token.empty()) {
      return Message(404, "the token issuer is off: start tcss-emulator with --oidc-request-token");
    }
    const std::string kBearer = "Bearer ";
    if (authorization.compare(0, kBearer.size(), kBearer) != 0 ||
        authorization.size() != kBearer.size() + options_.request_token.size() ||
        !std::equal(options_.request_token.begin(), options_.request_token.end(),
                    authorization.begin() + static_cast<std::ptrdiff_t>(kBearer.size()))) {
      return Message(401, "Bad credentials: the bearer token is not this job's request token");
    }
    std::string audience = QueryParam(uri, "audience");
    if (audience.empty()) audience = "https://github.com/example";
    json::Writer w;
    w.BeginObject()
        .Int("count", 1)
        .String("value", SignToken(audience, options_.subject, now, 300))
        .EndObject();
    return HttpAnswer{200, w.str(), "application/json"};
  }
  return std::nullopt;
}

std::optional<HttpAnswer> Identity::Metadata(const std::string& uri, int64_t now) {
  const std::string kPrefix = "/latest/meta-data/";
  const std::string path = Path(uri);
  if (path.rfind(kPrefix, 0) != 0) return std::nullopt;
  const std::string kCreds = kPrefix + "cam/security-credentials/";
  if (options_.cvm_role.empty() || path.rfind(kCreds, 0) != 0) {
    return HttpAnswer{404, "Not Found", "text/plain"};
  }
  std::string role = path.substr(kCreds.size());
  if (role.empty()) return HttpAnswer{200, options_.cvm_role, "text/plain"};
  if (role != options_.cvm_role) return HttpAnswer{404, "Not Found", "text/plain"};
  Credential c = Issue(now, options_.cvm_seconds);
  json::Writer w;
  w.BeginObject()
      .String("TmpSecretId", c.secret_id)
      .String("TmpSecretKey", c.secret_key)
      .Int("ExpiredTime", c.expires_unix)
      .String("Expiration", IsoUtc(c.expires_unix))
      .String("Token", c.token)
      .String("Code", "Success")
      .EndObject();
  return HttpAnswer{200, w.str(), "application/json"};
}

Credential Identity::Issue(int64_t now, int64_t seconds) {
  Credential c{"AKID" + RandomText(32), RandomText(32), RandomText(160), now + seconds};
  std::lock_guard<std::mutex> l(mu_);
  issued_[c.secret_id] = c;
  return c;
}

std::optional<Credential> Identity::FindTemporary(const std::string& secret_id) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = issued_.find(secret_id);
  if (it == issued_.end()) return std::nullopt;
  return it->second;
}

void Identity::Reset() {
  std::lock_guard<std::mutex> l(mu_);
  issued_.clear();
}

std::string Identity::VerifyToken(const std::string& token, const OidcProviderConfig& provider,
                                  int64_t now, std::string* sub) const {
  auto t = jwt::Decode(token);
  if (!t.ok()) return "The WebIdentityToken is malformed: " + t.error().message;
  if (t->alg != "RS256") return "The WebIdentityToken's alg must be RS256, not " + t->alg + ".";
  bool self = provider.jwks_file.empty();
  const auto& keys = provider_keys_.at(provider.name);
  bool verified = false;
  if (self) {
    verified = VerifyRs256(OwnKey().pkey, t->signing_input, t->signature);
  } else {
    for (const auto& k : keys) {
      if (!t->kid.empty() && !k->kid.empty() && k->kid != t->kid) continue;
      if (VerifyRs256(k->pkey, t->signing_input, t->signature)) verified = true;
    }
  }
  if (!verified) {
    return "The WebIdentityToken's signature does not verify with the identity provider's keys.";
  }
  std::string issuer = provider.issuer == "self" ? Issuer() : provider.issuer;
  if (t->iss != issuer) {
    return "The WebIdentityToken's iss \"" + t->iss + "\" is not the identity provider's URL.";
  }
  bool aud_ok = std::any_of(t->aud.begin(), t->aud.end(), [&](const std::string& a) {
    return std::find(provider.audiences.begin(), provider.audiences.end(), a) !=
           provider.audiences.end();
  });
  if (!aud_ok) return "The WebIdentityToken's aud is not one of the provider's ClientIds.";
  constexpr int64_t kSkew = 60;
  if (t->exp == 0 || t->exp <= now) return "The WebIdentityToken has expired.";
  if (t->nbf > now + kSkew || t->iat > now + kSkew) {
    return "The WebIdentityToken is not valid yet (nbf/iat in the future).";
  }
  *sub = t->sub;
  return "";
}

ApiResult Identity::AssumeRoleWithWebIdentity(const Obj& body, int64_t now) {
  for (const auto& key : body->getNames()) {
    if (key != "ProviderId" && key != "WebIdentityToken" && key != "RoleArn" &&
        key != "RoleSessionName" && key != "DurationSeconds") {
      return ErrorResult("UnknownParameter", "The parameter `" + key + "` is not recognized.");
    }
  }
  json::Reader r;
  std::string provider_id = r.String(body, "ProviderId", true);
  std::string token = r.String(body, "WebIdentityToken", true);
  std::string arn = r.String(body, "RoleArn", true);
  std::string session = r.String(body, "RoleSessionName", true);
  int64_t duration = r.Int(body, "DurationSeconds", false);
  if (!r.ok) {
    return ErrorResult("InvalidParameter.ParamError",
                       "ProviderId, WebIdentityToken, RoleArn and RoleSessionName are required "
                       "strings; DurationSeconds an integer.");
  }
  if (duration == 0) duration = 7200;
  if (duration < 0 || duration > sts::kMaxDuration) {
    return ErrorResult("InvalidParameter.ParamError", "DurationSeconds must be at most 43200.");
  }
  if (!sts::CheckSessionName(session).ok()) {
    return ErrorResult("InvalidParameter.ParamError",
                       "RoleSessionName must be 2-64 characters of [\\w+=,.@-].");
  }
  auto provider = std::find_if(options_.providers.begin(), options_.providers.end(),
                               [&](const OidcProviderConfig& p) { return p.name == provider_id; });
  if (provider == options_.providers.end()) {
    return ErrorResult("InvalidParameter.WebIdentityTokenError",
                       "The identity provider `" + provider_id.substr(0, 64) + "` does not exist.");
  }
  std::string sub;
  std::string why = VerifyToken(token, *provider, now, &sub);
  if (!why.empty()) return ErrorResult("InvalidParameter.WebIdentityTokenError", why);
  auto role = std::find_if(options_.roles.begin(), options_.roles.end(),
                           [&](const RoleConfig& x) { return x.arn == arn; });
  if (role == options_.roles.end()) {
    return ErrorResult("InternalError.GetRoleError",
                       "The role `" + arn.substr(0, 160) + "` does not exist.");
  }
  if (role->provider != provider_id) {
    return ErrorResult("UnauthorizedOperation",
                       "The role's trust policy does not allow "
                       "sts:AssumeRoleWithWebIdentity for provider `" +
                           provider_id + "`.");
  }
  if (!role->sub_pattern.empty() && !base::GlobMatch(role->sub_pattern, sub)) {
    return ErrorResult("UnauthorizedOperation",
                       "The role's trust policy condition on oidc:sub does not match `" +
                           sub.substr(0, 200) + "`.");
  }
  Credential c = Issue(now, std::min(duration, role->max_seconds));
  json::Writer w;
  w.BeginObject()
      .BeginObject("Credentials")
      .String("Token", c.token)
      .String("TmpSecretId", c.secret_id)
      .String("TmpSecretKey", c.secret_key)
      .EndObject()
      .Int("ExpiredTime", c.expires_unix)
      .String("Expiration", IsoUtc(c.expires_unix))
      .EndObject();
  const std::string& all = w.str();
  return ApiResult{"", "", all.substr(1, all.size() - 2)};  // the members, without braces
}

}  // namespace tcss::emulator
