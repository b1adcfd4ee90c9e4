#include "app/submit.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/api.h"
#include "core/policy.h"

namespace tcss {

namespace {

// The task TCSS is running now, if it scans `image_count` images (any number when 0).
std::optional<api::RunningTask> FindRunningTask(ApiClient& client, Logger& log, size_t image_count,
                                                const CallOptions& bound) {
  auto resp = client.Call("DescribeAssetImageScanTask", "{}", bound);
  if (!resp.ok()) {
    log.Warn("could not ask TCSS for its running scan task: " + resp.error().message);
    return std::nullopt;
  }
  auto task = api::ParseScanTask(*resp);
  if (!task.ok() || task->task_id.empty() || !IsRunningStatus(task->status)) return std::nullopt;
  if (image_count > 0) {
    auto st =
        client.Call("DescribeAssetImageScanStatus", api::ScanStatusBody(task->task_id), bound);
    if (!st.ok()) return std::nullopt;
    auto status = api::ParseScanStatus(*st);
    if (!status.ok() || status->image_total != static_cast<int64_t>(image_count)) {
      log.Verbose(fmt::format("running task {} scans {} image(s), not {}", task->task_id,
                              status.ok() ? status->image_total : -1, image_count));
      return std::nullopt;
    }
  }
  return *task;
}

}  // namespace

SubmitOutcome SubmitScan(ApiClient& client, Clock& clock, Logger& log, const std::string& body,
                         size_t image_count, int resubmits, int64_t timeout_ms) {
  SubmitOutcome out;
  const int64_t deadline = clock.MonotonicMillis() + timeout_ms;
  auto LookupBound = [&] {
    return CallOptions{
        true, std::max(deadline, clock.MonotonicMillis() + std::min<int64_t>(timeout_ms, 10000))};
  };
  bool maybe_started = false;  // an earlier attempt may have created the task
  for (int attempt = 0;; ++attempt) {
    auto resp = client.Call("CreateAssetImageScanTask", body, CallOptions{false, deadline});
    if (resp.ok()) {
      auto created = api::ParseCreateTask(*resp);
      if (!created.ok()) {
        out.error = created.error();
        return out;
      }
      out.task_id = created->task_id;
      out.request_id = created->request_id;
      return out;
    }
    Error e = resp.error();
    if (e.kind == ErrorKind::kApi && e.code == kAlreadyScanning) {
      auto running = FindRunningTask(client, log, maybe_started ? image_count : 0, LookupBound());
      if (running && maybe_started) {
        log.Info(fmt::format("task {} is the one the earlier attempt started (its answer was lost)",
                             running->task_id));
        out.task_id = running->task_id;
        out.request_id = e.request_id;
        out.recovered = true;
        return out;
      }
      if (running) {
        out.task_id = running->task_id;
        e.message += fmt::format(" (TCSS is already scanning them in task {})", running->task_id);
      }
      out.error = e;
      return out;
    }
    if (e.kind != ErrorKind::kTransport || !e.maybe_delivered) {
      out.error = e;
      return out;
    }
    log.Warn(
        fmt::format("the answer to CreateAssetImageScanTask was lost ({}); asking TCSS "
                    "whether the scan started",
                    e.message));
    if (auto running = FindRunningTask(client, log, image_count, LookupBound())) {
      log.Info(fmt::format("the scan started: task {} (found with DescribeAssetImageScanTask)",
                           running->task_id));
      out.task_id = running->task_id;
      out.recovered = true;
      return out;
    }
    if (attempt >= resubmits || clock.MonotonicMillis() >= deadline) {
      e.message += " (and TCSS reports no running scan task for these images)";
      out.error = e;
      return out;
    }
    maybe_started = true;
    log.Info("no running scan task found; sending the request again");
  }
}

}  // namespace tcss
