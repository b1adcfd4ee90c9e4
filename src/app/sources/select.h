// Which source lists the references of a run (--source auto|registry|local), waiting up to
// --resolve-timeout for them to appear (asking each source to refresh once).
#pragma once

#include <vector>

#include "app/sources/source.h"

namespace tcss {

struct Selection {
  ImageSource* source = nullptr;  // the one that lists the images (the first given when none)
  Resolution resolution;
};

// `sources` in the order they are asked (auto: registry, then local). Image IDs (sha256:…
// without a repository) are local images. References found in two sources are refused: one
// run submits one task. The lookup as a whole ends by max(--resolve-timeout, --timeout).
Result<Selection> SelectImages(const std::vector<ImageSource*>& sources,
                               const std::vector<std::string>& refs, Clock& clock, Sleeper& sleeper,
                               Logger& log, double resolve_timeout_s, int64_t call_timeout_ms);

}  // namespace tcss
