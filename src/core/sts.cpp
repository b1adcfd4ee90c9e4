#include "core/sts.h"

#include <algorithm>
#include <cctype>

#include "core/json.h"
#include "core/text.h"
#include "core/url.h"

namespace tcss::sts {

namespace {

bool SessionChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '+' || c == '=' ||
         c == ',' || c == '.' || c == '@' || c == '-';
}

bool AllDigits(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// A credential value may be sent as a header: printable ASCII only, no spaces.
bool HeaderSafe(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f; });
}

Result<Credentials> Checked(Credentials c, const std::string& from) {
  if (c.secret_id.empty() || c.secret_key.empty() || c.token.empty() || c.expires_unix <= 0) {
    return TransportError("InvalidResponse.Credentials",
                          from +
                              " answered without TmpSecretId, TmpSecretKey, Token and "
                              "ExpiredTime");
  }
  if (!HeaderSafe(c.secret_id) || !HeaderSafe(c.secret_key) || !HeaderSafe(c.token) ||
      c.secret_id.size() > 256 || c.secret_key.size() > 256 || c.token.size() > 8192) {
    return TransportError("InvalidResponse.Credentials",
                          from + " answered with credentials that cannot be sent in a header");
  }
  return c;
}

// The three secrets from `keys` and ExpiredTime from `expiry`: STS nests the secrets in
// Credentials, the metadata service does not.
Credentials ReadKeys(json::Reader& r, const Poco::JSON::Object::Ptr& keys,
                     const Poco::JSON::Object::Ptr& expiry, int64_t now) {
  Credentials c;
  if (keys) {
    c.secret_id = r.String(keys, "TmpSecretId", true);
    c.secret_key = r.String(keys, "TmpSecretKey", true);
    c.token = r.String(keys, "Token", true);
  }
  c.expires_unix = r.Int(expiry, "ExpiredTime", true);
  c.obtained_unix = now;
  return c;
}

}  // namespace

std::string AssumeRoleWithWebIdentityBody(const WebIdentityRequest& r) {
  json::Writer w;
  w.BeginObject()
      .String("ProviderId", r.provider_id)
      .String("WebIdentityToken", r.token)
      .String("RoleArn", r.role_arn)
      .String("RoleSessionName", r.session_name)
      .Int("DurationSeconds", r.duration_s)
      .EndObject();
  return w.str();
}

Result<Credentials> ParseAssumeRoleResponse(const Poco::JSON::Object::Ptr& response, int64_t now) {
  json::Reader r;
  Credentials c = ReadKeys(r, r.Object(response, "Credentials", true), response, now);
  if (!r.ok) {
    return TransportError("InvalidResponse.Credentials",
                          "STS answered AssumeRoleWithWebIdentity without Credentials "
                          "{TmpSecretId, TmpSecretKey, Token} and ExpiredTime");
  }
  return Checked(c, "STS");
}

Result<Credentials> ParseMetadataCredentials(std::string_view body, int64_t now) {
  auto o = json::ParseObject(body, 8);
  if (!o.ok()) {
    return TransportError("InvalidResponse.Credentials",
                          "the CVM metadata service's answer is not a JSON object");
  }
  json::Reader r;
  std::string code = r.String(*o, "Code", false);
  if (!code.empty() && code != "Success") {
    return TransportError(
        "InvalidResponse.Credentials",
        "the CVM metadata service answered Code " + text::OneLine(text::TruncateUtf8(code, 64)));
  }
  Credentials c = ReadKeys(r, *o, *o, now);
  if (!r.ok) {
    return TransportError("InvalidResponse.Credentials",
                          "the CVM metadata service answered without TmpSecretId, TmpSecretKey, "
                          "Token and ExpiredTime");
  }
  return Checked(c, "the CVM metadata service");
}

int64_t RenewAt(int64_t obtained, int64_t expires) {
  int64_t life = std::max<int64_t>(expires - obtained, 0);
  int64_t margin = std::max<int64_t>(life / 10, 60);
  margin = std::min(margin, life / 2);
  return expires - margin;
}

