// Reference → TCSS image ID through DescribeAssetImageList (SPEC §2): 50 names a query (the
// values of one filter are ORed), paged by 100, exact comparison after normalisation, polling
// while the agents have not reported an image yet.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "app/api_client.h"
#include "core/outputs.h"

namespace tcss {

struct Resolution {
  std::vector<ImageResult> images;   // resolved references, and image IDs passed through
  std::vector<std::string> missing;  // references TCSS did not know within the time given
  // For a missing reference: what the lists read did hold of the same repository (other tags,
  // other digests), as listed, at most kMaxNear each. For the message's way out.
  std::map<std::string, std::vector<std::string>> near;
};
inline constexpr size_t kMaxNear = 5;
// Adds `listed` to near[reference] unless it is there or the list is full.
void AddNear(Resolution& r, const std::string& reference, const std::string& listed);

// `no_resolve` passes references through as they are. Errors are those of the API calls
// (or kInterrupted); unknown references are not an error here but end up in `missing`.
// `call_timeout_ms` is --timeout: the whole lookup ends by max(timeout_s, --timeout).
Result<Resolution> ResolveImages(ApiClient& client, Clock& clock, Sleeper& sleeper, Logger& log,
                                 const std::vector<std::string>& refs, bool no_resolve,
                                 double timeout_s, int64_t call_timeout_ms);

}  // namespace tcss
