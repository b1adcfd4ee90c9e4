#include "app/submit.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/api.h"
#include "core/policy.h"

namespace tcss {

namespace {

using MaybeTask = std::optional<api::RunningTask>;
const MaybeTask kNone;

// The task TCSS is running now, if it can be ours: it scans `image_count` images (any number
// when 0) and started between the Unix times `earliest` and `latest` (no check when
// `earliest` is 0). An error means TCSS could not be asked, which is not "none runs".
// `why` (optional) says why no task was taken.
Result<MaybeTask> FindRunningTask(ApiClient& client, Logger& log, size_t image_count,
                                  int64_t earliest, int64_t latest, const CallOptions& bound,
                                  std::string* why = nullptr) {
  auto say = [&](const std::string& reason) {
    log.Verbose(reason);
    if (why != nullptr) *why = reason;
    return kNone;
  };
  auto resp = client.Call("DescribeAssetImageScanTask", "{}", bound);
  if (!resp.ok()) return resp.error();
  auto task = api::ParseScanTask(*resp);
  if (!task.ok()) return task.error();
  if (task->task_id.empty() || !IsRunningStatus(task->status)) {
    return say("DescribeAssetImageScanTask names no running task");
  }
  // Clocks differ and TCSS names no time zone: a minute either side, any whole-hour zone.
  if (earliest > 0 && !api::MayHaveStartedBetween(task->last_scan_time, earliest, latest, 60)) {
    return say(fmt::format("running task {} started at {}, before this run's request",
                           task->task_id, task->last_scan_time));
  }
  if (image_count > 0) {
    auto st =
        client.Call("DescribeAssetImageScanStatus", api::ScanStatusBody(task->task_id), bound);
    if (!st.ok()) return st.error();
    auto status = api::ParseScanStatus(*st);
    if (!status.ok()) return status.error();
    if (status->image_total != static_cast<int64_t>(image_count)) {
      return say(fmt::format("the running task {} scans {} image(s), not these {}", task->task_id,
                             status->image_total, image_count));
    }
  }
  return MaybeTask(*task);
}

}  // namespace

SubmitOutcome SubmitScan(ApiClient& client, Clock& clock, Logger& log, const std::string& body,
                         size_t image_count, int resubmits, int64_t timeout_ms,
                         bool adopt_running) {
  SubmitOutcome out;
  const int64_t deadline = clock.MonotonicMillis() + timeout_ms;
  const int64_t first_sent = clock.UnixSeconds();
  // The look-up after a lost answer has a deadline and retries of its own: one failed or
  // slow call must not turn "could not ask" into "none runs".
  auto LookupBound = [&] {
    return CallOptions{
        true, std::max(deadline, clock.MonotonicMillis() + std::min<int64_t>(timeout_ms, 10000)),
        2};
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
      const bool adopt = adopt_running && !maybe_started && image_count > 0;
      std::string why;
      auto running =
          FindRunningTask(client, log, maybe_started || adopt ? image_count : 0,
                          maybe_started ? first_sent : 0, clock.UnixSeconds(), LookupBound(), &why);
      if (adopt && running.ok() && *running) {
        out.task_id = (*running)->task_id;
        out.request_id = e.request_id;
        out.adopted = true;
        out.adopted_started = (*running)->last_scan_time;
        return out;
      }
      if (adopt) {
        e.message += fmt::format(
            " (the running task was not adopted: {})",
            running.ok() ? why
                         : "TCSS could not be asked which one runs: " + running.error().message);
      }
      if (running.ok() && *running && maybe_started) {
        log.Info(fmt::format("task {} is the one the earlier attempt started (its answer was lost)",
                             (*running)->task_id));
        out.task_id = (*running)->task_id;
        out.request_id = e.request_id;
        out.recovered = true;
        return out;
      }
      if (running.ok() && *running) {
        out.task_id = (*running)->task_id;
        e.message += fmt::format(" (TCSS is already scanning them in task {})", out.task_id);
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
    auto running =
        FindRunningTask(client, log, image_count, first_sent, clock.UnixSeconds(), LookupBound());
    if (!running.ok()) {
      // It may run: sending the request again could start a second scan.
      e.message += fmt::format(
          " (and TCSS could not be asked whether the scan started: {}; the request was not sent "
          "again, so that no second scan starts: see TCSS's console, or run again)",
          running.error().message);
      out.error = e;
      return out;
    }
    if (*running) {
      log.Info(fmt::format("the scan started: task {} (found with DescribeAssetImageScanTask)",
                           (*running)->task_id));
      out.task_id = (*running)->task_id;
      out.recovered = true;
      return out;
    }
    if (attempt >= resubmits || clock.MonotonicMillis() >= deadline) {
      e.message += " (and TCSS reports no running scan task for these images)";
      out.error = e;
      return out;
    }
    maybe_started = true;
    log.Info("no running scan task of these images started by this run; sending the request again");
  }
}

}  // namespace tcss
