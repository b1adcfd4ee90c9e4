// Test doubles for the ports: a clock that only moves when slept, a scripted transport.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <new>
#include <sstream>

#include "app/api_client.h"
#include "app/app.h"
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
    if (static_cast<int>(requests.size()) == bad_alloc_at) throw std::bad_alloc();
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
  int bad_alloc_at = 0;  // the request (1, 2, …) during which memory "runs out"; 0 = never

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

class FakeFiles : public Files {
 public:
  Result<std::string> Read(const std::string& path) override {
    auto it = files.find(path);
    if (it == files.end()) return UsageError(path + ": No such file or directory");
    return it->second;
  }
  bool Exists(const std::string& path) override { return files.count(path) > 0; }
  Status CheckWritable(const std::string& path, bool /*replace*/) override {
    if (path.rfind("/out/", 0) == 0 || path.find('/') == std::string::npos) return OkStatus();
    return UsageError(path + " points into a directory that does not exist");
  }
  Status Append(const std::string& path, const std::string& text) override {
    files[path] += text;
    return OkStatus();
  }
  Status Replace(const std::string& path, const std::string& text) override {
    files[path] = text;
    return OkStatus();
  }
  Status DropSymlink(const std::string& /*path*/) override { return OkStatus(); }
  std::map<std::string, std::string> files;
};

// app::Run with the fakes: every endpoint (TCSS, STS, token and metadata services) answers
// from the one transport's script.
struct AppFixture : ::testing::Test {
  FakeClock clock;
  FakeRandom random;
  FakeFiles files;
  RecordingTransport transport{&clock};
  std::ostringstream out, err;
  EnvMap env = {{"TENCENTCLOUD_SECRET_ID", "AKIDx"},
                {"TENCENTCLOUD_SECRET_KEY", "k"},
                {"TCSS_ENDPOINT", "http://127.0.0.1:9"}};

  int Run(std::vector<std::string> args) {
    Ports ports{clock,
                clock,
                random,
                files,
                out,
                err,
                [this](const TransportOptions&) -> Result<std::unique_ptr<Transport>> {
                  struct Borrowed : Transport {
                    explicit Borrowed(Transport& t) : t_(t) {}
                    Result<HttpResponse> Post(const HttpRequest& r, int64_t ms) override {
                      return t_.Post(r, ms);
                    }
                    Transport& t_;
                  };
                  return std::unique_ptr<Transport>(std::make_unique<Borrowed>(transport));
                },
                false,
                [this](const std::vector<std::string>& argv, std::string* output,
                       int64_t /*timeout_ms*/) -> Result<int> {
                  ran.push_back(argv);
                  *output = process_output;
                  return process_exit;
                }};
    return app::Run("tcss-scan", args, env, ports);
  }
  std::vector<std::vector<std::string>> ran;  // what run_process was asked to run
  std::string process_output;
  int process_exit = 0;
  std::vector<std::string> Actions() {
    std::vector<std::string> a;
    for (const auto& r : transport.requests)
      for (const auto& h : r.headers)
        if (h.name == "X-TC-Action") a.push_back(h.value);
    return a;
  }
};

}  // namespace tcss::testing
