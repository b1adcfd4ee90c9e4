#include "core/reports/purl.h"

#include <algorithm>

#include "core/text.h"
#include "core/url.h"

namespace tcss::reports {

namespace {

std::optional<std::string> Decode(std::string_view s) {
  auto d = PercentDecode(s);
  if (!d.ok()) return std::nullopt;
  return *d;
}

}  // namespace

std::optional<Purl> ParsePurl(std::string_view text) {
  constexpr std::string_view kScheme = "pkg:";
  if (text.size() <= kScheme.size() || text::Lower(text.substr(0, 4)) != kScheme)
    return std::nullopt;
  std::string_view rest = text.substr(kScheme.size());
  while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);  // "pkg://" is tolerated
  if (size_t hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  Purl p;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    for (const auto& pair : text::Split(rest.substr(q + 1), '&')) {
      size_t eq = pair.find('=');
      if (eq == std::string::npos || eq == 0) return std::nullopt;
      auto value = Decode(std::string_view(pair).substr(eq + 1));
      if (!value) return std::nullopt;
      p.qualifiers.emplace_back(text::Lower(pair.substr(0, eq)), *value);
    }
    rest = rest.substr(0, q);
  }
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  p.type = text::Lower(rest.substr(0, slash));
  rest = rest.substr(slash + 1);
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) {
    auto version = Decode(rest.substr(at + 1));
    if (!version) return std::nullopt;
    p.version = *version;
    rest = rest.substr(0, at);
  }
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  size_t last = rest.rfind('/');
  auto name = Decode(last == std::string_view::npos ? rest : rest.substr(last + 1));
  if (!name || name->empty()) return std::nullopt;
  p.name = *name;
  if (last != std::string_view::npos) {
    std::string ns;
    for (const auto& seg : text::Split(rest.substr(0, last), '/')) {
      if (seg.empty()) continue;
      auto d = Decode(seg);
      if (!d) return std::nullopt;
      ns += (ns.empty() ? "" : "/") + *d;
    }
    p.namespace_ = ns;
  }
  return p;
}

std::string OsPackagePrefix(const std::string& component_type, const std::string& os_name) {
  const std::string type = text::Lower(component_type);
  if (type != "system" && type != "system_component" && type != "os") return "";
  const std::string os = text::Lower(os_name);
  struct Known {
    const char* word;
    const char* prefix;
  };
  // The first word found in OsName wins ("Red Hat Enterprise Linux" → redhat).
  static const Known kKnown[] = {
      {"ubuntu", "pkg:deb/ubuntu"},     {"debian", "pkg:deb/debian"},
      {"alpine", "pkg:apk/alpine"},     {"centos", "pkg:rpm/centos"},
      {"red hat", "pkg:rpm/redhat"},    {"redhat", "pkg:rpm/redhat"},
      {"rhel", "pkg:rpm/redhat"},       {"rocky", "pkg:rpm/rocky"},
      {"alma", "pkg:rpm/almalinux"},    {"fedora", "pkg:rpm/fedora"},
      {"amazon", "pkg:rpm/amazon"},     {"oracle", "pkg:rpm/oracle"},
      {"opensuse", "pkg:rpm/opensuse"}, {"tencentos", "pkg:rpm/tencentos"},
      {"tlinux", "pkg:rpm/tencentos"},
  };
  for (const auto& k : kKnown) {
    if (os.find(k.word) != std::string::npos) return k.prefix;
  }
  return "";
}

std::string PackagePurl(const std::string& component_type, const std::string& os_name,
                        const std::string& name, const std::string& version) {
  std::string prefix = OsPackagePrefix(component_type, os_name);
  if (prefix.empty() || name.empty()) return "";
  std::string out = prefix + "/" + PercentEncode(name, false);
  if (!version.empty()) out += "@" + PercentEncode(version, false);
  return out;
}

std::string ImagePurl(const std::string& domain, const std::string& path,
                      const std::string& digest) {
  size_t slash = path.rfind('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  std::string out = "pkg:oci/" + PercentEncode(name, false);
  if (!digest.empty()) out += "@" + PercentEncode(digest, false);
  return out + "?repository_url=" + PercentEncode(domain + "/" + path, false);
}

}  // namespace tcss::reports
