// Test doubles for the ports: a clock that only moves when slept, a scripted transport.
#pragma once

#include <deque>
#include <sstream>

#include "app/api_client.h"
#include "app/ports.h"

namespace tcss::testing {

class FakeClock : public Clock, public Sleeper {
 public:
  int64_t UnixSeconds() override { return unix_ + ms_ / 1000; }
  int64_t MonotonicMillis() override { return ms_; }
  bool SleepMillis(int64_t ms) override {
    sleeps.push_back(ms);
    ms_ += ms;
    return true;
  }
  bool Interrupted() override { return false; }
  void Advance(int64_t ms) { ms_ += ms; }
  std::vector<int64_t> sleeps;

 private:
  int64_t unix_ = 1700000000;
  int64_t ms_ = 0;
};

class FakeRandom : public Random {
 public:
  double Unit() override { return 0.5; }
  std::string Hex(size_t bytes) override { return std::string(bytes * 2, 'a'); }
};

// Answers from a script; records every request it was given.
class RecordingTransport : public Transport {
 public:
  explicit RecordingTransport(FakeClock* clock = nullptr) : clock_(clock) {}
  Result<HttpResponse> Post(const HttpRequest& request, int64_t timeout_ms) override {
    requests.push_back(request);
    timeouts.push_back(timeout_ms);
    if (clock_) clock_->Advance(latency_ms);
    if (script.empty())
      return HttpResponse{200, R"({"Response":{"TaskID":"t-1","RequestId":"r-1"}})"};
    auto next = script.front();
    script.pop_front();
    return next;
  }
  std::deque<Result<HttpResponse>> script;
  std::vector<HttpRequest> requests;
  std::vector<int64_t> timeouts;
  int64_t latency_ms = 10;

 private:
  FakeClock* clock_;
};

inline HttpResponse ApiError(const std::string& code) {
  return HttpResponse{200, R"({"Response":{"Error":{"Code":")" + code +
                               R"(","Message":"m"},"RequestId":"req-e"}})"};
}

// Settings for the production endpoint with the given credentials.
inline ClientSettings TestSettings(std::string secret_id = "AKIDx",
                                   std::string secret_key = "secretKEY", std::string token = "") {
  ClientSettings s;
  s.endpoint = *ParseEndpoint("https://tcss.tencentcloudapi.com");
  s.credentials = {std::move(secret_id), std::move(secret_key), std::move(token), "test"};
  return s;
}

}  // namespace tcss::testing
