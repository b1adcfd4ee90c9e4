#include "core/reports/cosign.h"

#include "core/json.h"
#include "core/text.h"

namespace tcss::reports {

namespace {

// cosign reads both times as Go's time.Time: RFC 3339, never empty.
std::string Rfc3339(const std::string& utc, const std::string& fallback) {
  const std::string& t = utc.empty() ? fallback : utc;
  return t.empty() || t.back() == 'Z' ? t : t + "Z";
}

}  // namespace

std::string CosignVulnPredicate(const RunReport& r, const PredicateContext& ctx) {
  std::string result = FindingsFile(r, ctx.times);
  while (!result.empty() && result.back() == '\n') result.pop_back();
  std::vector<std::string> parameters;
  for (const auto& i : ctx.images) parameters.push_back(text::ValidUtf8(i));
  json::Writer w;
  w.BeginObject()
      .BeginObject("invocation")
      .StringArray("parameters", parameters)
      .String("uri", ctx.run_url)
      .String("event_id", ctx.run_id)
      .String("builder.id", "tcss-scan")
      .EndObject()
      .BeginObject("scanner")
      .String("uri", TCSS_HOME_URL)
      .String("version", TCSS_VERSION)
      .BeginObject("db")
      .String("uri", ctx.endpoint)
      .String("version", "2020-11-01")
      .EndObject()
      .Raw("result", result)
      .EndObject()
      .BeginObject("metadata")
      .String("scanStartedOn", Rfc3339(ctx.times.started_at, ctx.times.finished_at))
      .String("scanFinishedOn", Rfc3339(ctx.times.finished_at, ctx.times.started_at))
      .EndObject()
      .EndObject();
  return w.str() + "\n";
}

}  // namespace tcss::reports
