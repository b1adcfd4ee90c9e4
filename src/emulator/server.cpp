#include "emulator/server.h"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SecureStreamSocketImpl.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/ThreadPool.h>
#include <Poco/Timestamp.h>
#include <Poco/UUIDGenerator.h>

#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/json.h"
#include "core/sts.h"
#include "core/text.h"
#include "emulator/auth.h"
#include "emulator/handlers.h"
#include "emulator/identity.h"
#include "emulator/registry.h"

namespace tcss::emulator {

namespace {

constexpr size_t kMaxBody = size_t{10} * 1024 * 1024;

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The request body as logged: an STS call's OIDC token replaced, so that no log holds it.
std::string RedactWebIdentityToken(const std::string& body) {
  auto parsed = json::ParseObject(body, 8);
  if (!parsed.ok()) return "(not JSON, not kept)";
  json::Reader r;
  std::string token = r.String(*parsed, "WebIdentityToken", false);
  std::string out = body;
  if (token.empty()) return out;
  for (size_t at = out.find(token); at != std::string::npos; at = out.find(token, at)) {
    out.replace(at, token.size(), "REDACTED");
  }
  return out;
}

class Handler : public Poco::Net::HTTPRequestHandler {
 public:
  // `read_done` is called once the request's body has been read.
  Handler(State& state, std::atomic<bool>& stopping, std::function<void()> read_done)
      : state_(state), stopping_(stopping), read_done_(std::move(read_done)) {}

  void handleRequest(Poco::Net::HTTPServerRequest& req,
                     Poco::Net::HTTPServerResponse& resp) override {
    try {
      Handle(req, resp);
    } catch (const Poco::Exception&) {
      // The peer went away or sent something unreadable: close rather than wait for more.
      try {
        static_cast<Poco::Net::HTTPServerRequestImpl&>(req).socket().shutdown();
      } catch (const Poco::Exception&) {
      }
    }
  }

 private:
  void Send(Poco::Net::HTTPServerResponse& resp, int status, const std::string& body,
            const std::string& type = "application/json") {
    resp.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
    resp.setContentType(type);
    resp.setContentLength(static_cast<std::streamsize>(body.size()));
    resp.send() << body;
  }

  void Introspect(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp,
                  const std::string& body) {
    const std::string& uri = req.getURI();
    if (uri == "/_emulator/requests" && req.getMethod() == "GET") {
      std::string out = "{\"Requests\":[";
      bool first = true;
      for (const auto& r : state_.Requests()) {
        json::Writer w;
        w.BeginObject()
            .Int("Seq", r.seq)
            .Int("TimeMs", r.time_ms)
            .String("Action", r.action)
            .String("SecretId", r.secret_id)
            .Int("Status", r.status)
            .String("ErrorCode", r.error_code)
            .BeginObject("Headers");
        for (const auto& [k, v] : r.headers) w.String(k, v);
        w.EndObject().String("Body", r.body).EndObject();
        out += (first ? "" : ",") + w.str();
        first = false;
      }
      Send(resp, 200, out + "]}");
    } else if (uri == "/_emulator/faults" && req.getMethod() == "POST") {
      auto obj = json::ParseObject(body);
      std::vector<std::string> specs;
      if (obj.ok()) {
        json::Reader r;
        auto a = r.Array(*obj, "Faults", true);
        for (size_t i = 0; r.ok && a && i < a->size(); ++i) {
          auto v = a->get(static_cast<unsigned>(i));
          if (v.isString()) specs.push_back(v.extract<std::string>());
        }
      }
      if (specs.empty()) {
        Send(resp, 400, "{\"Error\":\"send {\\\"Faults\\\":[\\\"ACTION:CODE[:COUNT]\\\",...]}\"}");
        return;
      }
      for (const auto& s : specs) {
        std::string why;
        auto f = ParseFault(s, &why);
        if (!f) {
          Send(resp, 400, "{\"Error\":" + json::Quote(s + ": " + why) + "}");
          return;
        }
        state_.AddFault(*f);
      }
      Send(resp, 200, "{\"Added\":" + std::to_string(specs.size()) + "}");
    } else if (uri == "/_emulator/images" && req.getMethod() == "POST") {
      auto images = ParseInventory("POST /_emulator/images", body);
      if (!images.ok()) {
        Send(resp, 400, "{\"Error\":" + json::Quote(images.error().message) + "}");
        return;
      }
      for (const auto& img : *images) state_.AddImage(img);
      Send(resp, 200, "{\"Added\":" + std::to_string(images->size()) + "}");
    } else if (uri == "/_emulator/registry-images" && req.getMethod() == "POST") {
      auto images = ParseRegistryImages("POST /_emulator/registry-images", body);
      if (!images.ok() || !state_.registry()) {
        Send(resp, 400,
             "{\"Error\":" + json::Quote(images.ok() ? "no registry" : images.error().message) +
                 "}");
        return;
      }
      size_t n = images->size();
      state_.registry()->Push(std::move(*images), SteadyMs());
      Send(resp, 200, "{\"Pushed\":" + std::to_string(n) + "}");
    } else if (uri == "/_emulator/reset" && req.getMethod() == "POST") {
      state_.Reset();
      Send(resp, 200, "{\"Reset\":true}");
    } else {
      Send(resp, 404, "{\"Error\":\"unknown emulator endpoint\"}");
    }
  }

