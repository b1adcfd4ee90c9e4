#include "core/reports/comment.h"

#include "base/hash.h"

#include <fmt/format.h>

#include <algorithm>
#include <initializer_list>

#include "core/json.h"
#include "core/reports/model.h"
#include "core/text.h"

namespace tcss::reports {

namespace {

using text::MarkdownLiteral;

constexpr size_t kMaxRows = 30;

std::string Cell(int64_t all, int64_t fresh, bool baseline) {
  if (!baseline || all == 0) return std::to_string(all);
  return fmt::format("{} ({} new)", all, fresh);
}

bool AllDigits(const std::string& s) {
  return !s.empty() && s.size() <= 20 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The forges' lists are arrays; the bounded parser takes objects.
Result<Poco::JSON::Array::Ptr> ParseArray(std::string_view body) {
  std::string wrapped = "{\"list\":";
  wrapped.append(body);
  wrapped += "}";
  auto o = json::ParseObject(wrapped);
  if (!o.ok()) return o.error();
  auto a = (*o)->getArray("list");
  if (!a) return TransportError("InvalidResponse", "the answer is not a JSON array");
  return a;
}

// The login at the end of a path of object keys: present, a string, 1 to 255 bytes.
Result<std::string> LoginAt(std::string_view body, std::initializer_list<const char*> path,
                            const char* what) {
  auto o = json::ParseObject(body);
  if (!o.ok()) return o.error();
  json::Reader r;
  Poco::JSON::Object::Ptr at = *o;
  std::string login;
  for (auto key = path.begin(); at && key != path.end(); ++key) {
    if (key + 1 == path.end())
      login = r.String(at, *key, true);
    else
      at = r.Object(at, *key, true);
  }
  if (!r.ok || login.empty() || login.size() > 255) {
    return TransportError("InvalidResponse", std::string(what) + " names no login");
  }
  return login;
}

}  // namespace

std::string CommentMarker(const std::string& repository, const std::string& job,
                          std::vector<std::string> images) {
  std::sort(images.begin(), images.end());
  std::string material = repository + "\n" + job;
  for (const auto& i : images) material += "\n" + i;
  return "<!-- tcss-scan:" + base::Sha256Hex(material).substr(0, 16) + " -->";
}

std::string CommentBody(const RunReport& r, const std::string& marker, const std::string& run_url,
                        size_t max_bytes) {
  std::string out = marker + "\n";
  // A failed gate is also the run's error: the gate first, then any other failure.
  if (!r.gate.empty()) {
    out += "### TCSS image scan: the gate failed\n\nThe scan found " + MarkdownLiteral(r.gate) +
           ".\n\n";
  } else if (r.error && !r.error_is_warning) {
    out += "### TCSS image scan: no result\n\n" + MarkdownLiteral(r.error->message) + "\n\n";
  } else {
    out += "### TCSS image scan: passed\n\n";
  }
  if (r.findings) {
    const Findings& f = *r.findings;
    const bool baseline = f.baseline.has_value();
    out +=
        "| Image | Critical | High | Medium | Low | Viruses | Risks |\n"
        "|---|---:|---:|---:|---:|---:|---:|\n";
    auto row = [&](const std::string& label, const ImageFindings& i) {
      out += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", label,
                         Cell(i.critical, i.new_critical, baseline),
                         Cell(i.high, i.new_high, baseline), Cell(i.medium, i.new_medium, baseline),
                         Cell(i.low, i.new_low, baseline), Cell(i.virus, i.new_virus, baseline),
                         Cell(i.risk, i.new_risk, baseline));
    };
    for (const auto& i : f.images) row(MarkdownLiteral(ImageLabel(f, i.image_id)), i);
    if (f.images.size() > 1) row("**Total**", f.totals);
    out += "\n";
    if (baseline && f.baseline->available()) {
      out += fmt::format("Against the baseline {}: {} finding(s) fixed by this change.\n\n",
                         MarkdownLiteral(f.baseline->reference), f.baseline->fixed.size());
    } else if (baseline) {
      out +=
          fmt::format("No baseline ({}: {}): every finding counts as new.\n\n",
                      MarkdownLiteral(f.baseline->reference), MarkdownLiteral(f.baseline->missing));
    }
    // What fails the gate, the most severe first: viruses and risks, then vulnerabilities.
    const int threshold = ThresholdLevel(r.threshold);
    std::vector<std::string> rows;
    size_t failing = 0;
    for (const auto& t : f.threats) {
      if (!FailsGate(t, r)) continue;
      if (++failing > kMaxRows) continue;
      rows.push_back(fmt::format(
          "| {} | {} {} | {} | {} | | {} |\n", MarkdownLiteral(t.id), LevelName(t.level), t.kind,
          MarkdownLiteral(t.name),
          MarkdownLiteral(text::TruncateUtf8(t.kind == "virus" ? t.path : t.description, 200)),
          MarkdownLiteral(ImageLabel(f, t.image_id))));
    }
    for (const auto& v : f.all.empty() ? f.top : f.all) {
      if (!FailsGate(v, threshold, r.gate_new)) continue;
      if (++failing > kMaxRows) continue;
      rows.push_back(
          fmt::format("| {} | {} | {} | {} | {} | {} |\n", MarkdownLiteral(FindingId(v)),
                      LevelName(v.level), MarkdownLiteral(v.component), MarkdownLiteral(v.version),
                      v.fixed_versions.empty() ? "no fix yet" : MarkdownLiteral(v.fixed_versions),
                      MarkdownLiteral(ImageLabel(f, v.image_id))));
    }
    if (!rows.empty()) {
      out += std::string("**What fails the gate**") + (r.gate_new ? " (new findings only)" : "") +
             ":\n\n| ID | Level | Package | Installed | Fixed in | Image |\n"
             "|---|---|---|---|---|---|\n";
      for (const auto& x : rows) out += x;
      if (failing > rows.size()) {
        out += fmt::format("\n… and {} more (every one: the SARIF, JUnit or findings file)\n",
                           failing - rows.size());
      }
      out += "\n";
    }
    if (f.totals.ignored + f.totals.suppressed > 0) {
      out += fmt::format("Ignored: {}; suppressed by VEX: {} (in no count or gate).\n\n",
                         f.totals.ignored, f.totals.suppressed);
    }
  }
  if (!r.task_id.empty()) out += "Scan task `" + r.task_id + "`";
  if (!run_url.empty()) out += (r.task_id.empty() ? "" : " · ") + ("[the run](" + run_url + ")");
  out += "\n";
  if (out.size() > max_bytes) {
    const std::string note =
        "\n\n… cut here: a comment holds at most 65,536 characters; every finding is in the "
        "reports.\n";
    std::string cut = text::TruncateUtf8(out, max_bytes - note.size());
    size_t nl = cut.rfind('\n');
    if (nl != std::string::npos && nl > marker.size()) cut.resize(nl);
    out = cut + note;
  }
  return out;
}

Result<std::vector<ForgeComment>> ParseComments(std::string_view body, bool gitlab) {
  auto a = ParseArray(body);
  if (!a.ok()) return a.error();
  std::vector<ForgeComment> out;
  for (size_t i = 0; i < (*a)->size(); ++i) {
    auto o = (*a)->getObject(static_cast<unsigned>(i));
    if (o.isNull()) continue;
    ForgeComment c;
    c.id = json::Uint64Digits(o->get("id"));
    json::Reader r;
    c.body = r.String(o, "body", false);
    auto who = r.Object(o, gitlab ? "author" : "user", false);
    if (who) c.author = r.String(who, gitlab ? "username" : "login", false);
    if (gitlab && o->has("system") && o->get("system").isBoolean() && o->getValue<bool>("system")) {
      continue;  // GitLab's own notes ("added 1 commit")
    }
    if (!r.ok || !AllDigits(c.id)) continue;
    out.push_back(std::move(c));
  }
  return out;
}

Result<std::string> ParseLogin(std::string_view body, bool gitlab) {
  return LoginAt(body, {gitlab ? "username" : "login"}, "the user answer");
}

Result<std::string> ParseViewerLogin(std::string_view body) {
  return LoginAt(body, {"data", "viewer", "login"}, "the GraphQL viewer answer");
}

std::string GraphqlPath(std::string_view rest_prefix) {
  constexpr std::string_view kGhes = "/api/v3";
  if (rest_prefix.size() >= kGhes.size() &&
      rest_prefix.substr(rest_prefix.size() - kGhes.size()) == kGhes) {
    return std::string(rest_prefix.substr(0, rest_prefix.size() - kGhes.size())) + "/api/graphql";
  }
  return std::string(rest_prefix) + "/graphql";
}

Result<std::string> ParseCommentId(std::string_view body) {
  auto o = json::ParseObject(body);
  if (!o.ok()) return o.error();
  std::string id = json::Uint64Digits((*o)->get("id"));
  if (!AllDigits(id)) return TransportError("InvalidResponse", "the answer names no comment id");
  return id;
}

std::string NextLink(std::string_view link) {
  // <https://api.github.com/...&page=2>; rel="next", <...>; rel="last"
  size_t at = 0;
  while (at < link.size()) {
    size_t open = link.find('<', at);
    if (open == std::string_view::npos) break;
    size_t close = link.find('>', open);
    if (close == std::string_view::npos) break;
    size_t end = link.find(',', close);
    std::string_view params = link.substr(
        close + 1, end == std::string_view::npos ? std::string_view::npos : end - close - 1);
    if (params.find("rel=\"next\"") != std::string_view::npos ||
        params.find("rel=next") != std::string_view::npos) {
      return std::string(link.substr(open + 1, close - open - 1));
    }
    if (end == std::string_view::npos) break;
    at = end + 1;
  }
  return "";
}

}  // namespace tcss::reports
