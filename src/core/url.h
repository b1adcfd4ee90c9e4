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
};

Result<Url> ParseUrl(std::string_view text);
bool IsLoopbackHost(std::string_view host);

// Endpoints: https anywhere; http only on loopback; no path beyond "/", no query.
Result<Url> ParseEndpoint(std::string_view text);

// Whether NO_PROXY (comma-separated hosts, ".suffix" or "suffix" domains, "*") exempts host.
bool NoProxyMatches(std::string_view no_proxy, std::string_view host);

}  // namespace tcss
