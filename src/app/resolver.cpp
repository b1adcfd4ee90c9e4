#include "app/resolver.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/api.h"
#include "core/image_ref.h"

namespace tcss {

void AddNear(Resolution& r, const std::string& reference, const std::string& listed) {
  auto& near = r.near[reference];
  if (near.size() < kMaxNear && std::find(near.begin(), near.end(), listed) == near.end()) {
    near.push_back(listed);
  }
}

Result<Resolution> ResolveImages(ApiClient& client, Clock& clock, Sleeper& sleeper, Logger& log,
                                 const std::vector<std::string>& refs, bool no_resolve,
                                 double timeout_s, int64_t call_timeout_ms) {
  Resolution out;
  struct Pending {
    std::string reference;
    std::string normalized;
    std::string familiar;
    std::string repository;  // domain/path: other tags of it are near misses
  };
  std::vector<Pending> pending;
  for (const auto& r : refs) {
    if (IsImageId(r) || no_resolve) {
      out.images.push_back({r, r});
      continue;
    }
    auto ref = ParseImageRef(r);
    if (!ref.ok()) return ref.error();  // validated in ParseConfig already
    pending.push_back({r, ref->Normalized(), ref->Familiar(), ref->domain + "/" + ref->path});
  }
  if (pending.empty()) return out;

  const int64_t start = clock.MonotonicMillis();
  const int64_t budget = static_cast<int64_t>(timeout_s * 1000);
  // Every lookup ends by the resolve deadline, or by --timeout for the first round when that is
  // later: resolution as a whole never runs past max(--resolve-timeout, --timeout).
  const CallOptions bounded{true, start + std::max(budget, call_timeout_ms)};
  int64_t poll_ms = 2000;
  std::map<std::string, std::vector<std::string>> found;  // normalized → image IDs
  while (true) {
    for (size_t b = 0; b < pending.size(); b += api::kValuesPerFilter) {
      std::vector<std::string> names;
      std::set<std::string> wanted;
      for (size_t i = b; i < std::min(pending.size(), b + api::kValuesPerFilter); ++i) {
        if (found.count(pending[i].normalized)) continue;
        names.push_back(pending[i].familiar);
        wanted.insert(pending[i].normalized);
      }
      if (names.empty()) continue;
      for (int page = 0; page < api::kMaxPages; ++page) {
        auto resp = client.Call(
            "DescribeAssetImageList",
            api::DescribeImageListBody("ImageName", names, api::kPageLimit, page * api::kPageLimit),
            bounded);
        if (!resp.ok()) return resp.error();
        auto list = api::ParseImageList(*resp);
        if (!list.ok()) return list.error();
        for (const auto& img : list->images) {
          auto name = ParseImageRef(img.image_name);
          if (!name.ok() || !IsImageId(img.image_id)) continue;
          std::string n = name->Normalized();
          if (!wanted.count(n)) {
            for (const auto& pd : pending) {
              if (pd.repository == name->domain + "/" + name->path) {
                AddNear(out, pd.reference, img.image_name);
              }
            }
            continue;
          }
          auto& ids = found[n];
          if (std::find(ids.begin(), ids.end(), img.image_id) == ids.end()) {
            ids.push_back(img.image_id);
          }
        }
        if (list->images.empty() || (page + 1) * api::kPageLimit >= list->total) break;
      }
    }
    bool all_found = std::all_of(pending.begin(), pending.end(),
                                 [&](const Pending& pd) { return found.count(pd.normalized) > 0; });
    int64_t elapsed = clock.MonotonicMillis() - start;
    if (all_found || elapsed + poll_ms > budget) break;
    log.Info(fmt::format("waiting for TCSS to report {} image(s) (checked for {:.0f}s of {}s)",
                         pending.size() - found.size(), static_cast<double>(elapsed) / 1000,
                         timeout_s));
    if (!sleeper.SleepMillis(poll_ms)) return Error{ErrorKind::kInterrupted, "", "interrupted", ""};
    poll_ms = std::min<int64_t>(poll_ms * 2, 10000);
  }
  for (const auto& pd : pending) {
    auto it = found.find(pd.normalized);
    if (it == found.end()) {
      out.missing.push_back(pd.reference);
      continue;
    }
    out.near.erase(pd.reference);
    if (it->second.size() > 1) {
      log.Warn(fmt::format("{} matches {} image IDs; scanning all of them", pd.reference,
                           it->second.size()));
    }
    for (const auto& id : it->second) {
      log.Verbose(pd.reference + " -> " + id);
      out.images.push_back({pd.reference, id});
    }
  }
  return out;
}

}  // namespace tcss
