// The TCSS actions the emulator implements, with the field names and types of the real API.
#pragma once

#include <Poco/JSON/Object.h>

#include <string>
#include <vector>

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
// One page of an image's viruses or risks (Limit/Offset applied; empty until its scan ended),
// shared by the local lists (levels as numbers, Md5, VirusScanStatus) and the registry lists
// (`registry`: levels as words, FileMd5).
struct ThreatQuery {
  bool viruses = true;  // else risks
  bool registry = false;
  bool scanned = false;
  int64_t limit = 10, offset = 0;
};
ApiResult ThreatPage(const std::vector<Virus>& viruses, const std::vector<Risk>& risks,
                     const ThreatQuery& q);

}  // namespace tcss::emulator
