// Reference → TCSS image ID through DescribeAssetImageList (SPEC §2): 50 names a query (the
// values of one filter are ORed), paged by 100, exact comparison after normalisation, polling
// while the agents have not reported an image yet.
#pragma once

#include <string>
#include <vector>

#include "app/api_client.h"
#include "core/outputs.h"

namespace tcss {

struct Resolution {
  std::vector<ImageResult> images;   // resolved references, and image IDs passed through
  std::vector<std::string> missing;  // references TCSS did not know within the time given
};

// `no_resolve` passes references through as they are. Errors are those of the API calls
// (or kInterrupted); unknown references are not an error here but end up in `missing`.
// `call_timeout_ms` is --timeout: the whole lookup ends by max(timeout_s, --timeout).
Result<Resolution> ResolveImages(ApiClient& client, Clock& clock, Sleeper& sleeper, Logger& log,
                                 const std::vector<std::string>& refs, bool no_resolve,
                                 double timeout_s, int64_t call_timeout_ms);

}  // namespace tcss
