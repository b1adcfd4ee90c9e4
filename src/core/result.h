// Expected failures are values. The kind maps one-to-one to an exit code (SPEC §6).
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace tcss {

enum class ErrorKind {
  kUsage,        // bad flag, missing credentials, invalid reference: nothing was sent (exit 4)
  kApi,          // the API answered with Error.Code (exit 1 when --fail-on selects it, else 0)
  kTransport,    // unreachable, or not a valid API answer, after retries (exit 3)
  kFindings,     // the finished scan is at or above the threshold (exit 2)
  kWaitTimeout,  // the scan did not finish within --wait-timeout (exit 5)
  kInterrupted,  // SIGINT/SIGTERM (exit 130)
  kOutput,       // the task was submitted, but an output (stdout, a CI file) failed (exit 6)
  kPush,         // `push`: docker push failed, so nothing was scanned (exit 7)
};

struct Error {
  ErrorKind kind = ErrorKind::kUsage;
  std::string code;  // API error code, or a client-side code such as "ResourceNotFound.Image"
  std::string message;
  std::string request_id;
  // A transport failure after the request's first byte was sent: the service may have received
  // and acted on it (the answer was lost). Matters for calls that are not idempotent.
  bool maybe_delivered = false;
  // What to do, when the message alone does not say: printed as a second short line.
  std::string hint{};
};

inline Error UsageError(std::string message) {
  return Error{ErrorKind::kUsage, "", std::move(message), ""};
}
inline Error TransportError(std::string code, std::string message, std::string request_id = "") {
  return Error{ErrorKind::kTransport, std::move(code), std::move(message), std::move(request_id)};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& operator*() & { return std::get<0>(v_); }
  const T& operator*() const& { return std::get<0>(v_); }
  T&& operator*() && { return std::get<0>(std::move(v_)); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

struct Ok {};
using Status = Result<Ok>;
inline Status OkStatus() { return Ok{}; }

}  // namespace tcss
