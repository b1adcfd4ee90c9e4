#include "core/reports/vex.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>

#include "core/image_ref.h"
#include "core/json.h"
#include "core/reports/model.h"
#include "core/reports/purl.h"
#include "core/text.h"

namespace tcss::reports {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr const char* kStatuses[] = {"not_affected", "affected", "fixed", "under_investigation"};
constexpr const char* kJustifications[] = {
    "component_not_present", "vulnerable_code_not_present", "vulnerable_code_not_in_execute_path",
    "vulnerable_code_cannot_be_controlled_by_adversary", "inline_mitigations_already_exist"};

// A value from the file, safe and short enough for a message.
std::string Shown(const std::string& s) {
  return "\"" + text::TruncateUtf8(text::OneLine(text::ValidUtf8(s)), 60) + "\"";
}

std::string DidYouMean(const std::string& word, const std::vector<std::string>& options) {
  std::string near = text::Closest(word, options);
  return near.empty() ? "" : " (did you mean " + near + "?)";
}

bool IsObject(const Poco::Dynamic::Var& v) { return v.type() == typeid(Object::Ptr); }
bool IsArray(const Poco::Dynamic::Var& v) { return v.type() == typeid(Array::Ptr); }

// Reads one document, remembering the first thing wrong as "JSONPATH: what".
class Reader {
 public:
  std::string error;

