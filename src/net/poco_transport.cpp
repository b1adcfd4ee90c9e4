#include "net/poco_transport.h"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPBasicCredentials.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <fmt/format.h>
#include <sys/socket.h>

#include <cctype>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "net/proxy.h"

namespace tcss::net {

namespace {

constexpr size_t kMaxBody = size_t{16} * 1024 * 1024;
// A kept-alive connection idle longer than this is not reused: servers close idle ones
// (TCSS after about 10 s), and a request written into a closed connection would be lost.
constexpr int64_t kMaxIdleMs = 5000;

using SteadyClock = std::chrono::steady_clock;

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             SteadyClock::now().time_since_epoch())
      .count();
}

// POCO's timeouts bound each socket read, not a call: a server that drips one byte a second
// keeps a read loop alive forever. The watchdog bounds the whole call. While armed it watches
// the deadline and the interrupt flag; when either fires it shuts the socket down, which makes
// the blocked read or write (plain or inside OpenSSL) return at once. Every byte of a call,
// from connect through the proxy's CONNECT and the TLS handshake to the last byte of the
// answer, goes over the one descriptor it guards.
class Watchdog {
 public:
  enum class Cut { kNone, kDeadline, kInterrupt };

  explicit Watchdog(std::function<bool()> interrupted) : interrupted_(std::move(interrupted)) {}
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> l(mu_);
      quit_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  void Arm(int64_t deadline_ms) {
    std::lock_guard<std::mutex> l(mu_);
    if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
    deadline_ms_ = deadline_ms;
    armed_ = true;
    cut_ = Cut::kNone;
    cv_.notify_all();
  }
  // The descriptor to cut; -1 for none. Set before the first byte goes over it.
  void Guard(int fd) {
    std::lock_guard<std::mutex> l(mu_);
    fd_ = fd;
    if (cut_ != Cut::kNone && fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
  }
  // Stops watching; says whether (and why) the socket was cut. After this returns the
  // watchdog touches no descriptor until the next Arm, so the caller may close it.
  Cut Disarm() {
    std::lock_guard<std::mutex> l(mu_);
    armed_ = false;
    return cut_;
  }
  Cut cut() {
    std::lock_guard<std::mutex> l(mu_);
    return cut_;
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> l(mu_);
    while (!quit_) {
      if (!armed_ || cut_ != Cut::kNone) {
        cv_.wait(l);
        continue;
      }
      // Look at the interrupt flag every 50 ms; a signal must not wait for the deadline.
      int64_t wake = std::min(deadline_ms_, SteadyMs() + 50);
      cv_.wait_until(l, SteadyClock::time_point(std::chrono::milliseconds(wake)));
      if (!armed_ || quit_) continue;
      Cut why = SteadyMs() >= deadline_ms_         ? Cut::kDeadline
                : (interrupted_ && interrupted_()) ? Cut::kInterrupt
                                                   : Cut::kNone;
      if (why == Cut::kNone) continue;
      cut_ = why;
      if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
    }
  }

  std::function<bool()> interrupted_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread thread_;
  bool quit_ = false;
  bool armed_ = false;
  int64_t deadline_ms_ = 0;
  int fd_ = -1;
  Cut cut_ = Cut::kNone;
};

// A failure of one attempt, before it is turned into an Error.
struct Failure {
  const char* code;
  std::string message;
};

class PocoTransport : public Transport {
 public:
  PocoTransport(TransportOptions options, Poco::Net::Context::Ptr context,
                std::optional<Poco::Net::HTTPClientSession::ProxyConfig> proxy)
      : options_(std::move(options)),
        context_(std::move(context)),
        proxy_(std::move(proxy)),
        watchdog_(options_.interrupted) {}
  ~PocoTransport() override { Drop(); }

