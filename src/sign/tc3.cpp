#include "sign/tc3.h"

#include <algorithm>
#include <cctype>
#include <ctime>

namespace tcss::sign {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string Trim(std::string_view s) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  size_t b = 0;
  size_t e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  return std::string(s.substr(b, e - b));
}

}  // namespace

std::string UtcDate(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

CanonicalRequest BuildCanonicalRequest(std::string_view method, std::string_view query,
                                       std::vector<Header> headers, std::string_view payload) {
  for (auto& h : headers) {
    h.name = Lower(Trim(h.name));
    h.value = Lower(Trim(h.value));
  }
  std::sort(headers.begin(), headers.end(),
            [](const Header& a, const Header& b) { return a.name < b.name; });
  std::string canonical_headers;
  std::string signed_headers;
  for (const auto& h : headers) {
    canonical_headers += h.name + ":" + h.value + "\n";
    if (!signed_headers.empty()) signed_headers += ";";
    signed_headers += h.name;
  }
  CanonicalRequest out;
  out.text = std::string(method) + "\n/\n" + std::string(query) + "\n" + canonical_headers + "\n" +
             signed_headers + "\n" + Sha256Hex(payload);
  out.signed_headers = signed_headers;
  return out;
}

std::string CredentialScope(std::string_view date, std::string_view service) {
  return std::string(date) + "/" + std::string(service) + "/tc3_request";
}

std::string BuildStringToSign(int64_t timestamp, std::string_view scope,
                              std::string_view canonical_request) {
  return "TC3-HMAC-SHA256\n" + std::to_string(timestamp) + "\n" + std::string(scope) + "\n" +
         Sha256Hex(canonical_request);
}

std::string DeriveSigningKey(std::string_view secret_key, std::string_view date,
                             std::string_view service) {
  std::string k_date = HmacSha256("TC3" + std::string(secret_key), date);
  std::string k_service = HmacSha256(k_date, service);
  return HmacSha256(k_service, "tc3_request");
}

std::string Signature(std::string_view signing_key, std::string_view string_to_sign) {
  return HexLower(HmacSha256(signing_key, string_to_sign));
}

std::string AuthorizationHeader(std::string_view secret_id, std::string_view scope,
                                std::string_view signed_headers, std::string_view signature) {
  return "TC3-HMAC-SHA256 Credential=" + std::string(secret_id) + "/" + std::string(scope) +
         ", SignedHeaders=" + std::string(signed_headers) + ", Signature=" + std::string(signature);
}

SignOutput Sign(const SignInput& in) {
  SignOutput out;
  std::string date = UtcDate(in.timestamp);
  CanonicalRequest cr = BuildCanonicalRequest(in.method, in.query, in.signed_headers, in.payload);
  std::string scope = CredentialScope(date, in.service);
  out.canonical_request = cr.text;
  out.string_to_sign = BuildStringToSign(in.timestamp, scope, cr.text);
  out.signature = Signature(DeriveSigningKey(in.secret_key, date, in.service), out.string_to_sign);
  out.authorization = AuthorizationHeader(in.secret_id, scope, cr.signed_headers, out.signature);
  return out;
}

}  // namespace tcss::sign
