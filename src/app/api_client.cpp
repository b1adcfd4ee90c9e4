#include "app/api_client.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/api.h"
#include "core/policy.h"

namespace tcss {

bool IsRetryableTransportCode(const std::string& code) {
  return code == kNetConnect || code == kNetTimeout || code == kNetReset ||
         code == "InvalidResponse.HttpStatus5xx";
}

HttpRequest BuildSignedRequest(const ClientSettings& s, const std::string& action,
                               const std::string& body, int64_t timestamp) {
  const std::string content_type = "application/json";
  const std::string host = s.endpoint.HostHeader();
  HttpRequest r;
  r.headers = {{"Host", host},
               {"Content-Type", content_type},
               {"X-TC-Action", action},
               {"X-TC-Version", s.version},
               {"X-TC-Timestamp", std::to_string(timestamp)}};
  if (!s.region.empty()) r.headers.push_back({"X-TC-Region", s.region});
  if (!s.language.empty()) r.headers.push_back({"X-TC-Language", s.language});
  if (!s.unsigned_call && !s.credentials.token.empty()) {
    r.headers.push_back({"X-TC-Token", s.credentials.token});
  }
  r.headers.push_back({"X-TC-RequestClient", std::string("tcss-scan/") + TCSS_VERSION});
  if (s.unsigned_call) {
    r.headers.push_back({"Authorization", "SKIP"});
  } else {
    sign::SignInput in;
    in.secret_id = s.credentials.secret_id;
    in.secret_key = s.credentials.secret_key;
    in.service = s.service;
    in.signed_headers = {{"content-type", content_type}, {"host", host}};
    in.payload = body;
    in.timestamp = timestamp;
    r.headers.push_back({"Authorization", sign::Sign(in).authorization});
  }
  r.body = body;
  return r;
}

std::string DescribeDryRun(const ClientSettings& s, const std::string& action,
                           const std::string& body, int64_t timestamp) {
  HttpRequest r = BuildSignedRequest(s, action, body, timestamp);
  sign::SignInput in;
  in.service = s.service;
  in.signed_headers = {{"content-type", "application/json"}, {"host", s.endpoint.HostHeader()}};
  in.payload = body;
  in.timestamp = timestamp;
  sign::CanonicalRequest canonical =
      sign::BuildCanonicalRequest(in.method, in.query, in.signed_headers, in.payload);
  std::string scope = sign::CredentialScope(sign::UtcDate(timestamp), s.service);
  std::string out = "# canonical request\n" + canonical.text + "\n\n# string to sign\n" +
                    sign::BuildStringToSign(timestamp, scope, canonical.text) +
                    "\n\n# request (token and signature withheld: nothing here can be replayed)\n"
                    "POST / HTTP/1.1\n";
  for (const auto& h : r.headers) {
    std::string value = h.value;
    if (h.name == "X-TC-Token") value = "***";
    if (h.name == "Authorization") {
      size_t at = value.find("Signature=");
      value = value.substr(0, at == std::string::npos ? value.size() : at) + "Signature=***";
    }
    out += h.name + ": " + value + "\n";
  }
  out += "Content-Length: " + std::to_string(r.body.size()) + "\n\n" + r.body + "\n";
  return out;
}

bool ApiClient::AwaitRateLimit(const std::string& action) {
  auto& q = sent_[action];
  const int64_t kWindow = 1000;
  while (true) {
    int64_t now = clock_.MonotonicMillis();
    while (!q.empty() && now - q.front() >= kWindow) q.pop_front();
    if (static_cast<int>(q.size()) < settings_.rate_limit_per_second) {
      q.push_back(now);
      return true;
    }
    if (!sleeper_.SleepMillis(q.front() + kWindow - now)) return false;
  }
}

Result<Poco::JSON::Object::Ptr> ApiClient::Call(const std::string& action, const std::string& body,
                                                const CallOptions& options) {
  const int64_t start = clock_.MonotonicMillis();
  int64_t budget = static_cast<int64_t>(settings_.timeout_s * 1000);
  if (options.deadline_ms > 0) budget = std::min(budget, options.deadline_ms - start);
  Error last;
  int tries = 0;
  int failures = 0;    // retryable failures so far (bounded by --retries)
  int throttles = 0;   // RequestLimitExceeded answers so far (bounded by --timeout)
  bool renew = false;  // the service refused the token: get new temporary keys, once
  bool renewed = false;
  while (true) {
    if (sleeper_.Interrupted() || !AwaitRateLimit(action)) {
      return Error{ErrorKind::kInterrupted, "", "interrupted", ""};
    }
    int64_t remaining = budget - (clock_.MonotonicMillis() - start);
    if (remaining <= 0) break;
    if (credentials_) {
      auto creds = credentials_(renew);
      if (!creds.ok()) return creds.error();
      settings_.credentials = *creds;
      renew = false;
    }
    ++attempts_;
    ++tries;
    HttpRequest req = BuildSignedRequest(settings_, action, body, clock_.UnixSeconds());
    log_.Verbose(fmt::format("{} attempt {} ({} bytes)", action, tries, body.size()));
    auto resp = transport_.Post(req, remaining);
    Result<Poco::JSON::Object::Ptr> parsed =
        resp.ok()
            ? api::ParseEnvelope(resp->status, resp->body, settings_.answers_carry_credentials)
            : resp.error();
    if (parsed.ok()) return parsed;
    last = parsed.error();
    if (last.kind == ErrorKind::kInterrupted) return last;
    if (last.kind == ErrorKind::kTransport && resp.ok() &&
        (resp->status == 200 || resp->status >= 500)) {
      // A broken 200 or a 5xx (a gateway's 502/504 may come after the service acted): the
      // request may have taken effect. A 4xx was turned away before it reached the API.
      last.maybe_delivered = true;
      if (resp->status >= 500) last.code = "InvalidResponse.HttpStatus5xx";
    }
    if (last.kind == ErrorKind::kApi && last.code == "AuthFailure.TokenFailure" && credentials_ &&
        settings_.credentials.expires_unix != 0 && !renewed) {
      // Temporary keys can expire between the check and the call (clocks differ by a second
      // or two): the token was refused before anything was done, so get new keys and resend.
      log_.Info(action + ": the service refused the temporary token; renewing the keys");
      renew = renewed = true;
      continue;
    }
    if (!options.idempotent && last.kind == ErrorKind::kTransport && last.maybe_delivered) {
      return last;  // the caller finds out whether it took effect before sending it again
    }
    bool retryable = last.kind == ErrorKind::kApi ? IsRetryableApiCode(last.code)
                                                  : IsRetryableTransportCode(last.code);
    // A throttled call is the service asking us to slow down, not a failure: it is retried
    // until --timeout runs out, with a one-second base (the limit's window), and does not
    // use up --retries. Everything else retryable counts against --retries.
    bool throttled = last.kind == ErrorKind::kApi && IsThrottleCode(last.code);
    if (!retryable ||
        (!throttled && failures >= std::max(settings_.retries, options.min_retries))) {
      break;
    }
    int64_t delay = throttled
                        ? std::max<int64_t>(250, BackoffMillis(throttles++, random_.Unit(), 1000))
                        : BackoffMillis(failures++, random_.Unit());
    remaining = budget - (clock_.MonotonicMillis() - start);
    if (delay >= remaining) break;
    log_.Info(fmt::format("{} failed ({}{}); retrying in {} ms", action,
                          last.code.empty() ? "" : last.code + ": ", last.message, delay));
    if (!sleeper_.SleepMillis(delay)) return Error{ErrorKind::kInterrupted, "", "interrupted", ""};
  }
  if (last.message.empty()) {
    last = TransportError(kNetTimeout,
                          fmt::format("no answer within --timeout {}s", settings_.timeout_s));
  }
  if (last.kind == ErrorKind::kTransport) {
    double waited = static_cast<double>(clock_.MonotonicMillis() - start) / 1000.0;
    last.message += tries > 1 ? fmt::format(" (after {} attempts in {:.1f} s)", tries, waited)
                              : fmt::format(" (after {:.1f} s)", waited);
  }
  return last;
}

}  // namespace tcss