  Result<HttpResponse> Post(const HttpRequest& request, int64_t timeout_ms) override {
    const int64_t start = SteadyMs();
    timeout_ms = std::max<int64_t>(timeout_ms, 1);
    watchdog_.Arm(start + timeout_ms);
    sent_ = false;
    std::optional<Failure> failure;
    Result<HttpResponse> out = TransportError(kNetConnect, "not attempted");
    try {
      out = PostOnce(request, start + timeout_ms);
    } catch (const Poco::TimeoutException& e) {
      failure = Failure{kNetTimeout,
                        "no answer within the time left of --timeout (" + e.displayText() + ")"};
    } catch (const Poco::Net::ConnectionRefusedException& e) {
      failure = Failure{kNetConnect, "connection refused by " + Where()};
    } catch (const Poco::Net::HostNotFoundException& e) {
      failure = Failure{kNetConnect,
                        "cannot resolve " + options_.endpoint.host + " (" + e.displayText() + ")"};
    } catch (const Poco::Net::NoAddressFoundException& e) {
      failure = Failure{kNetConnect,
                        "cannot resolve " + options_.endpoint.host + " (" + e.displayText() + ")"};
    } catch (const Poco::Net::CertificateValidationException& e) {
      failure = Failure{kNetTls, "TLS certificate of " + options_.endpoint.host +
                                     " rejected: " + e.displayText() +
                                     " (check --endpoint, or --ca-file/SSL_CERT_FILE for a "
                                     "private CA)"};
    } catch (const Poco::Net::SSLException& e) {
      failure = Failure{kNetTls, "TLS failure talking to " + options_.endpoint.host + ": " +
                                     e.displayText() +
                                     " (check --endpoint, or --ca-file/SSL_CERT_FILE for a "
                                     "private CA)"};
    } catch (const Poco::Net::ConnectionResetException& e) {
      failure = Failure{kNetReset, "connection reset by " + Where()};
    } catch (const Poco::Net::ConnectionAbortedException& e) {
      failure = Failure{kNetReset, "connection aborted by " + Where()};
    } catch (const Poco::Net::NoMessageException& e) {
      failure = Failure{kNetReset, Where() + " closed the connection without answering"};
    } catch (const Poco::Net::HTTPException& e) {
      failure = Failure{kNetProxy, "HTTP failure with " + Where() + ": " + e.displayText()};
    } catch (const Poco::Net::MessageException& e) {
      failure =
          Failure{kNetReset, "malformed HTTP answer from " + Where() + ": " + e.displayText()};
    } catch (const Poco::Net::NetException& e) {
      failure = Failure{kNetConnect, "network failure with " + Where() + ": " + e.displayText()};
    } catch (const Poco::IOException& e) {
      failure = Failure{kNetReset, "I/O failure with " + Where() + ": " + e.displayText()};
    } catch (const Poco::Exception& e) {
      failure = Failure{kNetConnect, "failure with " + Where() + ": " + e.displayText()};
    } catch (const std::exception& e) {
      failure = Failure{kNetConnect, std::string("failure: ") + e.what()};
    }
    // Whatever the attempt ended with, a cut socket means the deadline or a signal ended it.
    Watchdog::Cut cut = watchdog_.Disarm();
    if (cut != Watchdog::Cut::kNone) {
      Drop();
      double waited = static_cast<double>(SteadyMs() - start) / 1000.0;
      if (cut == Watchdog::Cut::kInterrupt) {
        Error e{ErrorKind::kInterrupted, "", "interrupted", ""};
        e.maybe_delivered = sent_;
        return e;
      }
      failure = Failure{kNetTimeout,
                        fmt::format("no complete answer from {} within the time left of "
                                    "--timeout (waited {:.1f} s{})",
                                    Where(), waited, sent_ ? ", the request had been sent" : "")};
    }
    if (failure) {
      Drop();  // never reuse a connection in an unknown state
      Error e = TransportError(failure->code, failure->message);
      e.maybe_delivered = sent_;
      return e;
    }
    return out;
  }

 private:
  std::string Where() const {
    std::string w = options_.endpoint.scheme + "://" + options_.endpoint.HostHeader();
    if (proxy_) w += " via proxy " + proxy_->host + ":" + std::to_string(proxy_->port);
    return w;
  }

  void Drop() {
    watchdog_.Guard(-1);
    session_.reset();
  }

  static Poco::Timespan Left(int64_t deadline_ms) {
    return Poco::Timespan(std::max<int64_t>(deadline_ms - SteadyMs(), 1) * 1000);
  }

  // A new connection: TCP (to the proxy when there is one), CONNECT through an https proxy,
  // then the TLS handshake with the endpoint's name checked. All on one guarded descriptor.
  void Connect(int64_t deadline_ms) {
    const Url& u = options_.endpoint;
    Poco::Net::SocketAddress address = proxy_ ? Poco::Net::SocketAddress(proxy_->host, proxy_->port)
                                              : Poco::Net::SocketAddress(u.host, u.port);
    Poco::Net::StreamSocket socket(address.family());
    watchdog_.Guard(socket.impl()->sockfd());
    socket.connect(address, Left(deadline_ms));
    socket.setNoDelay(true);
    socket.setReceiveTimeout(Left(deadline_ms));
    socket.setSendTimeout(Left(deadline_ms));
    if (u.scheme == "https") {
      if (proxy_) {
        Poco::Net::HTTPClientSession tunnel(socket);
        Poco::Net::HTTPRequest connect(Poco::Net::HTTPRequest::HTTP_CONNECT, u.Authority(),
                                       Poco::Net::HTTPMessage::HTTP_1_1);
        connect.setHost(u.Authority());
        if (!proxy_->username.empty()) {
          Poco::Net::HTTPBasicCredentials(proxy_->username, proxy_->password)
              .proxyAuthenticate(connect);
        }
        tunnel.sendRequest(connect);
        Poco::Net::HTTPResponse answer;
        tunnel.receiveResponse(answer);
        if (answer.getStatus() != Poco::Net::HTTPResponse::HTTP_OK) {
          throw Poco::Net::HTTPException(
              "the proxy refused the tunnel",
              std::to_string(static_cast<int>(answer.getStatus())) + " " + answer.getReason());
        }
        socket = tunnel.detachSocket();
      }
      Poco::Net::SecureStreamSocket secure =
          Poco::Net::SecureStreamSocket::attach(socket, u.host, context_);
      socket = secure;
    }
    // A plain session over the (possibly TLS) socket: HTTPSClientSession's socket constructor
    // throws for a connected socket, and the session never connects anything itself here.
    session_ = std::make_unique<Poco::Net::HTTPClientSession>(socket);
    session_->setKeepAlive(true);
  }

