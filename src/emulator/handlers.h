// The TCSS actions the emulator implements, with the field names and types of the real API.
#pragma once

#include <Poco/JSON/Object.h>

#include <string>

#include "emulator/state.h"

namespace tcss::emulator {

struct ApiResult {
  std::string error_code;  // "" on success
  std::string error_message;
  std::string fields;  // the Response members on success, as JSON text without braces
};

bool IsKnownAction(const std::string& action);
ApiResult HandleAction(State& state, const std::string& action, const Poco::JSON::Object::Ptr& body,
                       int64_t now_ms, int64_t now_unix);
// {"Response":{...,"RequestId":"..."}} or {"Response":{"Error":{...},"RequestId":"..."}}
std::string Envelope(const ApiResult& r, const std::string& request_id);
ApiResult ErrorResult(const std::string& code, const std::string& message);

}  // namespace tcss::emulator
