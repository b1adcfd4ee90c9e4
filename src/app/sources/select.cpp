#include "app/sources/select.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>

#include "core/image_ref.h"

namespace tcss {

Result<Selection> SelectImages(const std::vector<ImageSource*>& sources,
                               const std::vector<std::string>& refs, Clock& clock, Sleeper& sleeper,
                               Logger& log, double resolve_timeout_s, int64_t call_timeout_ms) {
  ImageSource* local = nullptr;
  for (auto* s : sources)
    if (s->kind() == Source::kLocal) local = s;
  std::map<ImageSource*, std::vector<ImageResult>> found;
  std::vector<std::string> pending;
  for (const auto& r : refs) {
    if (!IsImageId(r)) {
      pending.push_back(r);
    } else if (local) {
      found[local].push_back({r, r});
    } else {
      return UsageError(r +
                        " is a local image ID; registry images are named by reference "
                        "(drop --source registry, or name the image repo:tag)");
    }
  }
  const int64_t start = clock.MonotonicMillis();
  const int64_t budget = static_cast<int64_t>(resolve_timeout_s * 1000);
  const int64_t deadline = start + std::max(budget, call_timeout_ms);
  int64_t poll_ms = 2000;
  Resolution near;  // only its near misses
  std::vector<ImageSource*> asked = sources;
  while (!pending.empty()) {
    for (auto it = asked.begin(); it != asked.end() && !pending.empty();) {
      ImageSource* s = *it;
      auto r = s->LookUp(pending, deadline);
      if (!r.ok() && asked.size() > 1 && r.error().kind == ErrorKind::kApi &&
          (r.error().code.rfind("UnauthorizedOperation", 0) == 0 ||
           r.error().code.rfind("AuthFailure.UnauthorizedOperation", 0) == 0)) {
        // --source auto with keys that may not read one list: the other one still can.
        log.Warn(
            fmt::format("no permission to list {} images ({}); looking in the other list "
                        "only (grant the permission, or pass --source)",
                        SourceName(s->kind()), r.error().code));
        it = asked.erase(it);
        continue;
      }
      if (!r.ok()) return r.error();
      for (auto& img : r->images) found[s].push_back(std::move(img));
      for (const auto& [ref, listed] : r->near)
        for (const auto& l : listed)
          AddNear(near, ref, fmt::format("{} ({})", l, SourceName(s->kind())));
      pending = r->missing;
      ++it;
    }
    int64_t elapsed = clock.MonotonicMillis() - start;
    if (pending.empty() || elapsed + poll_ms > budget) break;
    for (auto* s : asked) s->Refresh();  // each source decides how often it really asks
    log.Info(fmt::format("waiting for TCSS to list {} image(s) (checked for {:.0f}s of {}s)",
                         pending.size(), static_cast<double>(elapsed) / 1000, resolve_timeout_s));
    if (!sleeper.SleepMillis(poll_ms)) return Error{ErrorKind::kInterrupted, "", "interrupted", ""};
    poll_ms = std::min<int64_t>(poll_ms * 2, 10000);
  }
  Selection out;
  out.source = sources.front();
  std::vector<ImageSource*> with_images;
  for (auto* s : sources)
    if (!found[s].empty()) with_images.push_back(s);
  if (with_images.size() > 1) {
    std::string where;
    for (auto* s : with_images) {
      where += fmt::format("{}{}: ", where.empty() ? "" : "; ", SourceName(s->kind()));
      for (size_t i = 0; i < found[s].size(); ++i) where += (i ? ", " : "") + found[s][i].reference;
    }
    return UsageError("the images are listed in two places (" + where +
                      "), and one run submits one scan task; run once per source with --source "
                      "registry and --source local. No scan was submitted");
  }
  if (!with_images.empty()) out.source = with_images.front();
  out.resolution.images = found[out.source];
  out.resolution.missing = pending;
  for (const auto& m : pending)
    if (near.near.count(m)) out.resolution.near[m] = near.near[m];
  return out;
}

}  // namespace tcss