  // Whether the kept-alive connection can carry another request: recent, and with nothing
  // (not even the EOF of a server that closed it) waiting to be read.
  bool Reusable() {
    if (!session_ || SteadyMs() - last_used_ms_ > kMaxIdleMs) return false;
    try {
      return session_->connected() &&
             !session_->socket().poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ);
    } catch (const Poco::Exception&) {
      return false;
    }
  }

  Result<HttpResponse> PostOnce(const HttpRequest& request, int64_t deadline_ms) {
    if (!Reusable()) {
      Drop();
      Connect(deadline_ms);
    } else {
      watchdog_.Guard(session_->socket().impl()->sockfd());
    }
    auto& s = *session_;
    s.setTimeout(Left(deadline_ms), Left(deadline_ms), Left(deadline_ms));
    const Url& u = options_.endpoint;
    // Through a plain-http proxy the request line carries the absolute URI.
    std::string target =
        proxy_ && u.scheme == "http" ? "http://" + u.HostHeader() + request.target : request.target;
    Poco::Net::HTTPRequest req(request.method, target, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& h : request.headers) {
      if (h.name == "Host") {
        req.setHost(h.value);
      } else {
        req.set(h.name, h.value);
      }
    }
    if (proxy_ && u.scheme == "http" && !proxy_->username.empty()) {
      Poco::Net::HTTPBasicCredentials(proxy_->username, proxy_->password).proxyAuthenticate(req);
    }
    if (request.method != "GET" || !request.body.empty()) {
      req.setContentLength(static_cast<std::streamsize>(request.body.size()));
    }
    req.setKeepAlive(true);
    sent_ = true;  // from here on the service may have received the request
    std::ostream& os = s.sendRequest(req);
    os.write(request.body.data(), static_cast<std::streamsize>(request.body.size()));
    os.flush();
    Poco::Net::HTTPResponse resp;
    std::istream& is = s.receiveResponse(resp);
    HttpResponse out;
    out.status = static_cast<int>(resp.getStatus());
    for (const auto& [name, value] : resp) {
      std::string lower = name;
      for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      out.headers.emplace_back(std::move(lower), value);
    }
    char buf[16384];
    while (is.read(buf, sizeof buf) || is.gcount() > 0) {
      out.body.append(buf, static_cast<size_t>(is.gcount()));
      if (out.body.size() > kMaxBody) {
        throw Poco::IOException("answer larger than 16 MiB");
      }
    }
    if (watchdog_.cut() != Watchdog::Cut::kNone) {
      throw Poco::TimeoutException("cut at the deadline");
    }
    if (resp.hasContentLength() &&
        static_cast<std::streamsize>(out.body.size()) < resp.getContentLength()) {
      throw Poco::IOException(fmt::format("the connection closed mid-answer ({} of {} bytes)",
                                          out.body.size(), resp.getContentLength()));
    }
    last_used_ms_ = SteadyMs();
    if (!resp.getKeepAlive()) Drop();
    return out;
  }

  TransportOptions options_;
  Poco::Net::Context::Ptr context_;
  std::optional<Poco::Net::HTTPClientSession::ProxyConfig> proxy_;
  Watchdog watchdog_;
  std::unique_ptr<Poco::Net::HTTPClientSession> session_;
  int64_t last_used_ms_ = 0;
  bool sent_ = false;
};

}  // namespace

Result<std::unique_ptr<Transport>> MakePocoTransport(const TransportOptions& options) {
  auto proxy = ProxyFor(options.proxy, options.no_proxy, options.endpoint.host);
  if (!proxy.ok()) return proxy.error();
  Poco::Net::Context::Ptr context;
  if (options.endpoint.scheme == "https") {
    try {
      Poco::Net::Context::Params p;
      p.caLocation = options.ca_file;
      p.loadDefaultCAs = options.ca_file.empty();
      p.verificationMode = Poco::Net::Context::VERIFY_STRICT;
      p.cipherList = "HIGH:!aNULL:!eNULL:!MD5:!RC4:!3DES";
      context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, p);
      context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
      context->enableExtendedCertificateVerification(true);
    } catch (const Poco::Exception& e) {
      return UsageError("cannot load the CA file \"" + options.ca_file + "\": " + e.displayText() +
                        " (--ca-file/SSL_CERT_FILE must name a PEM file)");
    }
  }
  return std::unique_ptr<Transport>(
      std::make_unique<PocoTransport>(options, context, std::move(*proxy)));
}

}  // namespace tcss::net
