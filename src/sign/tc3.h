// TC3-HMAC-SHA256 (Tencent Cloud API signature v3), in the stages the documentation names.
// Pure: the timestamp is an argument. It stands on base/ (hashing) and nothing else of ours.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/hash.h"

namespace tcss::sign {

// The hashing floor (base/hash.h), which TC3 is built on.
using base::HexLower;
using base::HmacSha256;
using base::SafeEqual;
using base::Sha256Hex;

struct Header {
  std::string name;
  std::string value;
};

struct CanonicalRequest {
  std::string text;            // the canonical request, exactly as hashed
  std::string signed_headers;  // "content-type;host"
};

// UTC date "YYYY-MM-DD" of a unix timestamp.
std::string UtcDate(int64_t unix_seconds);

// Headers are lower-cased and trimmed, sorted by name. `query` is empty for POST.
CanonicalRequest BuildCanonicalRequest(std::string_view method, std::string_view query,
                                       std::vector<Header> headers, std::string_view payload);
std::string CredentialScope(std::string_view date, std::string_view service);
std::string BuildStringToSign(int64_t timestamp, std::string_view scope,
                              std::string_view canonical_request);
// SecretSigning = HMAC(HMAC(HMAC("TC3"+key, date), service), "tc3_request"), raw bytes.
std::string DeriveSigningKey(std::string_view secret_key, std::string_view date,
                             std::string_view service);
std::string Signature(std::string_view signing_key, std::string_view string_to_sign);
std::string AuthorizationHeader(std::string_view secret_id, std::string_view scope,
                                std::string_view signed_headers, std::string_view signature);

struct SignInput {
  std::string secret_id;
  std::string secret_key;
  std::string service;  // "tcss"
  std::string method = "POST";
  std::string query;
  std::vector<Header> signed_headers;  // at least content-type and host, values as sent
  std::string payload;                 // the exact bytes sent
  int64_t timestamp = 0;
};

struct SignOutput {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;
  std::string authorization;
};

SignOutput Sign(const SignInput& in);

}  // namespace tcss::sign
