// The interfaces through which the app reaches the world. Real ones live in src/net and
// src/app/system.cpp; tests pass Fake*/Recording* ones.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/url.h"
#include "sign/tc3.h"

namespace tcss {

struct HttpRequest {
  std::vector<sign::Header> headers;  // sent in this order; Host included
  std::string body;
};

struct HttpResponse {
  int status = 0;
  std::string body;
};

// Transport error codes (Error.code of a kTransport error). Retryable ones are listed in
// IsRetryableTransportCode.
inline constexpr const char* kNetConnect = "Network.ConnectFailed";
inline constexpr const char* kNetTimeout = "Network.Timeout";
inline constexpr const char* kNetReset = "Network.ConnectionReset";
inline constexpr const char* kNetTls = "Network.TlsFailure";
inline constexpr const char* kNetProxy = "Network.ProxyFailure";

class Transport {
 public:
  virtual ~Transport() = default;
  // POST / to the endpoint. Never throws. `timeout_ms` bounds connect, send and receive.
  virtual Result<HttpResponse> Post(const HttpRequest& request, int64_t timeout_ms) = 0;
};

struct TransportOptions {
  Url endpoint;
  std::string ca_file;
  std::string proxy;
  std::string no_proxy;
};

using TransportFactory = std::function<Result<std::unique_ptr<Transport>>(const TransportOptions&)>;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t UnixSeconds() = 0;
  virtual int64_t MonotonicMillis() = 0;
};

class Sleeper {
 public:
  virtual ~Sleeper() = default;
  // Returns false when interrupted (SIGINT/SIGTERM) before the time was up.
  virtual bool SleepMillis(int64_t ms) = 0;
  virtual bool Interrupted() = 0;
  // What to print (stdout, stderr) if an interrupt has to end the process while it is stuck,
  // e.g. in a network call: the TaskID and how to pick the task up.
  virtual void SetLastWords(const std::string& /*out*/, const std::string& /*err*/) {}
};

class Random {
 public:
  virtual ~Random() = default;
  virtual double Unit() = 0;  // [0, 1)
  virtual std::string Hex(size_t bytes) = 0;
};

class Files {
 public:
  virtual ~Files() = default;
  virtual Result<std::string> Read(const std::string& path) = 0;
  virtual bool Exists(const std::string& path) = 0;
  virtual bool DirectoryExists(const std::string& path) = 0;
  // Appends in one write(2) of the whole text, so a reader never sees half a line.
  virtual Status Append(const std::string& path, const std::string& text) = 0;
  // Writes a temporary file beside `path` and renames it over `path`.
  virtual Status WriteAtomic(const std::string& path, const std::string& text) = 0;
};

struct Ports {
  Clock& clock;
  Sleeper& sleeper;
  Random& random;
  Files& files;
  std::ostream& out;
  std::ostream& err;
  TransportFactory make_transport;
};

}  // namespace tcss
