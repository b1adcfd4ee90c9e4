// Registry images: DescribeAssetImageRegistryList, SyncAssetImageRegistryAsset,
// CreateAssetImageRegistryScanTask, DescribeAssetImageRegistryScanStatusOneKey,
// DescribeAssetImageRegistryVulList. The facts behind them are in core/registry_api.h.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "app/findings.h"
#include "app/sources/source.h"
#include "core/policy.h"
#include "core/registry_api.h"

namespace tcss {

namespace {

namespace ra = registry_api;

class RegistrySource : public ImageSource {
 public:
  explicit RegistrySource(SourceDeps d) : d_(d) {}
  Source kind() const override { return Source::kRegistry; }

  Result<Resolution> LookUp(const std::vector<std::string>& refs, int64_t deadline_ms) override {
    auto entries = Entries(refs, deadline_ms);
    if (!entries.ok()) return entries.error();
    Resolution out;
    for (const auto& r : refs) {
      auto ref = ParseImageRef(r);
      std::vector<std::string> ids;
      for (const auto& e : *entries) {
        if (ref.ok() && ra::Matches(*ref, e) &&
            std::find(ids.begin(), ids.end(), e.id) == ids.end()) {
          ids.push_back(e.id);
        }
      }
      if (ids.empty()) {
        out.missing.push_back(r);
        // Other tags or digests of the same repository, as the registry lists them.
        for (const auto& e : *entries) {
          auto repo = ParseImageRef(e.repo_address);
          if (ref.ok() && repo.ok() && repo->domain == ref->domain && repo->path == ref->path) {
            AddNear(out, r, e.repo_address + (e.tag.empty() ? "" : ":" + e.tag));
          }
        }
        continue;
      }
      if (ids.size() > 1) {
        d_.log.Warn(fmt::format("{} is in {} registries (list Ids {}); scanning all of them", r,
                                ids.size(), fmt::join(ids, ", ")));
      }
      for (const auto& id : ids) out.images.push_back({r, id});
    }
    return out;
  }

  // Asks for a sync when a reference is missing; again only once the last sync has finished
  // and 10 s have passed (a push can land after a sync began), never after a refusal.
  void Refresh() override {
    const int64_t now = d_.clock.MonotonicMillis();
    if (sync_refused_) return;
    if (sync_requested_ && (now - last_sync_ms_ < 10000 ||
                            (last_sync_status_ != "success" && last_sync_status_ != "failed"))) {
      return;
    }
    auto resp = d_.client.Call("SyncAssetImageRegistryAsset", ra::SyncBody());
    if (!resp.ok()) {
      d_.log.Warn("could not ask TCSS to sync its registries (" + resp.error().code + ": " +
                  resp.error().message + "); waiting for its own sync");
      sync_refused_ = true;
      return;
    }
    d_.log.Info("asked TCSS to sync its registries (SyncAssetImageRegistryAsset)");
    sync_requested_ = true;
    last_sync_ms_ = now;
    last_sync_status_.clear();
  }

  Request CreateRequest(const std::vector<std::string>& ids) const override {
    return {"CreateAssetImageRegistryScanTask", ra::CreateBody(d_.config, ids)};
  }

  SubmitOutcome Submit(const std::vector<std::string>& ids) override {
    const Config& c = d_.config;
    SubmitOutcome out;
    const Request request = CreateRequest(ids);
    auto resp = d_.client.Call(
        request.action, request.body,
        CallOptions{false, d_.clock.MonotonicMillis() + static_cast<int64_t>(c.timeout_s * 1000)});
    if (!resp.ok()) {
      Error e = resp.error();
      if (e.kind == ErrorKind::kTransport && e.maybe_delivered) {
        // TCSS offers no way to find a registry scan's TaskID afterwards, so the request is
        // not sent again (that could start a second scan); the run says what happened.
        e.message +=
            " (the request may have started a registry scan whose TaskID was lost; it "
            "was not sent again)";
      }
      out.error = e;
      return out;
    }
    auto created = ra::ParseCreate(*resp);
    if (!created.ok()) {
      out.error = created.error();
      return out;
    }
    out.task_id = created->task_id;
    out.request_id = created->request_id;
    return out;
  }

