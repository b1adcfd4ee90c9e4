#include "emulator/auth.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "core/text.h"
#include "sign/tc3.h"

namespace tcss::emulator {

namespace {

std::string Get(const std::map<std::string, std::string>& h, const std::string& k) {
  auto it = h.find(k);
  return it == h.end() ? "" : it->second;
}

AuthFailure Invalid(const std::string& why) {
  return {"AuthFailure.InvalidAuthorization", "Authorization header is malformed: " + why};
}

}  // namespace

std::optional<AuthFailure> VerifyTc3(
    const AuthRequest& r,
    const std::function<std::optional<Credential>(const std::string&)>& lookup,
    std::string* secret_id) {
  std::string auth = Get(r.headers, "authorization");
  if (auth.empty()) return Invalid("it is missing");
  const std::string kAlgo = "TC3-HMAC-SHA256 ";
  if (auth.compare(0, kAlgo.size(), kAlgo) != 0) {
    return Invalid("the algorithm must be TC3-HMAC-SHA256");
  }
  // "Credential=ID/DATE/SERVICE/tc3_request, SignedHeaders=a;b, Signature=hex"
  std::string credential, signed_headers, signature;
  for (const auto& part : text::Split(auth.substr(kAlgo.size()), ',')) {
    std::string p = part;
    p.erase(0, p.find_first_not_of(' '));
    size_t eq = p.find('=');
    if (eq == std::string::npos) return Invalid("expected key=value parts");
    std::string k = p.substr(0, eq);
    std::string v = p.substr(eq + 1);
    if (k == "Credential")
      credential = v;
    else if (k == "SignedHeaders")
      signed_headers = v;
    else if (k == "Signature")
      signature = v;
    else
      return Invalid("unknown part " + k);
  }
  auto scope = text::Split(credential, '/');
  if (scope.size() != 4 || scope[0].empty() || scope[3] != "tc3_request") {
    return Invalid("Credential must be SecretId/Date/service/tc3_request");
  }
  *secret_id = scope[0];
  if (signature.size() != 64 ||
      !std::all_of(signature.begin(), signature.end(),
                   [](unsigned char c) { return std::isxdigit(c) && !std::isupper(c); })) {
    return Invalid("Signature must be 64 lower-case hex digits");
  }
  std::string ts_text = Get(r.headers, "x-tc-timestamp");
  if (ts_text.empty() || ts_text.size() > 12 ||
      !std::all_of(ts_text.begin(), ts_text.end(),
                   [](unsigned char c) { return std::isdigit(c); })) {
    return AuthFailure{"AuthFailure.InvalidAuthorization",
                       "X-TC-Timestamp must be the unix time in whole seconds"};
  }
  int64_t ts = std::stoll(ts_text);
  if (ts > r.now_unix + 300 || ts < r.now_unix - 300) {
    return AuthFailure{"AuthFailure.SignatureExpire",
                       "The signature is expired, please request again: X-TC-Timestamp is more "
                       "than 300 s from the server time."};
  }
  if (scope[1] != sign::UtcDate(ts)) {
    return AuthFailure{"AuthFailure.SignatureFailure",
                       "The credential scope date is not the UTC date of X-TC-Timestamp."};
  }
  if (scope[2] != "tcss") {
    return AuthFailure{"AuthFailure.SignatureFailure",
                       "The credential scope service must be tcss, not " + scope[2] + "."};
  }
  auto names = text::Split(signed_headers, ';');
  if (std::find(names.begin(), names.end(), "content-type") == names.end() ||
      std::find(names.begin(), names.end(), "host") == names.end()) {
    return Invalid("SignedHeaders must include content-type and host");
  }
  if (!std::is_sorted(names.begin(), names.end())) return Invalid("SignedHeaders must be sorted");
  for (const auto& n : names) {
    if (n.empty() || r.headers.find(n) == r.headers.end()) {
      return Invalid("signed header \"" + n + "\" is not in the request");
    }
  }
  auto cred = lookup(scope[0]);
  if (!cred) {
    return AuthFailure{"AuthFailure.SecretIdNotFound",
                       "The SecretId is not found, please ensure that your SecretId is correct."};
  }
  // The Host header may carry a port that the signer left out (the official Node SDK does).
  std::string host = Get(r.headers, "host");
  std::vector<std::string> host_forms = {host};
  size_t colon = host.rfind(':');
  if (colon != std::string::npos && host.find(']') == std::string::npos) {
    host_forms.push_back(host.substr(0, colon));
  }
  bool matched = false;
  for (const auto& h : host_forms) {
    sign::SignInput in;
    in.secret_id = cred->secret_id;
    in.secret_key = cred->secret_key;
    in.service = scope[2];
    in.payload = r.body;
    in.timestamp = ts;
    for (const auto& n : names)
      in.signed_headers.push_back({n, n == "host" ? h : Get(r.headers, n)});
    if (sign::SafeEqual(sign::Sign(in).signature, signature)) {
      matched = true;
      break;
    }
  }
  if (!matched) {
    return AuthFailure{"AuthFailure.SignatureFailure",
                       "The provided credentials could not be validated. Please check your "
                       "signature is correct."};
  }
  std::string token = Get(r.headers, "x-tc-token");
  if (token != cred->token) {
    return AuthFailure{"AuthFailure.TokenFailure", cred->token.empty()
                                                       ? "X-TC-Token was sent for a permanent key."
                                                       : "The token is missing or does not match."};
  }
  if (cred->expires_unix != 0 && r.now_unix >= cred->expires_unix) {
    return AuthFailure{"AuthFailure.TokenFailure",
                       "The temporary credentials have expired; request new ones."};
  }
  return std::nullopt;
}

}  // namespace tcss::emulator
