#include "core/reports/summary.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "core/reports/model.h"
#include "core/text.h"

namespace tcss {

std::string BaselineMarkdown(const Findings& f, size_t max_rows, size_t budget) {
  if (!f.baseline) return "";
  const Baseline& b = *f.baseline;
  const auto& t = f.totals;
  std::string out;
  if (!b.available()) {
    out += fmt::format("**No baseline**: {} ({}); every finding counts as new.\n\n",
                       text::MarkdownLiteral(b.reference), text::MarkdownLiteral(b.missing));
  } else {
    out += fmt::format(
        "Against the baseline {}: **new** {} critical, {} high, {} medium, {} low, {} viruses, "
        "{} risks; **fixed** {}.\n\n",
        text::MarkdownLiteral(b.reference), t.new_critical, t.new_high, t.new_medium, t.new_low,
        t.new_virus, t.new_risk, b.fixed.size());
  }
  // New findings: threats first (each one matters), then vulnerabilities by severity.
  std::vector<std::string> rows;
  size_t more = 0;
  auto add = [&](std::string row) {
    if (rows.size() < max_rows) {
      rows.push_back(std::move(row));
    } else {
      ++more;
    }
  };
  for (const auto& th : f.threats) {
    if (th.suppression.active() || th.state == BaselineState::kUnchanged) continue;
    add(fmt::format("| {} | {} {} | {} | {} | | {} |\n", text::MarkdownLiteral(th.id),
                    LevelName(th.level), th.kind, text::MarkdownLiteral(th.name),
                    text::MarkdownLiteral(
                        text::TruncateUtf8(th.kind == "virus" ? th.path : th.description, 200)),
                    text::MarkdownLiteral(reports::ImageLabel(f, th.image_id))));
  }
  for (const auto& v : f.all) {
    if (v.suppression.active() || v.state == BaselineState::kUnchanged) continue;
    add(fmt::format(
        "| {} | {} | {} | {} | {} | {} |\n", text::MarkdownLiteral(reports::FindingId(v)),
        LevelName(v.level), text::MarkdownLiteral(v.component), text::MarkdownLiteral(v.version),
        v.fixed_versions.empty() ? "no fix yet" : text::MarkdownLiteral(v.fixed_versions),
        text::MarkdownLiteral(reports::ImageLabel(f, v.image_id))));
  }
  auto table = [&](const std::string& title, const std::string& head) {
    out += title + "\n\n" + head;
    size_t shown = 0;
    for (const auto& r : rows) {
      if (out.size() + r.size() + 256 > budget) break;
      out += r;
      ++shown;
    }
    const size_t left = rows.size() - shown + more;
    if (left > 0) out += fmt::format("\n… and {} more (every one: the reports)\n", left);
    out += "\n";
  };
  if (!rows.empty()) {
    table("New findings:",
          "| ID | Level | Package | Version | Fixed in | Image |\n|---|---|---|---|---|---|\n");
  }
  rows.clear();
  more = 0;
  for (const auto& x : b.fixed) {
    add(fmt::format("| {} | {} {} | {} | {} |\n", text::MarkdownLiteral(x.id), LevelName(x.level),
                    x.kind == "vulnerability" ? "" : x.kind,
                    text::MarkdownLiteral(x.package.empty() ? x.name : x.package),
                    text::MarkdownLiteral(x.version)));
  }
  if (!rows.empty()) {
    table("Fixed (in the baseline, gone now):",
          "| ID | Level | Package | Version |\n|---|---|---|---|\n");
  }
  return out;
}

std::string GithubSummaryMarkdown(const RunReport& r, size_t max_bytes) {
  std::string out = "### TCSS image scan\n\n";
  if (r.error && !r.error_is_warning) {
    out +=
        fmt::format("**Failed**: {}{}\n\n", text::MarkdownLiteral(r.error->message),
                    r.error->code.empty() ? "" : " (" + text::MarkdownLiteral(r.error->code) + ")");
    if (!r.error->request_id.empty()) out += "RequestId: `" + r.error->request_id + "`\n\n";
  } else if (r.dry_run) {
    out += "Dry run: nothing was sent.\n\n";
  } else if (!r.task_id.empty()) {
    out += fmt::format("Scan task `{}` submitted (RequestId `{}`).\n\n", r.task_id, r.request_id);
  }
  if (r.error && r.error_is_warning) {
    out += fmt::format("**Warning**: {}: {}\n\n", text::MarkdownLiteral(r.error->code),
                       text::MarkdownLiteral(r.error->message));
  }
  if (r.progress) {
    out += fmt::format("Scan status: **{}** ({}%, {}/{} images)\n\n",
                       text::MarkdownLiteral(r.progress->status), r.progress->schedule,
                       r.progress->image_scan_cnt, r.progress->image_total);
  }
  if (!r.gate.empty()) out += "**Gate failed**: " + text::MarkdownLiteral(r.gate) + "\n\n";
  if (r.findings) {
    const auto& f = *r.findings;
    out +=
        "| Image | Critical | High | Medium | Low | Viruses | Risks "
        "|\n|---|---:|---:|---:|---:|---:|---:|\n";
    for (const auto& i : f.images) {
      std::string row =
          fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n",
                      text::MarkdownLiteral(i.reference.empty() ? i.image_id : i.reference),
                      i.critical, i.high, i.medium, i.low, i.virus, i.risk);
      if (out.size() + row.size() + 4096 > max_bytes) break;
      out += row;
    }
    out += fmt::format("| **Total** | {} | {} | {} | {} | {} | {} |\n\n", f.totals.critical,
                       f.totals.high, f.totals.medium, f.totals.low, f.totals.virus, f.totals.risk);
    // Its own share of the limit: what is left of half of it, at most 200 KB.
    out += BaselineMarkdown(
        f, 50,
        std::min<size_t>(200000, max_bytes / 2 > out.size() ? max_bytes / 2 - out.size() : 0));
    if (!f.top.empty()) {
      out +=
          "Top vulnerabilities:\n\n| CVE | Level | CVSS | Component | Version | Fixed in "
          "|\n|---|---|---:|---|---|---|\n";
      for (const auto& v : f.top) {
        std::string fid = reports::FindingId(v);
        bool cve = fid.rfind("CVE-", 0) == 0 &&
                   fid.find_first_not_of("CVE-0123456789") == std::string::npos;
        std::string id = cve ? fmt::format("[{0}](https://nvd.nist.gov/vuln/detail/{0})", fid)
                             : text::MarkdownLiteral(fid);
        std::string row =
            fmt::format("| {} | {} | {:.1f} | {} | {} | {} |\n", id, LevelName(v.level), v.cvss,
                        text::MarkdownLiteral(v.component), text::MarkdownLiteral(v.version),
                        text::MarkdownLiteral(v.fixed_versions));
        if (out.size() + row.size() + 2048 > max_bytes) break;
        out += row;
      }
      out += "\n";
    }
    if (!f.threats.empty()) {
      out +=
          "Malware and risks:\n\n| Kind | Level | Name | Where | Image | ID "
          "|\n|---|---|---|---|---|---|\n";
      for (const auto& t : f.threats) {
        std::string image = reports::ImageLabel(f, t.image_id);
        std::string where = t.kind == "virus" ? t.path : t.description;
        std::string row = fmt::format("| {}{} | {} | {} | {} | {} | {} |\n", t.kind,
                                      t.suppression.active() ? " (ignored)" : "",
                                      LevelName(t.level), text::MarkdownLiteral(t.name),
                                      text::MarkdownLiteral(text::TruncateUtf8(where, 300)),
                                      text::MarkdownLiteral(image), text::MarkdownLiteral(t.id));
        if (out.size() + row.size() + 2048 > max_bytes) break;
        out += row;
      }
      out += "\n";
    }
    if (f.totals.ignored + f.totals.suppressed > 0) {
      out += fmt::format(
          "Ignored or suppressed by VEX ({} ignored, {} suppressed; not in the counts or the "
          "gate):\n\n| ID | Image | Level | Why |\n|---|---|---|---|\n",
          f.totals.ignored, f.totals.suppressed);
      for (const auto& v : f.all) {
        if (!v.suppression.active()) continue;
        std::string row = fmt::format(
            "| {} | {} | {} | {} |\n", text::MarkdownLiteral(reports::FindingId(v)),
            text::MarkdownLiteral(reports::ImageLabel(f, v.image_id)), LevelName(v.level),
            text::MarkdownLiteral(text::TruncateUtf8(v.suppression.Describe(), 500)));
        if (out.size() + row.size() + 1024 > max_bytes) break;
        out += row;
      }
      for (const auto& t : f.threats) {
        if (!t.suppression.active()) continue;
        std::string row = fmt::format(
            "| {} | {} | {} {} | {} |\n", text::MarkdownLiteral(t.id),
            text::MarkdownLiteral(reports::ImageLabel(f, t.image_id)), LevelName(t.level), t.kind,
            text::MarkdownLiteral(text::TruncateUtf8(t.suppression.Describe(), 500)));
        if (out.size() + row.size() + 1024 > max_bytes) break;
        out += row;
      }
      out += "\n";
    }
    return out;
  }
  if (r.selection == "all") out += "Selection: all images.\n";
  if (r.selection == "filters") out += "Selection: by filter.\n";
  if (!r.images.empty()) {
    out += "| Image | Image ID |\n|---|---|\n";
    std::string tail = "\n";
    for (size_t i = 0; i < r.images.size(); ++i) {
      std::string row =
          "| " + text::MarkdownLiteral(r.images[i].reference) + " | " +
          text::MarkdownLiteral(r.images[i].image_id.empty() ? "-" : r.images[i].image_id) + " |\n";
      if (out.size() + row.size() + 64 > max_bytes) {
        out += fmt::format("| … {} more | |\n", r.images.size() - i);
        break;
      }
      out += row;
    }
    out += tail;
  }
  return out;
}

}  // namespace tcss