  Result<ScanState> Status(const std::string& task_id, const CallOptions& bound) override {
    if (!ra::IsRegistryTaskId(task_id)) {
      return UsageError("\"" + task_id + "\" is not a registry TaskID (a number)");
    }
    auto resp = d_.client.Call("DescribeAssetImageRegistryScanStatusOneKey",
                               ra::StatusBody(task_id), bound);
    if (!resp.ok()) return resp.error();
    auto st = ra::ParseStatus(*resp);
    if (!st.ok()) return st.error();
    ScanState out;
    out.progress = {st->status,         st->schedule,     st->image_total,
                    st->image_scan_cnt, st->left_seconds, st->risk_count};
    out.finished_ok = ra::IsFinishedStatus(st->status);
    return out;
  }

  tcss::Status ReadComponents(Findings& f) override {
    f.components = ComponentsOfVulnerabilities(f);
    return OkStatus();
  }

  Result<Findings> ReadFindings(const std::vector<ImageResult>& images, bool every) override {
    // The counts come from the list entries, read again now that the scan has ended.
    std::vector<std::string> refs;
    for (const auto& i : images)
      if (std::find(refs.begin(), refs.end(), i.reference) == refs.end() &&
          i.reference != i.image_id)
        refs.push_back(i.reference);
    std::map<std::string, ra::RegistryImage> by_id;
    const Config& c = d_.config;
    const int64_t deadline =
        d_.clock.MonotonicMillis() +
        static_cast<int64_t>(std::max(c.resolve_timeout_s, c.timeout_s) * 1000);
    if (!refs.empty()) {
      auto entries = Entries(refs, deadline);
      if (!entries.ok()) return entries.error();
      for (const auto& e : *entries) by_id[e.id] = e;
    }
    // Ids without their reference (`status` in a later job): only the whole list has them.
    bool unnamed = std::any_of(images.begin(), images.end(),
                               [&](const ImageResult& i) { return !by_id.count(i.image_id); });
    if (unnamed) {
      std::vector<ra::RegistryImage> all;
      auto st = Page({}, &all, deadline);
      if (!st.ok()) return st.error();
      for (const auto& e : all) by_id.emplace(e.id, e);
    }
    Findings f;
    std::vector<std::string> done;
    for (const auto& i : images) {
      if (std::find(done.begin(), done.end(), i.image_id) != done.end()) continue;
      done.push_back(i.image_id);
      ImageFindings row;
      row.image_id = i.image_id;
      row.reference = i.reference == i.image_id ? "" : i.reference;
      auto it = by_id.find(i.image_id);
      if (it == by_id.end()) {
        d_.log.Warn("TCSS lists no findings for registry image " + i.image_id);
        row.scan_status = "UNKNOWN";
      } else {
        const auto& e = it->second;
        row.scan_status = e.scan_status;
        row.os_name = e.os_name;
        if (IsImageId(e.digest)) row.digest = e.digest;
        row.critical = e.critical;
        row.high = e.high;
        row.medium = e.medium;
        row.low = e.low;
        row.virus = e.virus;
        row.risk = e.risk;
      }
      AddImageFindings(f, row);
    }
    std::vector<VulnFinding> found;
    for (const auto& row : f.images) {
      if (row.critical + row.high + row.medium + row.low == 0) continue;
      for (int64_t page = 0; page < (every ? api::kMaxPages : 1); ++page) {
        int64_t limit = every ? api::kPageLimit : 20;
        auto resp = d_.client.Call("DescribeAssetImageRegistryVulList",
                                   ra::VulListBody(row.image_id, limit, page * limit));
        if (!resp.ok()) return resp.error();
        auto vulns = ra::ParseVulList(*resp, row.image_id);
        if (!vulns.ok()) return vulns.error();
        for (auto& v : *vulns) found.push_back(std::move(v));
        if (static_cast<int64_t>(vulns->size()) < limit) break;
      }
    }
    SetVulnerabilities(f, std::move(found), every);
    tcss::Status threats =
        ReadThreats(d_.client, d_.log, f, every, "DescribeAssetImageRegistryVirusList",
                    "DescribeAssetImageRegistryRiskInfoList",
                    [](const std::string& id, int64_t limit, int64_t offset) {
                      return ra::VulListBody(id, limit, offset);
                    });
    if (!threats.ok()) return threats.error();
    return f;
  }

