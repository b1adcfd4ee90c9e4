// The floor below sign/ and core/: SHA-256, HMAC-SHA256 and hex, the only OpenSSL include
// besides the TLS transport. Pure.
#pragma once

#include <string>
#include <string_view>

namespace tcss::base {

std::string Sha256Hex(std::string_view data);
// Raw 32-byte HMAC-SHA256.
std::string HmacSha256(std::string_view key, std::string_view data);
std::string HexLower(std::string_view bytes);
// Constant-time comparison for signatures.
bool SafeEqual(std::string_view a, std::string_view b);

}  // namespace tcss::base
