// JSON Web Tokens, read but not verified: the client only looks at the claims of the OIDC
// token it forwards (to say why STS may refuse it); the emulator verifies the signature.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace tcss::jwt {

// RFC 4648 §5 (URL- and filename-safe alphabet), padding optional. nullopt for any other byte.
std::optional<std::string> Base64UrlDecode(std::string_view text);
std::string Base64UrlEncode(std::string_view bytes);

struct Token {
  std::string header_json;
  std::string payload_json;
  std::string signature;      // raw bytes
  std::string signing_input;  // "<header>.<payload>" as received: what the signature covers
  std::string alg, kid;
  std::string iss, sub;
  std::vector<std::string> aud;       // "aud" may be a string or an array of strings
  int64_t exp = 0, nbf = 0, iat = 0;  // 0 when absent
};

// Splits and decodes a compact JWS (three base64url parts) and reads the registered claims.
// Errors say what is malformed without repeating the token.
Result<Token> Decode(std::string_view compact);

// Whether `t` is a well-formed compact JWS: three non-empty base64url parts.
bool LooksLikeJwt(std::string_view t);

}  // namespace tcss::jwt
