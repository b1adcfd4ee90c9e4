#include "core/reports/baseline.h"

#include <fmt/format.h>

#include <set>

#include "core/json.h"
#include "core/reports/findings_file.h"
#include "core/reports/model.h"
#include "core/text.h"

namespace tcss::reports {

namespace {

std::string Key(const std::string& kind, const std::string& id, const std::string& package) {
  return kind + '\n' + id + '\n' + package;
}

int64_t LevelOf(const std::string& name) {
  for (int64_t l = 1; l <= 4; ++l)
    if (LevelName(l) == name) return l;
  return 0;
}

// A baseline file is read whole into memory; one written for 10,000 findings is a few MiB.
constexpr size_t kMaxBaselineBytes = size_t{64} << 20;

}  // namespace

std::string IdentityKey(const VulnFinding& v) {
  return Key("vulnerability", FindingId(v), v.component);
}
std::string IdentityKey(const ThreatFinding& t) { return Key(t.kind, t.id, ""); }
std::string IdentityKey(const BaselineFinding& b) { return Key(b.kind, b.id, b.package); }

std::vector<BaselineFinding> BaselineFindingsOf(const Findings& f) {
  std::vector<BaselineFinding> out;
  const auto& vulns = f.all.empty() ? f.top : f.all;
  out.reserve(vulns.size() + f.threats.size());
  for (const auto& v : vulns) {
    out.push_back({"vulnerability", FindingId(v), v.component, v.version, v.name, v.level});
  }
  for (const auto& t : f.threats) out.push_back({t.kind, t.id, "", "", t.name, t.level});
  return out;
}

Result<Baseline> ParseBaselineFile(const std::string& path, std::string_view text) {
  auto fail = [&](const std::string& what) {
    return UsageError(fmt::format(
        "baseline file {}: {} (--baseline-file takes a file written by --findings-file)", path,
        what));
  };
  if (text.size() > kMaxBaselineBytes) {
    return fail(fmt::format("larger than {} MiB", kMaxBaselineBytes >> 20));
  }
  auto parsed = json::ParseObject(text, 64, 2000000);
  if (!parsed.ok()) {
    std::string where = json::SyntaxErrorPosition(text);
    return fail(where.empty() ? parsed.error().message : "not JSON (" + where + ")");
  }
  const auto& doc = *parsed;
  json::Reader r;
  std::string version = r.String(doc, "schemaVersion", true);
  if (!r.ok) return fail("$.schemaVersion: missing or not a string");
  if (version != kFindingsSchemaVersion) {
    return fail(fmt::format("$.schemaVersion: \"{}\" is not a version this tcss-scan reads ({})",
                            text::OneLine(text::TruncateUtf8(version, 40)),
                            kFindingsSchemaVersion));
  }
  const bool complete = r.Bool(doc, "complete", true);
  if (!r.ok) return fail("$.complete: missing or not true/false");
  Baseline b;
  b.kind = "file";
  b.reference = path;
  if (!complete) {
    std::string why = r.String(doc, "incompleteReason", false);
    b.missing = fmt::format("{} holds no findings ({})", path,
                            why.empty() ? "its run read none" : text::OneLine(why));
    return b;
  }
  auto findings = r.Array(doc, "findings", true);
  if (!r.ok || !findings) return fail("$.findings: missing or not an array");
  for (size_t i = 0; i < findings->size(); ++i) {
    const std::string at = fmt::format("$.findings[{}]", i);
    auto o = findings->getObject(static_cast<unsigned>(i));
    if (o.isNull()) return fail(at + ": not an object");
    json::Reader fr;
    BaselineFinding bf;
    bf.kind = fr.String(o, "kind", true);
    bf.id = fr.String(o, "id", true);
    bf.name = fr.String(o, "name", false);
    bf.level = LevelOf(fr.String(o, "level", false));
    if (bf.kind == "vulnerability") {
      bf.package = fr.String(o, "package", true);
      bf.version = fr.String(o, "installedVersion", false);
    }
    if (!fr.ok) {
      return fail(at + ": kind and id (and a vulnerability's package) must be strings");
    }
    if (bf.kind != "vulnerability" && bf.kind != "virus" && bf.kind != "risk") {
      return fail(fmt::format("{}.kind: \"{}\" is not vulnerability, virus or risk", at,
                              text::OneLine(text::TruncateUtf8(bf.kind, 40))));
    }
    b.findings.push_back(std::move(bf));
  }
  return b;
}

void CompareWithBaseline(Findings& f, Baseline& b) {
  b.fixed.clear();
  if (!b.available()) {
    for (auto& v : f.all) v.state = BaselineState::kNew;
    for (auto& t : f.threats) t.state = BaselineState::kNew;
    return;
  }
  std::set<std::string> before;
  for (const auto& bf : b.findings) before.insert(IdentityKey(bf));
  std::set<std::string> now;
  for (auto& v : f.all) {
    std::string key = IdentityKey(v);
    v.state = before.count(key) ? BaselineState::kUnchanged : BaselineState::kNew;
    now.insert(std::move(key));
  }
  for (auto& t : f.threats) {
    std::string key = IdentityKey(t);
    t.state = before.count(key) ? BaselineState::kUnchanged : BaselineState::kNew;
    now.insert(std::move(key));
  }
  std::set<std::string> listed;
  for (const auto& bf : b.findings) {
    std::string key = IdentityKey(bf);
    if (now.count(key) || !listed.insert(key).second) continue;
    b.fixed.push_back(bf);
  }
}

}  // namespace tcss::reports