 private:
  // The list entries that may match `refs`: filtered by ImageName while the service takes the
  // filter, else the whole list (bounded, with a progress line).
  Result<std::vector<ra::RegistryImage>> Entries(const std::vector<std::string>& refs,
                                                 int64_t deadline_ms) {
    std::vector<std::string> names;
    for (const auto& r : refs) {
      auto ref = ParseImageRef(r);
      if (!ref.ok()) continue;
      std::string n = ra::NameFilterValue(*ref);
      if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
    }
    if (sync_requested_) ReportSync();
    std::vector<ra::RegistryImage> out;
    if (!filter_refused_) {
      for (size_t b = 0; b < names.size(); b += api::kValuesPerFilter) {
        std::vector<std::string> batch(
            names.begin() + static_cast<std::ptrdiff_t>(b),
            names.begin() +
                static_cast<std::ptrdiff_t>(std::min(names.size(), b + api::kValuesPerFilter)));
        auto got = Page(batch, &out, deadline_ms);
        if (got.ok()) continue;
        if (got.error().kind == ErrorKind::kApi &&
            got.error().code.rfind("InvalidParameter", 0) == 0) {
          d_.log.Warn("the registry list refused the ImageName filter (" + got.error().code +
                      "); reading the whole list instead");
          filter_refused_ = true;
          out.clear();
          break;
        }
        return got.error();
      }
      if (!filter_refused_) return out;
    }
    auto all = Page({}, &out, deadline_ms);
    if (!all.ok()) return all.error();
    return out;
  }

  // Pages through the list (filtered by `names` unless empty), appending to `out`, until
  // `deadline_ms`: the lookup's, max(--resolve-timeout, --timeout), whatever TotalCount says.
  tcss::Status Page(const std::vector<std::string>& names, std::vector<ra::RegistryImage>* out,
                    int64_t deadline_ms) {
    const Config& c = d_.config;
    auto out_of_time = [&](int pages) {
      return TransportError(
          "ResolveTimeout",
          fmt::format("the registry list was not read within {:.0f}s (the larger of "
                      "--resolve-timeout {} and --timeout {}): {} pages, {} images read; raise "
                      "them, or name images TCSS lists sooner",
                      std::max(c.resolve_timeout_s, c.timeout_s), c.resolve_timeout_s, c.timeout_s,
                      pages, out->size()));
    };
    for (int page = 0; page < api::kMaxPages; ++page) {
      if (d_.clock.MonotonicMillis() >= deadline_ms) return out_of_time(page);
      auto resp = d_.client.Call("DescribeAssetImageRegistryList",
                                 ra::ListBody(names, api::kPageLimit, page * api::kPageLimit),
                                 CallOptions{true, deadline_ms});
      if (!resp.ok()) {
        bool late =
            resp.error().kind == ErrorKind::kTransport && d_.clock.MonotonicMillis() >= deadline_ms;
        return late ? out_of_time(page) : resp.error();
      }
      auto list = ra::ParseList(*resp);
      if (!list.ok()) return list.error();
      for (const auto& why : list->skipped) d_.log.Warn(why);
      for (auto& img : list->images) out->push_back(std::move(img));
      if (names.empty() && page > 0 && page % 10 == 0) {
        d_.log.Info(
            fmt::format("reading the registry list: {} of {} images", out->size(), list->total));
      }
      if ((list->images.empty() && list->skipped.empty()) ||
          (page + 1) * api::kPageLimit >= list->total) {
        break;
      }
    }
    return OkStatus();
  }

  void ReportSync() {
    auto resp = d_.client.Call("DescribeAssetImageRegistryAssetStatus", "{}");
    if (!resp.ok()) return;
    auto st = ra::ParseSyncStatus(*resp);
    if (!st.ok() || st->status == last_sync_status_) return;
    last_sync_status_ = st->status;
    if (st->status == "failed") {
      d_.log.Warn("TCSS's registry sync failed: " +
                  (st->error.empty() ? "no reason given" : st->error));
    } else {
      d_.log.Info("registry sync: " + st->status);
    }
  }

  SourceDeps d_;
  bool filter_refused_ = false;
  bool sync_requested_ = false;
  bool sync_refused_ = false;
  int64_t last_sync_ms_ = 0;
  std::string last_sync_status_;
};

}  // namespace

std::unique_ptr<ImageSource> MakeRegistrySource(SourceDeps deps) {
  return std::make_unique<RegistrySource>(deps);
}

}  // namespace tcss
