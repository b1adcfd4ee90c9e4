// The interfaces through which the app reaches the world. Real ones live in src/net and
// src/app/system.cpp; tests pass Fake*/Recording* ones.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/url.h"
#include "sign/tc3.h"

namespace tcss {

struct HttpRequest {
  std::vector<sign::Header> headers;  // sent in this order; Host included
  std::string body;
  std::string method = "POST";  // POST (the APIs) or GET (token and metadata services)
  std::string target = "/";     // path and query
};

struct HttpResponse {
  int status = 0;
  std::string body;
  // Names in lower case (pagination and Retry-After for the forges' APIs).
  std::vector<std::pair<std::string, std::string>> headers{};
  std::string Header(const std::string& lower_name) const {
    for (const auto& [k, v] : headers)
      if (k == lower_name) return v;
    return "";
  }
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
  // Sends `request` (POST / for the APIs) to the endpoint. Never throws. `timeout_ms` bounds the
  // whole call, connect to the last byte of the answer, whatever rate the peer sends at. An
  // interrupt ends it with a kInterrupted error. Errors say whether the request may have reached
  // the service.
  virtual Result<HttpResponse> Post(const HttpRequest& request, int64_t timeout_ms) = 0;
};

struct TransportOptions {
  Url endpoint;
  std::string ca_file;
  std::string proxy;
  std::string no_proxy;
  // Polled while a call is in flight: true ends the call at once (SIGINT/SIGTERM).
  std::function<bool()> interrupted;
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
  // Whether `path` can be written as Append or Replace would, checked before anything is sent:
  // not a directory, its folder exists, and (for a new file) the folder is writable. The error
  // names the problem.
  virtual Status CheckWritable(const std::string& path, bool replace) = 0;
  // Appends in one write(2) of the whole text, so a reader never sees half a line.
  virtual Status Append(const std::string& path, const std::string& text) = 0;
  // Replaces the contents of `path` so that a reader sees the old or the new text, never a mix:
  // a symlink is followed and its target replaced; a regular (or new) file is written to a
  // temporary file created exclusively beside it and renamed over it; anything else (a device,
  // a FIFO, /dev/stdout) is written in place, never replaced by a file.
  virtual Status Replace(const std::string& path, const std::string& text) = 0;
  // When `path` is a symbolic link, removes the link (never what it points at): for the paths
  // the user did not name, which a checkout (a pull request's) may have filled with links.
  virtual Status DropSymlink(const std::string& path) = 0;
};

struct Ports {
  Clock& clock;
  Sleeper& sleeper;
  Random& random;
  Files& files;
  std::ostream& out;
  std::ostream& err;
  TransportFactory make_transport;
  bool stdout_closed = false;  // descriptor 1 was closed at start (now /dev/null): `out` fails
  // Runs a program (found on PATH) to its end, or until `timeout_ms` (> 0) passes, when it is
  // stopped and the result is an error saying so: its stdout and stderr are copied to our
  // stderr a line at a time and into `*output`. Returns its exit code (128+N for signal N).
  std::function<Result<int>(const std::vector<std::string>& argv, std::string* output,
                            int64_t timeout_ms)>
      run_process;
};

}  // namespace tcss
