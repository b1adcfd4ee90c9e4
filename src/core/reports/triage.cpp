#include "core/reports/triage.h"

#include "base/glob.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>

#include "core/image_ref.h"
#include "core/reports/baseline.h"
#include "core/reports/model.h"

namespace tcss::reports {

namespace {

using Tally = std::array<int64_t, 5>;  // by level 0..4

std::string Describe(const Tally& t) {
  return fmt::format("{} critical, {} high, {} medium, {} low", t[4], t[3], t[2], t[1]);
}

// The forms of an image's references a pattern may match: as given and normalised.
std::vector<std::string> Forms(const ImageFindings& img) {
  std::vector<std::string> out;
  size_t start = 0;
  const std::string& refs = img.reference;
  while (start <= refs.size() && !refs.empty()) {
    size_t comma = refs.find(", ", start);
    std::string r = refs.substr(start, comma == std::string::npos ? comma : comma - start);
    out.push_back(r);
    auto parsed = ParseImageRef(r);
    if (parsed.ok()) out.push_back(parsed->Normalized());
    if (comma == std::string::npos) break;
    start = comma + 2;
  }
  out.push_back(img.image_id);
  return out;
}

}  // namespace

int64_t CvssBand(double score) {
  if (score >= 9.0) return 4;
  if (score >= 7.0) return 3;
  if (score >= 4.0) return 2;
  if (score >= 0.1) return 1;
  return 0;
}

std::vector<std::string> Triage(Findings& f, const TriageOptions& o) {
  std::vector<std::string> notes;
  // 1. Does TCSS's Level follow its own counts?
  std::map<std::string, Tally> listed;
  for (const auto& v : f.all) {
    if (v.level >= 1 && v.level <= 4) ++listed[v.image_id][static_cast<size_t>(v.level)];
  }
  for (const auto& img : f.images) {
    Tally counts{0, img.low, img.medium, img.high, img.critical};
    Tally tally = listed[img.image_id];
    if (tally != counts) {
      notes.push_back(fmt::format(
          "TCSS's vulnerability levels for {} do not add up to its counts (list: {}; counts: "
          "{}); every finding is classified by its CVSS v3 score instead",
          img.reference.empty() ? img.image_id : img.reference, Describe(tally), Describe(counts)));
      for (auto& v : f.all) {
        int64_t band = CvssBand(v.cvss);
        if (band > 0) v.level = band;
      }
      break;
    }
  }
  // 2. VEX, then ignore rules, then --ignore-unfixed.
  if (!o.vex.empty() && ApplyVex(f, o.vex) == 0) {
    notes.push_back(fmt::format(
        "no statement of the VEX document(s) ({}) matched a finding; "
        "check their products name these images (pkg:oci/NAME)",
        o.vex.front().document + (o.vex.back().document != o.vex.front().document ? ", ..." : "")));
  }
  std::map<std::string, std::vector<std::string>> forms;
  for (const auto& img : f.images) forms[img.image_id] = Forms(img);
  std::vector<int> matched(o.rules.size(), 0);
  std::map<std::pair<std::string, std::string>, int> first_line;  // (ID, image pattern) → line
  for (size_t r = 0; r < o.rules.size(); ++r) {
    const IgnoreRule& rule = o.rules[r];
    auto [first, fresh] = first_line.emplace(std::pair(rule.id, rule.image_pattern), rule.line);
    if (!fresh) {
      notes.push_back(fmt::format("{} line {}: {} repeats line {}, which applies", o.rules_path,
                                  rule.line, rule.id, first->second));
      continue;
    }
    bool expired = !rule.expires.empty() && rule.expires < o.today;
    Suppression accept;
    accept.kind = Suppression::Kind::kIgnore;
    accept.reason =
        rule.reason.empty() ? fmt::format("{} line {}", o.rules_path, rule.line) : rule.reason;
    accept.expires = rule.expires;
    for (auto& v : f.all) {
      if (FindingId(v) != rule.id) continue;
      if (!rule.image_pattern.empty()) {
        const auto& fs = forms[v.image_id];
        if (std::none_of(fs.begin(), fs.end(), [&](const std::string& form) {
              return base::GlobMatch(rule.image_pattern, form);
            })) {
          continue;
        }
      }
      ++matched[r];  // an earlier line with another image pattern may have taken it
      if (expired || v.suppression.active()) continue;
      v.suppression = accept;
    }
    // Viruses and risks by the ID the reports show (md5:<hex>, TCSS-RISK-...).
    for (auto& t : f.threats) {
      if (t.id != rule.id) continue;
      if (!rule.image_pattern.empty()) {
        const auto& fs = forms[t.image_id];
        if (std::none_of(fs.begin(), fs.end(), [&](const std::string& form) {
              return base::GlobMatch(rule.image_pattern, form);
            })) {
          continue;
        }
      }
      ++matched[r];
      if (expired || t.suppression.active()) continue;
      t.suppression = accept;
    }
    if (expired) {
      notes.push_back(fmt::format("{} line {}: {} expired on {}{}", o.rules_path, rule.line,
                                  rule.id, rule.expires,
                                  matched[r] > 0 ? " and counts again" : ""));
    } else if (matched[r] == 0) {
      notes.push_back(
          fmt::format("{} line {}: {} matched no finding (remove it when it is "
                      "no longer needed)",
                      o.rules_path, rule.line, rule.id));
    }
  }
  if (o.ignore_unfixed) {
    for (auto& v : f.all) {
      if (!v.suppression.active() && v.fixed_versions.empty()) {
        v.suppression.kind = Suppression::Kind::kIgnore;
        v.suppression.reason = "no fixed version yet (--ignore-unfixed)";
      }
    }
  }
  // The baseline: what is new, what is gone.
  if (f.baseline) CompareWithBaseline(f, *f.baseline);
  // 3. The counts, from what counts.
  std::map<std::string, Tally> counted, counted_new;
  std::map<std::string, int64_t> ignored, suppressed;
  for (const auto& v : f.all) {
    if (v.suppression.kind == Suppression::Kind::kVex) {
      ++suppressed[v.image_id];
    } else if (v.suppression.active()) {
      ++ignored[v.image_id];
    } else if (v.level >= 1 && v.level <= 4) {
      ++counted[v.image_id][static_cast<size_t>(v.level)];
      if (v.state != BaselineState::kUnchanged)
        ++counted_new[v.image_id][static_cast<size_t>(v.level)];
    }
  }
  // A virus or risk that is ignored leaves its image's count, where the lists were read.
  std::map<std::string, std::pair<int64_t, int64_t>> threats;  // image → (viruses, risks)
  std::map<std::string, std::pair<int64_t, int64_t>> threats_new;
  for (const auto& t : f.threats) {
    if (t.suppression.active()) {
      ++ignored[t.image_id];
      continue;
    }
    auto& n = threats[t.image_id];
    ++(t.kind == "virus" ? n.first : n.second);
    if (t.state != BaselineState::kUnchanged) {
      auto& m = threats_new[t.image_id];
      ++(t.kind == "virus" ? m.first : m.second);
    }
  }
  ImageFindings totals;
  for (auto& img : f.images) {
    if (img.threats_read) {
      img.virus = threats[img.image_id].first + img.unlisted_virus;
      img.risk = threats[img.image_id].second + img.unlisted_risk;
    }
    const Tally& t = counted[img.image_id];
    img.critical = t[4];
    img.high = t[3];
    img.medium = t[2];
    img.low = t[1];
    // New: what the baseline does not hold (all of it without one, or when it is missing);
    // what TCSS counted but did not list cannot be matched, so it is new.
    const Tally& n = f.baseline ? counted_new[img.image_id] : t;
    img.new_critical = n[4];
    img.new_high = n[3];
    img.new_medium = n[2];
    img.new_low = n[1];
    img.new_virus = (f.baseline && img.threats_read)
                        ? threats_new[img.image_id].first + img.unlisted_virus
                        : img.virus;
    img.new_risk = (f.baseline && img.threats_read)
                       ? threats_new[img.image_id].second + img.unlisted_risk
                       : img.risk;
    img.ignored = ignored[img.image_id];
    img.suppressed = suppressed[img.image_id];
    totals.critical += img.critical;
    totals.high += img.high;
    totals.medium += img.medium;
    totals.low += img.low;
    totals.virus += img.virus;
    totals.risk += img.risk;
    totals.new_critical += img.new_critical;
    totals.new_high += img.new_high;
    totals.new_medium += img.new_medium;
    totals.new_low += img.new_low;
    totals.new_virus += img.new_virus;
    totals.new_risk += img.new_risk;
    totals.ignored += img.ignored;
    totals.suppressed += img.suppressed;
  }
  f.totals = totals;
  std::stable_sort(f.all.begin(), f.all.end(), [](const VulnFinding& a, const VulnFinding& b) {
    return a.level != b.level ? a.level > b.level : a.cvss > b.cvss;
  });
  f.top.clear();
  for (const auto& v : f.all) {
    if (f.top.size() == 10) break;
    if (!v.suppression.active()) f.top.push_back(v);
  }
  f.triaged = true;
  return notes;
}

}  // namespace tcss::reports
