#include "net/poco_transport.h"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>

#include <optional>

#include "net/proxy.h"

namespace tcss::net {

namespace {

constexpr size_t kMaxBody = size_t{16} * 1024 * 1024;

class PocoTransport : public Transport {
 public:
  PocoTransport(TransportOptions options, Poco::Net::Context::Ptr context,
                std::optional<Poco::Net::HTTPClientSession::ProxyConfig> proxy)
      : options_(std::move(options)), context_(std::move(context)), proxy_(std::move(proxy)) {}

  Result<HttpResponse> Post(const HttpRequest& request, int64_t timeout_ms) override {
    try {
      return PostOnce(request, timeout_ms);
    } catch (const Poco::TimeoutException& e) {
      return Fail(kNetTimeout,
                  "no answer within the time left of --timeout (" + e.displayText() + ")");
    } catch (const Poco::Net::ConnectionRefusedException& e) {
      return Fail(kNetConnect, "connection refused by " + Where());
    } catch (const Poco::Net::HostNotFoundException& e) {
      return Fail(kNetConnect,
                  "cannot resolve " + options_.endpoint.host + " (" + e.displayText() + ")");
    } catch (const Poco::Net::NoAddressFoundException& e) {
      return Fail(kNetConnect,
                  "cannot resolve " + options_.endpoint.host + " (" + e.displayText() + ")");
    } catch (const Poco::Net::CertificateValidationException& e) {
      return Fail(kNetTls, "TLS certificate of " + options_.endpoint.host +
                               " rejected: " + e.displayText() +
                               " (check --endpoint, or --ca-file/SSL_CERT_FILE for a private CA)");
    } catch (const Poco::Net::SSLException& e) {
      return Fail(kNetTls, "TLS failure talking to " + options_.endpoint.host + ": " +
                               e.displayText() +
                               " (check --endpoint, or --ca-file/SSL_CERT_FILE for a private CA)");
    } catch (const Poco::Net::ConnectionResetException& e) {
      return Fail(kNetReset, "connection reset by " + Where());
    } catch (const Poco::Net::ConnectionAbortedException& e) {
      return Fail(kNetReset, "connection aborted by " + Where());
    } catch (const Poco::Net::NoMessageException& e) {
      return Fail(kNetReset, Where() + " closed the connection without answering");
    } catch (const Poco::Net::HTTPException& e) {
      return Fail(kNetProxy, "HTTP failure with " + Where() + ": " + e.displayText());
    } catch (const Poco::Net::MessageException& e) {
      return Fail(kNetReset, "malformed HTTP answer from " + Where() + ": " + e.displayText());
    } catch (const Poco::Net::NetException& e) {
      return Fail(kNetConnect, "network failure with " + Where() + ": " + e.displayText());
    } catch (const Poco::IOException& e) {
      return Fail(kNetReset, "I/O failure with " + Where() + ": " + e.displayText());
    } catch (const Poco::Exception& e) {
      return Fail(kNetConnect, "failure with " + Where() + ": " + e.displayText());
    } catch (const std::exception& e) {
      return Fail(kNetConnect, std::string("failure: ") + e.what());
    }
  }

 private:
  std::string Where() const {
    std::string w = options_.endpoint.scheme + "://" + options_.endpoint.HostHeader();
    if (proxy_) w += " via proxy " + proxy_->host + ":" + std::to_string(proxy_->port);
    return w;
  }

  Result<HttpResponse> Fail(const char* code, const std::string& message) {
    session_.reset();  // never reuse a connection in an unknown state
    return TransportError(code, message);
  }

  Poco::Net::HTTPClientSession& Session() {
    if (!session_) {
      const Url& u = options_.endpoint;
      if (u.scheme == "https") {
        session_ = std::make_unique<Poco::Net::HTTPSClientSession>(u.host, u.port, context_);
      } else {
        session_ = std::make_unique<Poco::Net::HTTPClientSession>(u.host, u.port);
      }
      if (proxy_) session_->setProxyConfig(*proxy_);
      session_->setKeepAlive(true);
    }
    return *session_;
  }

  Result<HttpResponse> PostOnce(const HttpRequest& request, int64_t timeout_ms) {
    auto& s = Session();
    Poco::Timespan t(std::max<int64_t>(timeout_ms, 1) * 1000);
    s.setTimeout(t, t, t);
    Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, "/",
                               Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& h : request.headers) {
      if (h.name == "Host") {
        req.setHost(h.value);
      } else {
        req.set(h.name, h.value);
      }
    }
    req.setContentLength(static_cast<std::streamsize>(request.body.size()));
    req.setKeepAlive(true);
    std::ostream& os = s.sendRequest(req);
    os.write(request.body.data(), static_cast<std::streamsize>(request.body.size()));
    os.flush();
    Poco::Net::HTTPResponse resp;
    std::istream& is = s.receiveResponse(resp);
    HttpResponse out;
    out.status = static_cast<int>(resp.getStatus());
    char buf[16384];
    while (is.read(buf, sizeof buf) || is.gcount() > 0) {
      out.body.append(buf, static_cast<size_t>(is.gcount()));
      if (out.body.size() > kMaxBody)
        return Fail(kNetReset, "answer larger than 16 MiB from " + Where());
    }
    if (resp.hasContentLength() &&
        static_cast<std::streamsize>(out.body.size()) < resp.getContentLength()) {
      return Fail(kNetReset, "the connection to " + Where() + " closed mid-answer (" +
                                 std::to_string(out.body.size()) + " of " +
                                 std::to_string(resp.getContentLength()) + " bytes)");
    }
    if (!resp.getKeepAlive()) session_.reset();
    return out;
  }

  TransportOptions options_;
  Poco::Net::Context::Ptr context_;
  std::optional<Poco::Net::HTTPClientSession::ProxyConfig> proxy_;
  std::unique_ptr<Poco::Net::HTTPClientSession> session_;
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