  bool Fail(const std::string& path, const std::string& what) {
    if (error.empty()) error = path + ": " + what;
    return false;
  }
  // A string member; `present` false when absent (an error when `required`).
  std::optional<std::string> String(const Object::Ptr& o, const std::string& key,
                                    const std::string& path, bool required) {
    if (!o->has(key) || o->get(key).isEmpty()) {
      if (required) Fail(path, "missing");
      return std::nullopt;
    }
    const auto& v = o->get(key);
    if (!v.isString()) {
      Fail(path, "must be a string");
      return std::nullopt;
    }
    return v.extract<std::string>();
  }
  std::optional<int64_t> Time(const Object::Ptr& o, const std::string& key,
                              const std::string& path) {
    auto s = String(o, key, path, false);
    if (!s) return std::nullopt;
    auto t = ParseRfc3339(*s);
    if (!t) Fail(path, Shown(*s) + " is not an RFC 3339 date-time (2024-01-02T03:04:05Z)");
    return t;
  }
  // The identifiers of a product or subcomponent: a string (v0.0.1) or an object with @id,
  // identifiers.purl and hashes.sha-256.
  std::vector<std::string> Identifiers(const Poco::Dynamic::Var& v, const std::string& path) {
    std::vector<std::string> ids;
    if (v.isString()) {
      ids.push_back(v.extract<std::string>());
      return ids;
    }
    if (!IsObject(v)) {
      Fail(path, "must be an object with an @id");
      return ids;
    }
    auto o = v.extract<Object::Ptr>();
    if (auto id = String(o, "@id", path + "[\"@id\"]", false)) ids.push_back(*id);
    if (o->has("identifiers")) {
      const auto& idv = o->get("identifiers");
      if (!IsObject(idv)) {
        Fail(path + ".identifiers", "must be an object");
      } else if (auto purl = String(idv.extract<Object::Ptr>(), "purl", path + ".identifiers.purl",
                                    false)) {
        ids.push_back(*purl);
      }
    }
    if (o->has("hashes")) {
      const auto& hv = o->get("hashes");
      if (!IsObject(hv)) {
        Fail(path + ".hashes", "must be an object");
      } else if (auto sha = String(hv.extract<Object::Ptr>(), "sha-256",
                                   path + ".hashes[\"sha-256\"]", false)) {
        ids.push_back("sha256:" + text::Lower(*sha));
      }
    }
    if (ids.empty() && error.empty()) Fail(path, "names nothing: give an @id (a purl or digest)");
    return ids;
  }
  // Subcomponents: an array of identifiers.
  std::vector<std::vector<std::string>> Subcomponents(const Object::Ptr& o,
                                                      const std::string& path) {
    std::vector<std::vector<std::string>> out;
    if (!o->has("subcomponents") || o->get("subcomponents").isEmpty()) return out;
    const auto& v = o->get("subcomponents");
    if (!IsArray(v)) {
      Fail(path + ".subcomponents", "must be an array");
      return out;
    }
    auto a = v.extract<Array::Ptr>();
    for (size_t i = 0; i < a->size(); ++i) {
      out.push_back(Identifiers(a->get(static_cast<unsigned>(i)),
                                fmt::format("{}.subcomponents[{}]", path, i)));
    }
    return out;
  }
};

std::string Upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
bool SameText(const std::string& a, const std::string& b) {
  return text::Lower(a) == text::Lower(b);
}

// What a product ID can be compared with: each reference the image was scanned as, and its
// digests (manifest digest, image ID).
struct ImageIdentity {
  struct Ref {
    std::string name;  // the repository's last part, lower case
    std::vector<std::string> repository_urls;
    std::string tag;
    std::string normalized;
  };
  std::vector<Ref> refs;
  std::vector<std::string> digests;
};

ImageIdentity IdentityOf(const ImageFindings& img) {
  ImageIdentity id;
  if (IsImageId(img.image_id)) id.digests.push_back(img.image_id);
  if (IsImageId(img.digest)) id.digests.push_back(img.digest);
  for (const auto& r : text::Split(img.reference, ',')) {
    auto parsed = ParseImageRef(text::Trim(r));
    if (!parsed.ok()) continue;
    ImageIdentity::Ref ref;
    size_t slash = parsed->path.rfind('/');
    ref.name =
        text::Lower(slash == std::string::npos ? parsed->path : parsed->path.substr(slash + 1));
    ref.tag = parsed->tag;
    ref.normalized = parsed->Normalized();
    ref.repository_urls.push_back(text::Lower(parsed->domain + "/" + parsed->path));
    if (parsed->domain == "docker.io") {
      // Docker Hub under the names tools write for it.
      for (const char* host :
           {"index.docker.io/", "registry-1.docker.io/", "registry.hub.docker.com/"})
        ref.repository_urls.push_back(host + text::Lower(parsed->path));
      const std::string kLibrary = "library/";
      if (parsed->path.rfind(kLibrary, 0) == 0)
        ref.repository_urls.push_back("docker.io/" +
                                      text::Lower(parsed->path.substr(kLibrary.size())));
    }
    if (!parsed->digest.empty()) id.digests.push_back(parsed->digest);
    id.refs.push_back(std::move(ref));
  }
  return id;
}

bool ProductMatches(const std::string& product, const ImageIdentity& img) {
  const auto has_digest = [&](const std::string& d) {
    return std::any_of(img.digests.begin(), img.digests.end(),
                       [&](const std::string& x) { return SameText(x, d); });
  };
  if (auto purl = ParsePurl(product)) {
    if (purl->type != "oci") return false;
    if (!purl->version.empty() && !has_digest(purl->version)) return false;
    for (const auto& ref : img.refs) {
      if (!SameText(purl->name, ref.name)) continue;
      bool all = true;
      for (const auto& [key, value] : purl->qualifiers) {
        if (key == "arch") continue;  // TCSS names no architecture
        if (key == "repository_url") {
          std::string want = text::Lower(value);
          while (!want.empty() && want.back() == '/') want.pop_back();
          all = std::find(ref.repository_urls.begin(), ref.repository_urls.end(), want) !=
                ref.repository_urls.end();
        } else if (key == "tag") {
          all = value == ref.tag;
        } else {
          all = false;  // a qualifier TCSS cannot confirm
        }
        if (!all) break;
      }
      if (all) return true;
    }
    return false;
  }
  if (IsImageId(text::Lower(product))) return has_digest(product);
  auto ref = ParseImageRef(product);
  if (!ref.ok()) return false;
  if (!ref->digest.empty() && !has_digest(ref->digest)) return false;
  const std::string normalized = ref->Normalized();
  return std::any_of(img.refs.begin(), img.refs.end(), [&](const ImageIdentity::Ref& r) {
    return r.normalized == normalized ||
           (!ref->digest.empty() && ref->tag.empty() &&
            r.repository_urls.front() == text::Lower(ref->domain + "/" + ref->path));
  });
}

bool SubcomponentMatches(const std::string& id, const VulnFinding& v,
                         const std::optional<Purl>& package) {
  if (auto p = ParsePurl(id)) {
    const bool version_ok = p->version.empty() || p->version == v.version;
    if (package) {
      return p->type == package->type &&
             (p->namespace_.empty() || SameText(p->namespace_, package->namespace_)) &&
             SameText(p->name, package->name) && version_ok;
    }
    // No purl for the package (TCSS names no ecosystem): its name, whatever the type.
    const bool name_ok =
        SameText(p->name, v.component) ||
        (!p->namespace_.empty() && (SameText(p->namespace_ + "/" + p->name, v.component) ||
                                    SameText(p->namespace_ + ":" + p->name, v.component)));
    return name_ok && version_ok;
  }
  return SameText(id, v.component) || SameText(id, v.component + "@" + v.version);
}

// days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

}  // namespace

