// Endpoint URLs and proxy settings, parsed and checked without touching the network.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace tcss {

struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;    // without brackets for IPv6
  uint16_t port = 0;
  bool explicit_port = false;
  std::string user;
  std::string password;
  // The Host header value: host, plus ":port" when the port is not the scheme's default.
  std::string HostHeader() const;
  // host:port, always with the port (a CONNECT request's target).
  std::string Authority() const;
};

// user and password are percent-decoded (RFC 3986), so "p%40ss" is the password "p@ss".
// Errors never repeat the userinfo.
Result<Url> ParseUrl(std::string_view text);
// RFC 3986 percent-encoding: unreserved characters (and '/' when `keep_slash`) stay, every
// other byte becomes %XX. Decoding refuses a '%' that does not start two hex digits.
std::string PercentEncode(std::string_view s, bool keep_slash);
Result<std::string> PercentDecode(std::string_view s);

// `url` with any userinfo ("user:password@") replaced by "***@": for messages.
std::string RedactUserinfo(std::string_view url);
bool IsLoopbackHost(std::string_view host);

// A URL that is fetched as given (GitHub's OIDC request URL, the CVM metadata service): the
// endpoint part and the request target (path and query; "/" when empty; the fragment dropped).
struct RequestUrl {
  Url url;
  std::string target;
};
Result<RequestUrl> ParseRequestUrl(std::string_view text);

// Endpoints: https anywhere; http only on loopback; no path beyond "/", no query.
Result<Url> ParseEndpoint(std::string_view text);

// Whether NO_PROXY (comma-separated hosts, ".suffix" or "suffix" domains, "*") exempts host.
bool NoProxyMatches(std::string_view no_proxy, std::string_view host);

}  // namespace tcss
