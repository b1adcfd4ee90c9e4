#include "net/proxy.h"

#include "core/url.h"

namespace tcss::net {

Result<std::optional<Poco::Net::HTTPClientSession::ProxyConfig>> ProxyFor(
    const std::string& proxy, const std::string& no_proxy, const std::string& target_host) {
  using Config = Poco::Net::HTTPClientSession::ProxyConfig;
  if (proxy.empty() || NoProxyMatches(no_proxy, target_host)) return std::optional<Config>();
  auto url = ParseUrl(proxy.find("://") == std::string::npos ? "http://" + proxy : proxy);
  if (!url.ok() || url->scheme != "http") {
    return UsageError("the proxy \"" + RedactUserinfo(proxy) + "\" is not an http://host:port URL");
  }
  Config cfg;
  cfg.host = url->host;
  cfg.port = url->explicit_port ? url->port : 80;
  cfg.username = url->user;
  cfg.password = url->password;
  // POCO sends "Proxy-Authorization: Basic Og==" unless told there is no authentication.
  cfg.authMethod = url->user.empty() ? Poco::Net::HTTPClientSession::PROXY_AUTH_NONE
                                     : Poco::Net::HTTPClientSession::PROXY_AUTH_HTTP_BASIC;
  return std::optional<Config>(cfg);
}

}  // namespace tcss::net