Status CheckRoleArn(std::string_view arn) {
  auto fail = [&] {
    return UsageError("the role ARN \"" + text::OneLine(text::TruncateUtf8(arn, 200)) +
                      "\" is not qcs::cam::uin/<account uin>:roleName/<role name> (CAM console: "
                      "the role's RoleArn)");
  };
  const std::string_view kPrefix = "qcs::cam::uin/";
  if (arn.substr(0, kPrefix.size()) != kPrefix) return fail();
  std::string_view rest = arn.substr(kPrefix.size());
  size_t colon = rest.find(':');
  if (colon == std::string_view::npos || !AllDigits(rest.substr(0, colon))) return fail();
  std::string_view role = rest.substr(colon + 1);
  for (std::string_view kind : {"roleName/", "role/"}) {
    if (role.substr(0, kind.size()) == kind) {
      std::string_view name = role.substr(kind.size());
      if (name.empty() || name.size() > 128) return fail();
      for (char c : name)
        if (!SessionChar(c) && c != '/') return fail();
      return OkStatus();
    }
  }
  return fail();
}

Status CheckSessionName(std::string_view name) {
  if (name.size() < 2 || name.size() > 64 || !std::all_of(name.begin(), name.end(), SessionChar)) {
    return UsageError("the role session name \"" + text::OneLine(text::TruncateUtf8(name, 80)) +
                      "\" must be 2-64 characters of letters, digits and _+=,.@-");
  }
  return OkStatus();
}

std::string SanitizeSessionName(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (out.size() == 64) break;
    out.push_back(SessionChar(c) ? c : '-');
  }
  while (out.size() < 2) out.push_back('-');
  return out;
}

std::string DefaultSessionName(std::string_view job_name, int64_t now) {
  if (!job_name.empty()) return SanitizeSessionName(job_name);
  return SanitizeSessionName("tcss-scan-" + std::to_string(now));
}

std::string DefaultStsEndpoint(std::string_view tcss_endpoint) {
  auto u = ParseUrl(tcss_endpoint);
  if (!u.ok()) return "https://sts.tencentcloudapi.com";
  std::string host = text::Lower(u->host);
  if (EndsWith(host, ".intl.tencentcloudapi.com")) return "https://sts.intl.tencentcloudapi.com";
  if (host == "tencentcloudapi.com" || EndsWith(host, ".tencentcloudapi.com")) {
    return "https://sts.tencentcloudapi.com";
  }
  return std::string(tcss_endpoint);
}

std::string GithubTokenUrl(std::string_view request_url, std::string_view audience) {
  std::string url(request_url);
  return url + (url.find('?') == std::string::npos ? "?" : "&") +
         "audience=" + PercentEncode(audience, false);
}

std::string HintFor(const std::string& code) {
  if (code == "InvalidParameter.WebIdentityTokenError") {
    return "STS did not accept the OIDC token: check that the CAM identity provider's issuer "
           "URL (IdentityUrl) is the token's iss, that its ClientId lists the audience "
           "(--oidc-audience), and that its IdentityKey holds the issuer's current JWKS";
  }
  if (code == "UnauthorizedOperation") {
    return "the role does not trust this token: check the role's trust policy (principal "
           "qcs::cam::uin/<uin>:oidc-provider/<provider id>, conditions on oidc:iss and "
           "oidc:aud) and that --oidc-provider-id names that provider";
  }
  if (code == "InternalError.GetRoleError") {
    return "STS could not read the role: check --role-arn (CAM console, the role's RoleArn)";
  }
  if (code == "InvalidParameter.ParamError" || code == "InvalidParameter.OverLimit") {
    return "check --role-arn, --oidc-provider-id, --role-session-name and --role-duration "
           "(at most the role's maximum session duration)";
  }
  if (code.rfind("AuthFailure.SignatureExpire", 0) == 0) {
    return "this machine's clock is off; sync it with NTP";
  }
  return "";
}

}  // namespace tcss::sts