  // Sleeps up to `ms`, returning early when the server stops.
  void Nap(int64_t ms) {
    int64_t until = SteadyMs() + ms;
    while (!stopping_.load() && SteadyMs() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  // Returns true when the fault has answered (or dropped) the request.
  bool ApplyFault(const Fault& f, Poco::Net::HTTPServerRequest& req,
                  Poco::Net::HTTPServerResponse& resp, const std::string& request_id,
                  LoggedRequest& log) {
    auto& socket = static_cast<Poco::Net::HTTPServerRequestImpl&>(req).socket();
    const std::string& c = f.code;
    if (c == "DELAY") {
      Nap(f.arg);
      return false;
    }
    log.error_code = c == "HTTP" ? c + std::to_string(f.arg) : c;
    if (c == "HTTP") {
      int status = static_cast<int>(f.arg);
      log.status = status;
      Send(resp, status,
           "<html><head><title>" + std::to_string(status) + "</title></head><body><h1>" +
               std::to_string(status) + " Bad Gateway</h1><hr>tcss-emulator</body></html>",
           "text/html");
    } else if (c == "DROP") {
      socket.shutdown();
    } else if (c == "HANG") {
      Nap(int64_t{600} * 1000);
      socket.shutdown();
    } else if (c == "TRUNCATE") {
      std::string body = Envelope({"", "", "\"TaskID\":\"truncated\""}, request_id);
      resp.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
      resp.setContentType("application/json");
      resp.setContentLength(static_cast<std::streamsize>(body.size()));
      resp.setKeepAlive(false);
      std::ostream& os = resp.send();
      os << body.substr(0, body.size() / 2);
      os.flush();
      socket.shutdown();
    } else if (c.rfind("STATUS", 0) == 0 && c.size() > 6) {
      // A well-formed DescribeAssetImageScanStatus answer with the given Status.
      log.status = 200;
      Send(resp, 200,
           Envelope({"", "",
                     "\"ImageTotal\":1,\"ImageScanCnt\":0,\"Status\":" + json::Quote(c.substr(6)) +
                         ",\"Schedule\":100,\"SuccessCount\":0,\"RiskCount\":0,"
                         "\"LeftSeconds\":0"},
                    request_id));
    } else if (c == "NOENVELOPE") {
      log.status = 200;
      Send(resp, 200, "{\"Result\":{\"TaskID\":\"x\"}}");
    } else if (c == "HALFJSON") {
      // A complete HTTP answer whose JSON stops half-way.
      std::string body = Envelope({"", "", "\"TaskID\":\"half\""}, request_id);
      log.status = 200;
      Send(resp, 200, body.substr(0, body.size() / 2));
    } else if (c == "HUGELIST") {
      // A well-formed list answer of 15 MiB: 1.7 million tiny entries, TotalCount 10^8.
      std::string body = "{\"Response\":{\"TotalCount\":100000000,\"List\":[";
      const std::string entry = "{\"Id\":1},";
      body.reserve(size_t{15} << 20);
      while (body.size() + entry.size() < (size_t{15} << 20) - 100) body += entry;
      body.back() = ']';
      body += ",\"RequestId\":\"" + request_id + "\"}}";
      log.status = 200;
      Send(resp, 200, body);
    } else if (c == "GARBAGE") {
      log.status = 200;
      Send(resp, 200, "<html>this is not JSON</html>", "text/html");
    } else {
      log.status = 200;
      Send(resp, 200, Envelope(ErrorResult(c, "Injected fault " + c + "."), request_id));
    }
    return true;
  }

  void Handle(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) {
    const int64_t now_ms = SteadyMs();
    const int64_t now_unix = WallMs() / 1000;
    std::map<std::string, std::string> headers;
    for (const auto& [k, v] : req) headers[text::Lower(k)] = v;
    // Read at most one byte past the limit, so an oversized body is known without storing it.
    std::string body;
    bool too_large = false;
    bool incomplete = false;
    try {
      std::istream& is = req.stream();
      char buf[65536];
      while (is.read(buf, sizeof buf) || is.gcount() > 0) {
        body.append(buf, static_cast<size_t>(is.gcount()));
        if (body.size() > kMaxBody) {
          too_large = true;
          break;
        }
      }
    } catch (const Poco::TimeoutException&) {
      incomplete = true;  // the body stopped mid-way: answer, then close
    }
    if (read_done_) read_done_();
    if (incomplete || (req.hasContentLength() && !too_large &&
                       static_cast<std::streamsize>(body.size()) < req.getContentLength())) {
      resp.setKeepAlive(false);
      Send(resp, 200,
           Envelope(ErrorResult("InvalidParameter.ParsingError",
                                "The request body ended before Content-Length bytes."),
                    Poco::UUIDGenerator::defaultGenerator().createRandom().toString()));
      return;
    }
    if (req.getMethod() == "GET" && state_.identity()) {
      // The token issuer and the metadata service: their answers carry tokens and keys, so
      // they are not in the request log.
      Identity& id = *state_.identity();
      auto answer = id.Metadata(req.getURI(), now_unix);
      if (!answer) answer = id.Serve(req.getURI(), headers["authorization"], now_unix);
      if (answer) {
        Send(resp, answer->status, answer->body, answer->content_type);
        return;
      }
    }
    if (req.getURI().rfind("/_emulator/", 0) == 0) {
      Introspect(req, resp, body);
      return;
    }
    std::string request_id = Poco::UUIDGenerator::defaultGenerator().createRandom().toString();
    LoggedRequest log;
    log.time_ms = WallMs();
    log.action = headers["x-tc-action"];
    for (const auto& [k, v] : headers) {
      if (k == "x-tc-token") {
        log.headers[k] = "REDACTED";
      } else if (k == "authorization") {
        size_t at = v.find("Signature=");
        log.headers[k] = v == "SKIP"               ? v  // an unsigned STS call: nothing to hide
                         : at == std::string::npos ? "REDACTED"
                                                   : v.substr(0, at) + "Signature=REDACTED";
      } else {
        log.headers[k] = v;
      }
    }
    log.body = too_large                                       ? "(over 10 MB, not kept)"
               : log.action == sts::kAssumeRoleWithWebIdentity ? RedactWebIdentityToken(body)
                                                               : body.substr(0, size_t{64} * 1024);
    log.status = 200;

    std::optional<ApiResult> answer =
        Process(req, resp, headers, body, too_large, now_ms, now_unix, request_id, log);
    if (!answer) {  // a fault answered (or dropped) the request itself
      state_.Log(std::move(log));
      return;
    }
    const ApiResult& result = *answer;
    log.error_code = result.error_code;
    if (too_large) resp.setKeepAlive(false);
    Send(resp, 200, Envelope(result, request_id));
    state_.Log(std::move(log));
  }

  // The API's answer to a request, or nullopt when an injected fault has answered it.
  std::optional<ApiResult> Process(Poco::Net::HTTPServerRequest& req,
                                   Poco::Net::HTTPServerResponse& resp,
                                   std::map<std::string, std::string>& headers,
                                   const std::string& body, bool too_large, int64_t now_ms,
                                   int64_t now_unix, const std::string& request_id,
                                   LoggedRequest& log) {
    if (req.getMethod() != "POST" || req.getURI() != "/") {
      return ErrorResult("UnsupportedProtocol", "Only POST / is supported by this endpoint.");
    }
    if (too_large) {
      return ErrorResult("RequestSizeLimitExceeded", "The request body is larger than 10 MB.");
    }
    const std::string& action = headers["x-tc-action"];
    if (action.empty())
      return ErrorResult("MissingParameter", "The X-TC-Action header is missing.");
    // STS shares the listener: its one action, its own version, called without a signature.
    const bool sts = action == sts::kAssumeRoleWithWebIdentity && state_.identity();
    if (!sts && !IsKnownAction(action)) {
      return ErrorResult("InvalidAction",
                         "The action `" + action.substr(0, 64) + "` does not exist.");
    }
    const std::string want_version = sts ? sts::kVersion : "2020-11-01";
    const std::string& version = headers["x-tc-version"];
    if (version != want_version) {
      return ErrorResult("NoSuchVersion", "The API version `" + version.substr(0, 32) +
                                              "` does not exist; use " + want_version + ".");
    }
    if (sts) {
      if (headers["authorization"] != "SKIP") {
        return ErrorResult("AuthFailure.InvalidAuthorization",
                           "AssumeRoleWithWebIdentity is called without keys: send "
                           "Authorization: SKIP.");
      }
      if (headers["x-tc-region"].empty()) {
        return ErrorResult("MissingParameter", "The X-TC-Region header is missing.");
      }
    } else {
      AuthRequest ar{headers, body, now_unix};
      auto failure = VerifyTc3(
          ar, [&](const std::string& id) { return state_.FindCredential(id); }, &log.secret_id);
      if (failure) return ErrorResult(failure->code, failure->message);
    }
    // The log's time is the admission's, on the limiter's clock: the window holds in the log.
    if (!state_.AdmitRate(action, WallMs, &log.time_ms)) {
      return ErrorResult("RequestLimitExceeded",
                         "Your current request times equals to `20` in a second, which exceeds "
                         "the frequency limit `20` for a second. Please reduce the frequency of "
                         "calls.");
    }
    std::optional<Fault> after;  // a fault that strikes once the request was carried out
    if (auto fault = state_.TakeFault(action)) {
      if (fault->code == "LOSE" || fault->code == "DRIPBODY" || fault->code == "DRIPHEAD") {
        after = fault;
      } else if (ApplyFault(*fault, req, resp, request_id, log)) {
        return std::nullopt;
      }
    }
    auto parsed = json::ParseObject(body, 64);
    ApiResult result = !parsed.ok() ? ErrorResult("InvalidParameter.ParsingError",
                                                  "The request body is not a JSON object: " +
                                                      parsed.error().message.substr(0, 200))
                       : sts ? state_.identity()->AssumeRoleWithWebIdentity(*parsed, now_unix)
                             : HandleAction(state_, action, *parsed, now_ms, now_unix);
    if (!after) return result;
    log.error_code = after->code;
    DeliverBadly(*after, req, resp, Envelope(result, request_id));
    return std::nullopt;
  }

  // The answer to a request that was carried out, lost or dripped (LOSE, DRIPBODY, DRIPHEAD).
  void DeliverBadly(const Fault& f, Poco::Net::HTTPServerRequest& req,
                    Poco::Net::HTTPServerResponse& resp, const std::string& body) {
    auto& socket = static_cast<Poco::Net::HTTPServerRequestImpl&>(req).socket();
    resp.setKeepAlive(false);
    if (f.code == "LOSE") {
      socket.shutdown();
      return;
    }
    std::string head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                       std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
    std::string all = head + body;
    size_t i = 0;
    if (f.code == "DRIPBODY") {
      socket.sendBytes(head.data(), static_cast<int>(head.size()));
      i = head.size();
    }
    for (; i < all.size() && !stopping_.load(); ++i) {
      Nap(f.arg);
      if (socket.sendBytes(all.data() + i, 1) != 1) break;
    }
    socket.shutdown();
  }

 private:
  State& state_;
  std::atomic<bool>& stopping_;
  std::function<void()> read_done_;
};

// POCO's HTTPServerConnection, with one change: a request POCO cannot parse (bytes that are not
// HTTP, a header over its limits) is answered with the API's error envelope and a RequestId,
// as every other malformed request is, instead of a bare 400.
// The open connections, so that Stop() can close idle keep-alive ones at once, and so that a
// client that sends its request too slowly (one byte every few seconds keeps each read inside
// its timeout) is cut off instead of holding a pool thread forever.
class Registry {
 public:
  // A request must arrive whole, headers and body, within this long of its first byte.
  static constexpr int64_t kMaxRequestReadMs = 8000;

  void Add(const Poco::Net::StreamSocket& s) {
    std::lock_guard<std::mutex> l(mu_);
    sockets_.push_back({s, 0});
  }
  void Remove(const Poco::Net::StreamSocket& s) {
    std::lock_guard<std::mutex> l(mu_);
    sockets_.erase(std::remove_if(sockets_.begin(), sockets_.end(),
                                  [&](const Entry& e) { return e.socket == s; }),
                   sockets_.end());
  }
  // Marks `s` as reading a request since now (true) or done reading (false).
  void Reading(const Poco::Net::StreamSocket& s, bool reading) {
    std::lock_guard<std::mutex> l(mu_);
    for (auto& e : sockets_) {
      if (e.socket == s) e.reading_since_ms = reading ? SteadyMs() : 0;
    }
  }
  // Shuts down the connections that have been reading one request for too long.
  void CutSlowReaders() {
    std::lock_guard<std::mutex> l(mu_);
    int64_t now = SteadyMs();
    for (auto& e : sockets_) {
      if (e.reading_since_ms > 0 && now - e.reading_since_ms > kMaxRequestReadMs) {
        e.reading_since_ms = 0;
        try {
          ::shutdown(e.socket.impl()->sockfd(), SHUT_RDWR);
        } catch (const Poco::Exception&) {
        }
      }
    }
  }
  void ShutdownAll() {
    std::lock_guard<std::mutex> l(mu_);
    for (auto& e : sockets_) {
      try {
        // The raw descriptor: a TLS socket's shutdown() would first try to talk TLS to a
        // client that may be stalled mid-request.
        ::shutdown(e.socket.impl()->sockfd(), SHUT_RDWR);
      } catch (const Poco::Exception&) {
      }
    }
  }

 private:
  struct Entry {
    Poco::Net::StreamSocket socket;
    int64_t reading_since_ms;
  };
  std::mutex mu_;
  std::vector<Entry> sockets_;
};

Registry& Connections() {
  static Registry registry;
  return registry;
}

class Connection : public Poco::Net::TCPServerConnection {
 public:
  Connection(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params,
             State& state, std::atomic<bool>& stopping)
      : TCPServerConnection(socket),
        params_(std::move(params)),
        state_(state),
        stopping_(stopping),
        tls_(dynamic_cast<Poco::Net::SecureStreamSocketImpl*>(this->socket().impl()) != nullptr) {
    Connections().Add(this->socket());
  }
  ~Connection() override { Connections().Remove(socket()); }

  void run() override {
    Poco::Net::HTTPServerSession session(socket(), params_);
    while (!stopping_.load() && session.hasMoreRequests()) {
      try {
        // Every HTTP request starts with a method in capitals; anything else (a TLS
        // ClientHello sent to the plain port, binary noise) is answered now, not after POCO
        // has waited for a line end that never comes.
        if (!tls_ && !StartsLikeHttp()) {
          SendError(session, "UnsupportedProtocol",
                    "The request is not HTTP (TLS sent to a plain http:// endpoint?).");
          break;
        }
        Connections().Reading(socket(), true);
        Poco::Net::HTTPServerResponseImpl response(session);
        std::unique_ptr<Poco::Net::HTTPServerRequestImpl> request_ptr;
        try {
          request_ptr =
              std::make_unique<Poco::Net::HTTPServerRequestImpl>(response, session, params_);
        } catch (const Poco::SyntaxException&) {
          // POCO could not read a header value as a number: Content-Length past 2^63.
          SendError(session, "RequestSizeLimitExceeded",
                    "The Content-Length is not a size this endpoint accepts (10 MB at most).");
          break;
        }
        Poco::Net::HTTPServerRequestImpl& request = *request_ptr;
        response.setDate(Poco::Timestamp());
        response.setVersion(request.getVersion());
        response.setKeepAlive(params_->getKeepAlive() && request.getKeepAlive() &&
                              session.canKeepAlive());
        response.set("Server", "tcss-emulator");
        Handler handler(state_, stopping_, [this] { Connections().Reading(socket(), false); });
        handler.handleRequest(request, response);
        Connections().Reading(socket(), false);
        session.setKeepAlive(params_->getKeepAlive() && response.getKeepAlive() &&
                             session.canKeepAlive());
      } catch (const Poco::Net::NoMessageException&) {
        break;
      } catch (const Poco::Net::MessageException& e) {
        const std::string& why = e.message();
        bool too_big =
            why.find("too long") != std::string::npos || why.find("Too many") != std::string::npos;
        SendError(session, too_big ? "RequestSizeLimitExceeded" : "UnsupportedProtocol",
                  too_big ? "The request headers are too large."
                          : "The request is not valid HTTP: " + why.substr(0, 100));
        break;
      } catch (const Poco::Exception&) {
        break;  // the peer went away
      }
    }
  }

 private:
  // Waits for the first byte of the next request and says whether it can start one. Plain
  // sockets only: POCO's TLS socket does not peek (it would consume the byte), and bytes that
  // are not TLS fail the handshake there anyway.
  bool StartsLikeHttp() {
    try {
      char c = 0;
      if (!socket().poll(params_->getKeepAliveTimeout(), Poco::Net::Socket::SELECT_READ)) {
        return true;  // nothing yet: POCO's own keep-alive handling decides
      }
      if (socket().receiveBytes(&c, 1, MSG_PEEK) != 1) return true;
      return c >= 'A' && c <= 'Z';
    } catch (const Poco::Exception&) {
      return true;
    }
  }

  void SendError(Poco::Net::HTTPServerSession& session, const std::string& code,
                 const std::string& message) {
    try {
      std::string body =
          Envelope(ErrorResult(code, message),
                   Poco::UUIDGenerator::defaultGenerator().createRandom().toString());
      Poco::Net::HTTPServerResponseImpl response(session);
      response.setVersion(Poco::Net::HTTPMessage::HTTP_1_1);
      response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_BAD_REQUEST);
      response.setKeepAlive(false);
      response.setContentType("application/json");
      response.setContentLength(static_cast<std::streamsize>(body.size()));
      response.send() << body;
      session.setKeepAlive(false);
    } catch (const Poco::Exception&) {
    }
  }

  Poco::Net::HTTPServerParams::Ptr params_;
  State& state_;
  std::atomic<bool>& stopping_;
  const bool tls_;
};

class ConnectionFactory : public Poco::Net::TCPServerConnectionFactory {
 public:
  ConnectionFactory(Poco::Net::HTTPServerParams::Ptr params, State& state,
                    std::atomic<bool>& stopping)
      : params_(std::move(params)), state_(state), stopping_(stopping) {}
  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& s) override {
    return new Connection(s, params_, state_, stopping_);
  }