std::optional<int64_t> ParseRfc3339(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)
  auto digits = [&](size_t at, size_t n) -> std::optional<int64_t> {
    if (at + n > s.size()) return std::nullopt;
    int64_t v = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' ||
      (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
    return std::nullopt;
  auto y = digits(0, 4), mo = digits(5, 2), d = digits(8, 2), h = digits(11, 2), mi = digits(14, 2),
       se = digits(17, 2);
  if (!y || !mo || !d || !h || !mi || !se) return std::nullopt;
  if (*mo < 1 || *mo > 12 || *d < 1 || *d > 31 || *h > 23 || *mi > 59 || *se > 60)
    return std::nullopt;
  size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return std::nullopt;
  }
  int64_t offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    auto oh = digits(i + 1, 2), om = digits(i + 4, 2);
    if (!oh || !om || i + 3 >= s.size() || s[i + 3] != ':' || *oh > 23 || *om > 59)
      return std::nullopt;
    offset = (*oh * 60 + *om) * 60 * (s[i] == '+' ? 1 : -1);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  return DaysFromCivil(*y, *mo, *d) * 86400 + *h * 3600 + *mi * 60 + *se - offset;
}

Result<std::vector<VexStatement>> ParseVex(const std::string& path, std::string_view text,
                                           size_t first_order, std::vector<std::string>* warnings) {
  const std::string kAbout =
      "tcss-scan reads OpenVEX documents (https://github.com/openvex/spec), as written by "
      "vexctl";
  auto fail = [&](const std::string& what) {
    return UsageError(fmt::format("VEX file {}: {}", path, what));
  };
  if (text.size() > kMaxVexBytes) {
    return fail(
        fmt::format("larger than {} MiB; split it into several --vex files", kMaxVexBytes >> 20));
  }
  auto parsed = json::ParseObject(text, 64, 2000000);
  if (!parsed.ok()) {
    std::string where = json::SyntaxErrorPosition(text);
    return fail(where.empty() ? parsed.error().message + "; " + kAbout
                              : "not JSON (" + where + "); " + kAbout);
  }
  const Object::Ptr& doc = *parsed;
  // Other VEX formats, named so that the way forward is clear.
  if (doc->has("bomFormat") || doc->has("specVersion")) {
    return fail("a CycloneDX document; " + kAbout +
                " (CycloneDX VEX is not read: state the same as OpenVEX statements)");
  }
  if (doc->has("document") && IsObject(doc->get("document"))) {
    return fail("a CSAF document; " + kAbout +
                " (CSAF VEX is not read: state the same as "
                "OpenVEX statements)");
  }
  Reader r;
  auto context = r.String(doc, "@context", "$[\"@context\"]", true);
  if (!context)
    return fail(r.error +
                " (an OpenVEX document starts with \"@context\": "
                "\"https://openvex.dev/ns/v0.2.0\"); " +
                kAbout);
  if (context->rfind("https://openvex.dev/ns", 0) != 0) {
    return fail("$[\"@context\"]: " + Shown(*context) +
                " is not an OpenVEX context (https://openvex.dev/ns/v0.2.0); " + kAbout);
  }
  r.String(doc, "@id", "$[\"@id\"]", false);  // tolerated when missing (trivy's examples)
  const int64_t doc_time = r.Time(doc, "timestamp", "$.timestamp").value_or(0);
  if (!r.error.empty()) return fail(r.error);
  if (!doc->has("statements") || !IsArray(doc->get("statements"))) {
    return fail("$.statements: " +
                std::string(doc->has("statements") ? "must be an array" : "missing"));
  }
  auto statements = doc->getArray("statements");
  if (statements->size() == 0) return fail("$.statements: empty (a document states something)");
  std::vector<VexStatement> out;
  out.reserve(statements->size());
  for (size_t i = 0; i < statements->size(); ++i) {
    const std::string at = fmt::format("$.statements[{}]", i);
    const auto& sv = statements->get(static_cast<unsigned>(i));
    if (!IsObject(sv)) return fail(at + ": must be an object");
    auto s = sv.extract<Object::Ptr>();
    VexStatement st;
    st.document = path;
    st.order = first_order + i;
    st.document_timestamp = doc_time;
    // vulnerability: {name, @id, aliases} (v0.2.0), or a string (v0.0.1).
    if (!s->has("vulnerability")) return fail(at + ".vulnerability: missing");
    const auto& vv = s->get("vulnerability");
    if (vv.isString()) {
      st.vulnerability.push_back(Upper(vv.extract<std::string>()));
    } else if (IsObject(vv)) {
      auto vo = vv.extract<Object::Ptr>();
      if (auto name = r.String(vo, "name", at + ".vulnerability.name", true))
        st.vulnerability.push_back(Upper(*name));
      if (auto id = r.String(vo, "@id", at + ".vulnerability[\"@id\"]", false))
        st.vulnerability.push_back(Upper(*id));
      if (vo->has("aliases")) {
        const auto& av = vo->get("aliases");
        if (!IsArray(av)) return fail(at + ".vulnerability.aliases: must be an array of strings");
        auto a = av.extract<Array::Ptr>();
        for (size_t k = 0; k < a->size(); ++k) {
          const auto& e = a->get(static_cast<unsigned>(k));
          if (!e.isString())
            return fail(fmt::format("{}.vulnerability.aliases[{}]: must be a string", at, k));
          st.vulnerability.push_back(Upper(e.extract<std::string>()));
        }
      }
    } else {
      return fail(at + ".vulnerability: must be an object with a name");
    }
    if (!r.error.empty()) return fail(r.error);
    if (st.vulnerability.empty() || st.vulnerability.front().empty())
      return fail(at + ".vulnerability.name: empty");
    // status, and why.
    auto status = r.String(s, "status", at + ".status", true);
    if (!status) return fail(r.error);
    if (std::none_of(std::begin(kStatuses), std::end(kStatuses),
                     [&](const char* k) { return *status == k; })) {
      return fail(at + ".status: " + Shown(*status) +
                  " is not one of not_affected, affected, fixed, under_investigation" +
                  DidYouMean(*status, {std::begin(kStatuses), std::end(kStatuses)}));
    }
    st.status = *status;
    auto justification = r.String(s, "justification", at + ".justification", false);
    auto impact = r.String(s, "impact_statement", at + ".impact_statement", false);
    if (!r.error.empty()) return fail(r.error);
    if (justification && std::none_of(std::begin(kJustifications), std::end(kJustifications),
                                      [&](const char* k) { return *justification == k; })) {
      return fail(at + ".justification: " + Shown(*justification) +
                  " is not one of component_not_present, vulnerable_code_not_present, "
                  "vulnerable_code_not_in_execute_path, "
                  "vulnerable_code_cannot_be_controlled_by_adversary, "
                  "inline_mitigations_already_exist");
    }
    if (st.status == "not_affected" && !justification && !impact) {
      return fail(at + ": status not_affected needs a justification or an impact_statement");
    }
    st.reason = justification ? *justification : impact.value_or("");
    if (justification && impact) st.reason += ": " + *impact;
    st.reason = text::TruncateUtf8(text::OneLine(text::ValidUtf8(st.reason)), 500);
    st.timestamp = r.Time(s, "timestamp", at + ".timestamp").value_or(doc_time);
    if (!r.error.empty()) return fail(r.error);
    // products (objects in v0.2.0, strings in v0.0.1, whose subcomponents sit beside them).
    std::vector<std::vector<std::string>> shared_subs;
    if (s->has("subcomponents")) shared_subs = r.Subcomponents(s, at);
    if (s->has("products") && !s->get("products").isEmpty()) {
      const auto& pv = s->get("products");
      if (!IsArray(pv)) return fail(at + ".products: must be an array");
      auto products = pv.extract<Array::Ptr>();
      for (size_t k = 0; k < products->size(); ++k) {
        const std::string pat = fmt::format("{}.products[{}]", at, k);
        const auto& p = products->get(static_cast<unsigned>(k));
        VexProduct product;
        product.ids = r.Identifiers(p, pat);
        if (IsObject(p)) product.subcomponents = r.Subcomponents(p.extract<Object::Ptr>(), pat);
        for (const auto& sub : shared_subs) product.subcomponents.push_back(sub);
        st.products.push_back(std::move(product));
      }
    }
    if (!r.error.empty()) return fail(r.error);
    if (st.products.empty() && warnings) {
      warnings->push_back(fmt::format(
          "VEX file {}: {} names no product, so it applies to no image (name the image as "
          "pkg:oci/NAME, with @sha256:DIGEST to pin it)",
          path, at));
    }
    out.push_back(std::move(st));
  }
  return out;
}

