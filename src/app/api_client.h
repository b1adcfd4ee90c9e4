// One signed API call with retries (SPEC §7): re-signed on every attempt, exponential backoff
// with full jitter, bounded by --timeout, and never faster than 20 calls/second per action.
#pragma once

#include <Poco/JSON/Object.h>

#include <deque>
#include <functional>
#include <map>
#include <string>

#include "app/logger.h"
#include "app/ports.h"
#include "core/api.h"
#include "core/config.h"

namespace tcss {

struct ClientSettings {
  Url endpoint;
  Credentials credentials;
  std::string service = api::kService;  // the signature's credential scope
  std::string version = api::kVersion;
  // STS AssumeRoleWithWebIdentity is called without keys: "Authorization: SKIP", no token.
  bool unsigned_call = false;
  // Its answers hold temporary keys (STS): an error never quotes their bodies.
  bool answers_carry_credentials = false;
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
// What --dry-run prints: the canonical request and the string to sign (what the signature
// covers), then the request with the session token and the signature withheld, so that the
// text can be read and compared but never replayed within the signature's five minutes.
std::string DescribeDryRun(const ClientSettings& s, const std::string& action,
                           const std::string& body, int64_t timestamp);

struct CallOptions {
  // A call that creates something must not simply be sent again when its answer was lost:
  // such a failure (Error::maybe_delivered) is returned at once for the caller to recover.
  bool idempotent = true;
  // Monotonic milliseconds (Clock::MonotonicMillis) that bound the call besides --timeout;
  // 0 = none. --wait-timeout and --resolve-timeout pass theirs.
  int64_t deadline_ms = 0;
  // Retries of its own for a call that must not fail on one blip (the look-up after a lost
  // answer): the larger of this and --retries.
  int min_retries = 0;
};

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

  // Where the keys come from when they are temporary: asked before every attempt (it renews
  // them when they near expiry; `renew` forces it, after the service said the token had
  // failed). Without one, settings.credentials are used as they are.
  using CredentialSource = std::function<Result<Credentials>(bool renew)>;
  void SetCredentialSource(CredentialSource source) { credentials_ = std::move(source); }

  // The Response object on success; kApi / kTransport / kInterrupted errors otherwise.
  Result<Poco::JSON::Object::Ptr> Call(const std::string& action, const std::string& body,
                                       const CallOptions& options = {});
  int attempts() const { return attempts_; }

 private:
  bool AwaitRateLimit(const std::string& action);
  Transport& transport_;
  Clock& clock_;
  Sleeper& sleeper_;
  Random& random_;
  Logger& log_;
  ClientSettings settings_;
  CredentialSource credentials_;
  std::map<std::string, std::deque<int64_t>> sent_;  // per action: send times, last second
  int attempts_ = 0;
};

}  // namespace tcss
