#include "core/image_ref.h"

#include <cctype>

namespace tcss {

namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
bool IsWord(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// path-component := [a-z0-9]+ (separator [a-z0-9]+)*, separator := [_.] | __ | -+
bool ValidPathComponent(std::string_view s) {
  if (s.empty() || !IsLowerAlnum(s.front()) || !IsLowerAlnum(s.back())) return false;
  size_t i = 0;
  while (i < s.size()) {
    if (IsLowerAlnum(s[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < s.size() && !IsLowerAlnum(s[j])) ++j;
    std::string_view sep = s.substr(i, j - i);
    bool dashes = sep.find_first_not_of('-') == std::string_view::npos;
    if (!(sep == "." || sep == "_" || sep == "__" || dashes)) return false;
    i = j;
  }
  return true;
}

// domain := component ('.' component)* [':' port]; component :=
// [a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?
bool ValidDomain(std::string_view s) {
  size_t colon = s.rfind(':');
  std::string_view host = s;
  if (colon != std::string_view::npos) {
    std::string_view port = s.substr(colon + 1);
    if (port.empty() || port.size() > 5) return false;
    for (char c : port)
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    if (std::stoul(std::string(port)) > 65535) return false;
    host = s.substr(0, colon);
  }
  if (host.empty()) return false;
  size_t start = 0;
  while (start <= host.size()) {
    size_t dot = host.find('.', start);
    std::string_view comp =
        host.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (comp.empty()) return false;
    if (!std::isalnum(static_cast<unsigned char>(comp.front())) ||
        !std::isalnum(static_cast<unsigned char>(comp.back())))
      return false;
    for (char c : comp)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

}  // namespace

bool IsImageId(std::string_view s) {
  if (s.size() != 71 || s.substr(0, 7) != "sha256:") return false;
  for (char c : s.substr(7))
    if (!IsHex(c)) return false;
  return true;
}

Result<ImageRef> ParseImageRef(std::string_view text) {
  auto fail = [&](const std::string& why) {
    return UsageError("invalid image reference " + Quoted(text) + ": " + why);
  };
  if (text.empty()) return fail("it is empty; pass a reference such as registry/namespace/app:tag");
  if (text.size() > 512) return fail("it is longer than 512 characters");
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f)
      return fail("it contains whitespace or a non-ASCII character");
  }
  ImageRef ref;
  std::string_view rest = text;
  size_t at = rest.find('@');
  if (at != std::string_view::npos) {
    std::string_view digest = rest.substr(at + 1);
    if (!IsImageId(digest))
      return fail("the digest must be sha256: followed by 64 lower-case hex digits");
    ref.digest = std::string(digest);
    rest = rest.substr(0, at);
  }
  // A tag follows the last ':' that comes after the last '/'.
  size_t slash = rest.rfind('/');
  size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    std::string_view tag = rest.substr(colon + 1);
    if (tag.empty() || tag.size() > 128) return fail("the tag must be 1 to 128 characters");
    if (!IsWord(tag.front())) return fail("the tag must start with a letter, digit or '_'");
    for (char c : tag)
      if (!IsWord(c) && c != '.' && c != '-')
        return fail("the tag may hold only letters, digits, '_', '.' and '-'");
    ref.tag = std::string(tag);
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) return fail("the repository name is missing");
  if (rest.size() > 255) return fail("the repository name is longer than 255 characters");
  // The first component is a registry if it has '.' or ':', is "localhost", or has upper case.
  size_t first_slash = rest.find('/');
  std::string_view path = rest;
  if (first_slash != std::string_view::npos) {
    std::string_view first = rest.substr(0, first_slash);
    bool has_upper = false;
    for (char c : first) has_upper |= (c >= 'A' && c <= 'Z');
    if (first.find('.') != std::string_view::npos || first.find(':') != std::string_view::npos ||
        first == "localhost" || has_upper) {
      if (!ValidDomain(first)) return fail("the registry host " + Quoted(first) + " is not valid");
      ref.domain = std::string(first);
      path = rest.substr(first_slash + 1);
    }
  }
  size_t start = 0;
  while (true) {
    size_t next = path.find('/', start);
    std::string_view comp =
        path.substr(start, next == std::string_view::npos ? next : next - start);
    if (!ValidPathComponent(comp)) {
      for (char c : comp)
        if (c >= 'A' && c <= 'Z')
          return fail("repository names must be lower case (write " + Quoted(comp) +
                      " in lower case)");
      return fail("the repository component " + Quoted(comp) +
                  " must be lower-case letters and digits separated by '.', '_', '__' or '-'");
    }
    if (next == std::string_view::npos) break;
    start = next + 1;
  }
  ref.path = std::string(path);
  if (ref.domain.empty() || ref.domain == "index.docker.io" || ref.domain == "registry-1.docker.io")
    ref.domain = "docker.io";
  if (ref.domain == "docker.io" && ref.path.find('/') == std::string::npos)
    ref.path = "library/" + ref.path;
  // Found by fuzzing: the limit applies to the normalised name, as Docker applies it.
  if (ref.domain.size() + 1 + ref.path.size() > 255) {
    return fail("the repository name is longer than 255 characters once normalised (" + ref.domain +
                "/" + ref.path.substr(0, 20) + "...)");
  }
  return ref;
}

std::string ImageRef::Normalized() const {
  std::string s = domain + "/" + path;
  if (!tag.empty()) {
    s += ":" + tag;
  } else if (digest.empty()) {
    s += ":latest";
  }
  if (!digest.empty()) s += "@" + digest;
  return s;
}

std::string ImageRef::Familiar() const {
  std::string s = Normalized();
  if (domain != "docker.io") return s;
  // Found by fuzzing: "docker.io/a.b/app" must keep its domain, or "a.b" would read as one.
  std::string first = path.substr(0, path.find('/'));
  if (first.find_first_of(".:") != std::string::npos || first == "localhost") return s;
  std::string rest = s.substr(std::string("docker.io/").size());
  const std::string kLibrary = "library/";
  if (rest.compare(0, kLibrary.size(), kLibrary) == 0 &&
      rest.find('/', kLibrary.size()) == std::string::npos) {
    return rest.substr(kLibrary.size());
  }
  return rest;
}

std::string PushedDigest(std::string_view out) {
  const std::string_view kMark = "digest: sha256:";
  std::string found;
  for (size_t at = out.find(kMark); at != std::string_view::npos; at = out.find(kMark, at + 1)) {
    std::string candidate(out.substr(at + kMark.size() - 7, 71));
    if (IsImageId(candidate)) found = candidate;
  }
  return found;
}

}  // namespace tcss