size_t ApplyVex(Findings& f, const std::vector<VexStatement>& statements) {
  if (statements.empty()) return 0;
  std::map<std::string, std::vector<size_t>> by_vulnerability;
  for (size_t i = 0; i < statements.size(); ++i) {
    for (const auto& id : statements[i].vulnerability) {
      auto& list = by_vulnerability[id];
      if (list.empty() || list.back() != i) list.push_back(i);
    }
  }
  std::map<std::string, ImageIdentity> identities;
  std::map<std::string, std::string> os_names;
  for (const auto& img : f.images) {
    identities[img.image_id] = IdentityOf(img);
    os_names[img.image_id] = img.os_name;
  }
  std::vector<bool> matched(statements.size(), false);
  for (auto& v : f.all) {
    if (v.suppression.active()) continue;
    std::vector<size_t> candidates;
    for (const auto& id : {Upper(v.cve_id), Upper(FindingId(v))}) {
      auto it = by_vulnerability.find(id);
      if (it == by_vulnerability.end()) continue;
      candidates.insert(candidates.end(), it->second.begin(), it->second.end());
    }
    if (candidates.empty()) continue;
    const ImageIdentity& image = identities[v.image_id];
    const std::string purl =
        PackagePurl(v.component_type, os_names[v.image_id], v.component, v.version);
    const std::optional<Purl> package = purl.empty() ? std::nullopt : ParsePurl(purl);
    const VexStatement* latest = nullptr;
    for (size_t i : candidates) {
      const VexStatement& st = statements[i];
      bool applies = std::any_of(st.products.begin(), st.products.end(), [&](const VexProduct& p) {
        if (std::none_of(p.ids.begin(), p.ids.end(),
                         [&](const std::string& id) { return ProductMatches(id, image); }))
          return false;
        if (p.subcomponents.empty()) return true;
        return std::any_of(p.subcomponents.begin(), p.subcomponents.end(),
                           [&](const std::vector<std::string>& ids) {
                             return std::any_of(ids.begin(), ids.end(), [&](const std::string& id) {
                               return SubcomponentMatches(id, v, package);
                             });
                           });
      });
      if (!applies) continue;
      matched[i] = true;
      auto key = [](const VexStatement* s) {
        return std::make_tuple(s->timestamp, s->document_timestamp, s->order);
      };
      if (!latest || key(&st) > key(latest)) latest = &st;
    }
    if (latest && (latest->status == "not_affected" || latest->status == "fixed")) {
      v.suppression.kind = Suppression::Kind::kVex;
      v.suppression.status = latest->status;
      v.suppression.reason = latest->reason;
      v.suppression.document = latest->document;
    }
  }
  return static_cast<size_t>(std::count(matched.begin(), matched.end(), true));
}

}  // namespace tcss::reports
