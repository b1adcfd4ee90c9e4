#include "core/url.h"

#include "core/text.h"

#include <algorithm>
#include <cctype>

namespace tcss {

using text::Lower;
using text::Trim;

std::string Url::HostHeader() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  bool default_port = (scheme == "https" && port == 443) || (scheme == "http" && port == 80);
  if (!default_port) h += ":" + std::to_string(port);
  return h;
}

Result<Url> ParseUrl(std::string_view text) {
  auto fail = [&](const std::string& why) {
    return UsageError("invalid URL \"" + std::string(text) + "\": " + why);
  };
  Url u;
  size_t sep = text.find("://");
  if (sep == std::string_view::npos) return fail("it needs a scheme, e.g. https://host");
  u.scheme = Lower(text.substr(0, sep));
  if (u.scheme != "http" && u.scheme != "https") return fail("the scheme must be http or https");
  std::string_view rest = text.substr(sep + 3);
  size_t path_at = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path_at);
  std::string_view tail = path_at == std::string_view::npos ? "" : rest.substr(path_at);
  if (!tail.empty() && tail != "/") return fail("it must not have a path, query or fragment");
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    size_t colon = userinfo.find(':');
    u.user = std::string(userinfo.substr(0, colon));
    if (colon != std::string_view::npos) u.password = std::string(userinfo.substr(colon + 1));
    authority = authority.substr(at + 1);
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return fail("unclosed '[' in the host");
    u.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail("unexpected text after the host");
      port_text = after.substr(1);
      u.explicit_port = true;
    }
  } else {
    size_t colon = authority.rfind(':');
    u.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      u.explicit_port = true;
    }
  }
  u.host = Lower(u.host);
  if (u.host.empty()) return fail("the host is missing");
  for (char c : u.host) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
          c == '_'))
      return fail("the host has a character that is not allowed");
  }
  if (u.explicit_port) {
    if (port_text.empty() || port_text.size() > 5) return fail("the port must be 1 to 65535");
    unsigned long p = 0;
    for (char c : port_text) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return fail("the port must be a number");
      p = p * 10 + static_cast<unsigned long>(c - '0');
    }
    if (p == 0 || p > 65535) return fail("the port must be 1 to 65535");
    u.port = static_cast<uint16_t>(p);
  } else {
    u.port = u.scheme == "https" ? 443 : 80;
  }
  return u;
}

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost" || host == "::1") return true;
  // 127.0.0.0/8 in dotted-quad form.
  if (host.substr(0, 4) != "127.") return false;
  int dots = 0;
  int digits = 0;
  for (char c : host) {
    if (c == '.') {
      if (digits == 0) return false;
      ++dots;
      digits = 0;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      if (++digits > 3) return false;
    } else {
      return false;
    }
  }
  return dots == 3 && digits > 0;
}

Result<Url> ParseEndpoint(std::string_view text) {
  auto u = ParseUrl(text);
  if (!u.ok()) {
    return UsageError(u.error().message +
                      " (set --endpoint/TCSS_ENDPOINT to e.g. https://tcss.tencentcloudapi.com)");
  }
  if (!u->user.empty()) return UsageError("the endpoint must not carry credentials");
  if (u->scheme == "http" && !IsLoopbackHost(u->host)) {
    return UsageError(
        "plain http:// is allowed only for loopback endpoints (the emulator); use https:// for \"" +
        u->host + "\"");
  }
  return u;
}

bool NoProxyMatches(std::string_view no_proxy, std::string_view host_in) {
  std::string host = Lower(host_in);
  size_t start = 0;
  while (start <= no_proxy.size()) {
    size_t comma = no_proxy.find(',', start);
    std::string entry = Lower(
        Trim(no_proxy.substr(start, comma == std::string_view::npos ? comma : comma - start)));
    // Drop a port if present (host:port entries match the host).
    if (!entry.empty() && entry.front() != '[') {
      size_t c = entry.find(':');
      if (c != std::string::npos && entry.find(':', c + 1) == std::string::npos) entry.resize(c);
    }
    if (entry == "*") return true;
    if (!entry.empty()) {
      if (entry.front() == '.') entry.erase(0, 1);
      if (host == entry) return true;
      if (host.size() > entry.size() &&
          host.compare(host.size() - entry.size(), entry.size(), entry) == 0 &&
          host[host.size() - entry.size() - 1] == '.')
        return true;
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return false;
}

}  // namespace tcss