 private:
  Poco::Net::HTTPServerParams::Ptr params_;
  State& state_;
  std::atomic<bool>& stopping_;
};

}  // namespace

Server::Server(const Options& options, State& state) : options_(options), state_(state) {}
Server::~Server() { Stop(); }

Status Server::Start() {
  try {
    Poco::Net::SocketAddress addr(options_.host, options_.port);
    std::unique_ptr<Poco::Net::ServerSocket> socket;
    if (!options_.tls_cert.empty()) {
      Poco::Net::Context::Params p;
      p.certificateFile = options_.tls_cert;
      p.privateKeyFile = options_.tls_key;
      p.verificationMode = Poco::Net::Context::VERIFY_NONE;
      Poco::Net::Context::Ptr ctx = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, p);
      ctx->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
      socket = std::make_unique<Poco::Net::SecureServerSocket>(addr, 256, ctx);
    } else {
      socket = std::make_unique<Poco::Net::ServerSocket>(addr, 256);
    }
    port_ = socket->address().port();
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(64);
    params->setMaxQueued(1024);
    params->setKeepAlive(true);
    params->setMaxKeepAliveRequests(0);
    params->setKeepAliveTimeout(Poco::Timespan(10, 0));
    params->setTimeout(Poco::Timespan(5, 0));
    pool_ = std::make_unique<Poco::ThreadPool>(4, 64);
    server_ = std::make_unique<Poco::Net::TCPServer>(
        new ConnectionFactory(params, state_, stopping_), *pool_, *socket, params);
    server_->start();
    reaper_ = std::thread([this] {
      while (!stopping_.load()) {
        Connections().CutSlowReaders();
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
      }
    });
  } catch (const Poco::Exception& e) {
    return UsageError("cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                      ": " + e.displayText());
  }
  return OkStatus();
}

std::string Server::Url() const {
  std::string host =
      options_.host.find(':') != std::string::npos ? "[" + options_.host + "]" : options_.host;
  return (options_.tls_cert.empty() ? "http://" : "https://") + host + ":" + std::to_string(port_);
}

void Server::Stop() {
  stopping_.store(true);
  if (reaper_.joinable()) reaper_.join();
  if (server_) {
    server_->stop();
    Connections().ShutdownAll();
    server_.reset();
  }
  if (pool_) {
    pool_->joinAll();
    pool_.reset();
  }
}

}  // namespace tcss::emulator
