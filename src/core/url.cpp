#include "core/url.h"

#include "core/text.h"

#include <arpa/inet.h>

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

std::string Url::Authority() const {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
         std::to_string(port);
}

std::string RedactUserinfo(std::string_view url) {
  size_t sep = url.find("://");
  size_t start = sep == std::string_view::npos ? 0 : sep + 3;
  size_t end = url.find_first_of("/?#", start);
  size_t at = url.substr(0, end).rfind('@');
  if (at == std::string_view::npos || at < start) return std::string(url);
  return std::string(url.substr(0, start)) + "***" + std::string(url.substr(at));
}

std::string PercentEncode(std::string_view s, bool keep_slash) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
        (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

Result<std::string> PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      return UsageError("a '%' must start an escape like %40");
    }
    out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
    i += 2;
  }
  return out;
}

Result<Url> ParseUrl(std::string_view text) {
  const std::string shown = RedactUserinfo(text);
  auto fail = [&](const std::string& why) {
    return UsageError("invalid URL \"" + shown + "\": " + why);
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
    auto user = PercentDecode(userinfo.substr(0, colon));
    auto password = PercentDecode(colon == std::string_view::npos ? std::string_view()
                                                                  : userinfo.substr(colon + 1));
    if (!user.ok()) return fail("the user: " + user.error().message);
    if (!password.ok()) return fail("the password: " + password.error().message);
    u.user = *user;
    u.password = *password;
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

Result<RequestUrl> ParseRequestUrl(std::string_view text) {
  size_t sep = text.find("://");
  size_t path_at =
      sep == std::string_view::npos ? std::string_view::npos : text.find_first_of("/?#", sep + 3);
  RequestUrl out;
  auto u = ParseUrl(text.substr(0, path_at));
  if (!u.ok()) return u.error();
  out.url = *u;
  std::string_view tail = path_at == std::string_view::npos ? "" : text.substr(path_at);
  tail = tail.substr(0, tail.find('#'));
  out.target = tail.empty() || tail.front() == '?' ? "/" + std::string(tail) : std::string(tail);
  for (char c : out.target) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      return UsageError("invalid URL \"" + RedactUserinfo(text) +
                        "\": the path or query has a space or a character that is not ASCII");
    }
  }
  return out;
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

namespace {

// An IP address as bytes (4 or 16), or empty when `s` is not an IP literal.
std::string IpBytes(const std::string& s) {
  unsigned char buf[16];
  if (inet_pton(AF_INET, s.c_str(), buf) == 1) return std::string(reinterpret_cast<char*>(buf), 4);
  if (inet_pton(AF_INET6, s.c_str(), buf) == 1) {
    return std::string(reinterpret_cast<char*>(buf), 16);
  }
  return "";
}

// Whether `ip` (bytes) lies in "ADDR/BITS" or equals "ADDR".
bool InRange(const std::string& ip, const std::string& entry) {
  size_t slash = entry.find('/');
  std::string net = IpBytes(entry.substr(0, slash));
  if (net.empty() || net.size() != ip.size()) return false;
  size_t bits = net.size() * 8;
  if (slash != std::string::npos) {
    std::string b = entry.substr(slash + 1);
    if (b.empty() || b.size() > 3 ||
        !std::all_of(b.begin(), b.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
      return false;
    }
    bits = std::stoul(b);
    if (bits > net.size() * 8) return false;
  }
  for (size_t i = 0; i < bits; ++i) {
    unsigned mask = 0x80u >> (i % 8);
    if ((static_cast<unsigned char>(ip[i / 8]) & mask) !=
        (static_cast<unsigned char>(net[i / 8]) & mask)) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool NoProxyMatches(std::string_view no_proxy, std::string_view host_in) {
  std::string host = Lower(host_in);
  // An IP address matches an equal address or a CIDR range, never a domain suffix ("0.1" must
  // not match 127.0.0.1).
  const std::string ip = IpBytes(host);
  size_t start = 0;
  while (start <= no_proxy.size()) {
    size_t comma = no_proxy.find(',', start);
    std::string entry = Lower(
        Trim(no_proxy.substr(start, comma == std::string_view::npos ? comma : comma - start)));
    if (!entry.empty() && entry.front() == '[') {  // [::1] or [::1]:port
      size_t close = entry.find(']');
      entry = close == std::string::npos ? "" : entry.substr(1, close - 1);
    } else if (!entry.empty()) {
      // Drop a port if present (host:port entries match the host); IPv6 keeps its colons.
      size_t c = entry.find(':');
      if (c != std::string::npos && entry.find(':', c + 1) == std::string::npos) entry.resize(c);
    }
    if (entry == "*") return true;
    if (!entry.empty()) {
      if (!ip.empty()) {
        if (InRange(ip, entry)) return true;
      } else {
        if (entry.front() == '.') entry.erase(0, 1);
        if (host == entry) return true;
        if (host.size() > entry.size() &&
            host.compare(host.size() - entry.size(), entry.size(), entry) == 0 &&
            host[host.size() - entry.size() - 1] == '.')
          return true;
      }
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return false;
}

}  // namespace tcss
