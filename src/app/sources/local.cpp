// Local images: DescribeAssetImageList, CreateAssetImageScanTask, DescribeAssetImageScanStatus.
#include <algorithm>

#include "app/findings.h"
#include "app/resolver.h"
#include "app/sources/source.h"
#include "core/api.h"
#include "core/policy.h"

namespace tcss {

namespace {

class LocalSource : public ImageSource {
 public:
  explicit LocalSource(SourceDeps d) : d_(d) {}
  Source kind() const override { return Source::kLocal; }

  Result<Resolution> LookUp(const std::vector<std::string>& refs, int64_t deadline_ms) override {
    // One pass: the resolver with no time to wait.
    struct NoSleep : Sleeper {
      bool SleepMillis(int64_t) override { return true; }
      bool Interrupted() override { return false; }
    } no_sleep;
    return ResolveImages(d_.client, d_.clock, no_sleep, d_.log, refs, false, 0,
                         std::max<int64_t>(1, deadline_ms - d_.clock.MonotonicMillis()));
  }

  Request CreateRequest(const std::vector<std::string>& ids) const override {
    return {"CreateAssetImageScanTask", api::CreateScanTaskBody(d_.config, ids)};
  }

  SubmitOutcome Submit(const std::vector<std::string>& ids) override {
    const Config& c = d_.config;
    bool by_id = !c.all && c.filters.empty();
    // Re-running a job while its scan still runs meets ErrAlreadyScanning: the running task is
    // followed, unless --fail-on names that code.
    return SubmitScan(d_.client, d_.clock, d_.log, CreateRequest(ids).body, by_id ? ids.size() : 0,
                      c.retries, static_cast<int64_t>(c.timeout_s * 1000),
                      !FailOnNames(c.fail_on, kAlreadyScanning));
  }

  Result<ScanState> Status(const std::string& task_id, const CallOptions& bound) override {
    auto resp = d_.client.Call("DescribeAssetImageScanStatus", api::ScanStatusBody(task_id), bound);
    if (!resp.ok()) return resp.error();
    auto st = api::ParseScanStatus(*resp);
    if (!st.ok()) return st.error();
    ScanState out;
    out.progress = {st->status,         st->schedule,     st->image_total,
                    st->image_scan_cnt, st->left_seconds, st->risk_count};
    out.finished_ok = st->status == "END";
    return out;
  }

  Result<Findings> ReadFindings(const std::vector<ImageResult>& images, bool every) override {
    return CollectFindings(d_.client, d_.log, images, every);
  }

  tcss::Status ReadComponents(Findings& f) override {
    return ReadComponentLists(d_.client, d_.log, f);
  }

 private:
  SourceDeps d_;
};

}  // namespace

std::unique_ptr<ImageSource> MakeLocalSource(SourceDeps deps) {
  return std::make_unique<LocalSource>(deps);
}

}  // namespace tcss
