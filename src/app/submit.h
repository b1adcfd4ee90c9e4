// Creating a scan task is not idempotent: a request whose answer was lost may have started a
// scan, and sending it again then meets FailedOperation.ErrAlreadyScanning. SubmitScan never
// turns that into a lost TaskID: after such a failure it asks TCSS which task is running
// (DescribeAssetImageScanTask, confirmed by DescribeAssetImageScanStatus's image count) and
// adopts it, and only sends the request again when no such task exists.
#pragma once

#include <optional>
#include <string>

#include "app/api_client.h"

namespace tcss {

inline constexpr const char* kAlreadyScanning = "FailedOperation.ErrAlreadyScanning";

struct SubmitOutcome {
  // The task created or recovered; with `error` set, the task already running (if TCSS names
  // one), so the TaskID still reaches the outputs.
  std::string task_id;
  std::string request_id;
  std::optional<Error> error;
  bool recovered = false;  // the answer was lost and the task was found afterwards
  // TCSS answered ErrAlreadyScanning and the running task scans as many images: it is followed
  // instead (`adopted_started` is its LastScanTime).
  bool adopted = false;
  std::string adopted_started;
};

// `image_count` is the number of image IDs in `body` (0 for --all/--filter): a running task
// is taken as ours only if it scans that many images. `resubmits` bounds how often a request
// whose answer was lost is sent again when no running task is found.
// The create attempts share one --timeout (`timeout_ms` from the first); the look-up after a
// lost answer may take up to 10 s more, so a hung service ends the submission at about
// --timeout, not a multiple of it.
// `adopt_running`: on ErrAlreadyScanning for images (`image_count` > 0), a running task that
// scans that many images is adopted (re-running a job while its scan still runs is not an
// error); when none can be identified the error stays, saying why.
SubmitOutcome SubmitScan(ApiClient& client, Clock& clock, Logger& log, const std::string& body,
                         size_t image_count, int resubmits, int64_t timeout_ms,
                         bool adopt_running = false);

}  // namespace tcss
