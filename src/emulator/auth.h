// TC3-HMAC-SHA256 verification as the real service does it, reusing src/sign.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "emulator/state.h"

namespace tcss::emulator {

struct AuthFailure {
  std::string code;
  std::string message;
};

struct AuthRequest {
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  int64_t now_unix = 0;
};

// Returns the failure, or nullopt when the request is authentic. `secret_id` is set as soon as
// the Authorization header could be parsed.
std::optional<AuthFailure> VerifyTc3(
    const AuthRequest& r,
    const std::function<std::optional<Credential>(const std::string&)>& lookup,
    std::string* secret_id);

}  // namespace tcss::emulator
