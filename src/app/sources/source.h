// Where TCSS lists an image, behind one interface: the local images its agents saw on hosts,
// and the images of the registries connected to it. Each source looks references up, submits
// one scan task, reports its progress and reads its findings, with its own actions; the
// orchestrator (app.cpp) never names an action of either.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "app/api_client.h"
#include "app/resolver.h"
#include "app/submit.h"
#include "core/config.h"
#include "core/outputs.h"

namespace tcss {

struct ScanState {
  ScanProgress progress;
  bool finished_ok = false;  // terminal and successful: findings can be read
};

class ImageSource {
 public:
  virtual ~ImageSource() = default;
  virtual Source kind() const = 0;
  // One pass over the source's list: the references found (reference → this source's ID;
  // several IDs for one reference are all returned, with a warning) and those not found.
  // Every call it makes ends by `deadline_ms` (Clock::MonotonicMillis), however many pages.
  virtual Result<Resolution> LookUp(const std::vector<std::string>& refs, int64_t deadline_ms) = 0;
  // Asks the source to refresh its list (a registry sync); called before each wait for a
  // missing reference, the source decides how often it really asks. A refusal is a warning.
  virtual void Refresh() {}
  // The create request for `ids` (empty with --all/--filter): what Submit sends, and what
  // --dry-run prints.
  struct Request {
    std::string action;
    std::string body;
  };
  virtual Request CreateRequest(const std::vector<std::string>& ids) const = 0;
  // Creates the task for `ids` (empty with --all/--filter).
  virtual SubmitOutcome Submit(const std::vector<std::string>& ids) = 0;
  virtual Result<ScanState> Status(const std::string& task_id, const CallOptions& bound) = 0;
  virtual Result<Findings> ReadFindings(const std::vector<ImageResult>& images,
                                        bool every_vulnerability) = 0;
  // The packages of the images in `f` (for --sbom-file), into f.components.
  virtual tcss::Status ReadComponents(Findings& f) = 0;
};

struct SourceDeps {
  ApiClient& client;
  Clock& clock;
  Logger& log;
  const Config& config;
};

std::unique_ptr<ImageSource> MakeLocalSource(SourceDeps deps);
std::unique_ptr<ImageSource> MakeRegistrySource(SourceDeps deps);

}  // namespace tcss
