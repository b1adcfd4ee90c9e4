#include "core/jwt.h"

#include <array>

#include "core/json.h"
#include "core/text.h"

namespace tcss::jwt {

namespace {

constexpr const char* kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

}  // namespace

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = Value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

std::string Base64UrlEncode(std::string_view bytes) {
  std::string out;
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t n = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kAlphabet[(n >> s) & 63]);
  }
  size_t rest = bytes.size() - i;
  if (rest == 1) {
    uint32_t n = byte(i) << 16;
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
  } else if (rest == 2) {
    uint32_t n = (byte(i) << 16) | (byte(i + 1) << 8);
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(kAlphabet[(n >> 6) & 63]);
  }
  return out;
}

bool LooksLikeJwt(std::string_view t) {
  auto parts = text::Split(t, '.');
  if (parts.size() != 3) return false;
  for (const auto& p : parts) {
    if (p.empty()) return false;
    for (char c : p)
      if (Value(c) < 0) return false;
  }
  return true;
}

Result<Token> Decode(std::string_view compact) {
  auto parts = text::Split(compact, '.');
  if (parts.size() != 3) {
    return UsageError(
        "the OIDC token is not a JWT (it should be three base64url parts "
        "separated by dots, it has " +
        std::to_string(parts.size()) + ")");
  }
  Token t;
  std::array<std::string*, 3> into = {&t.header_json, &t.payload_json, &t.signature};
  const char* names[] = {"header", "payload", "signature"};
  for (size_t i = 0; i < 3; ++i) {
    auto d = Base64UrlDecode(parts[i]);
    if (!d || parts[i].empty()) {
      return UsageError(std::string("the OIDC token's ") + names[i] + " is not base64url");
    }
    *into[i] = *d;
  }
  t.signing_input = parts[0] + "." + parts[1];
  auto header = json::ParseObject(t.header_json, 8);
  if (!header.ok()) return UsageError("the OIDC token's header is not a JSON object");
  auto payload = json::ParseObject(t.payload_json, 16);
  if (!payload.ok()) return UsageError("the OIDC token's payload is not a JSON object");
  json::Reader r;
  t.alg = r.String(*header, "alg", false);
  t.kid = r.String(*header, "kid", false);
  t.iss = r.String(*payload, "iss", false);
  t.sub = r.String(*payload, "sub", false);
  t.exp = r.Int(*payload, "exp", false);
  t.nbf = r.Int(*payload, "nbf", false);
  t.iat = r.Int(*payload, "iat", false);
  if (!r.ok)
    return UsageError("the OIDC token has a claim of the wrong type (iss, sub, exp, nbf, iat)");
  if ((*payload)->has("aud")) {
    auto v = (*payload)->get("aud");
    if (v.isString()) {
      t.aud.push_back(v.extract<std::string>());
    } else if (v.type() == typeid(Poco::JSON::Array::Ptr)) {
      auto a = v.extract<Poco::JSON::Array::Ptr>();
      for (size_t i = 0; i < a->size(); ++i) {
        auto e = a->get(static_cast<unsigned>(i));
        if (!e.isString()) return UsageError("the OIDC token's aud holds a non-string");
        t.aud.push_back(e.extract<std::string>());
      }
    } else {
      return UsageError("the OIDC token's aud is neither a string nor a list");
    }
  }
  return t;
}

}  // namespace tcss::jwt
