// One signed API call with retries (SPEC §7): re-signed on every attempt, exponential backoff
// with full jitter, bounded by --timeout, and never faster than 20 calls/second per action.
#pragma once

#include <Poco/JSON/Object.h>

#include <deque>
#include <map>
#include <string>

#include "app/logger.h"
#include "app/ports.h"
#include "core/config.h"

namespace tcss {

struct ClientSettings {
  Url endpoint;
  Credentials credentials;
  std::string region;
  std::string language = "en-US";
  double timeout_s = 60;
  int retries = 4;
  int rate_limit_per_second = 20;
};

bool IsRetryableTransportCode(const std::string& code);

// Builds the headers and signature for one attempt; `timestamp` is the signing time.
HttpRequest BuildSignedRequest(const ClientSettings& s, const std::string& action,
                               const std::string& body, int64_t timestamp);
// The request as text for --dry-run, with the session token replaced by "***".
std::string DescribeRequest(const HttpRequest& r);

class ApiClient {
 public:
  ApiClient(Transport& transport, Clock& clock, Sleeper& sleeper, Random& random, Logger& log,
            ClientSettings settings)
      : transport_(transport),
        clock_(clock),
        sleeper_(sleeper),
        random_(random),
        log_(log),
        settings_(std::move(settings)) {}

  // The Response object on success; kApi / kTransport / kInterrupted errors otherwise.
  Result<Poco::JSON::Object::Ptr> Call(const std::string& action, const std::string& body);
  int attempts() const { return attempts_; }

 private:
  bool AwaitRateLimit(const std::string& action);
  Transport& transport_;
  Clock& clock_;
  Sleeper& sleeper_;
  Random& random_;
  Logger& log_;
  ClientSettings settings_;
  std::map<std::string, std::deque<int64_t>> sent_;  // per action: send times, last second
  int attempts_ = 0;
};

}  // namespace tcss
