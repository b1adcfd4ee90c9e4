// The findings of an ended scan: per-image counts (DescribeAssetImageList, filter ImageID)
// and vulnerabilities (DescribeAssetImageVulList): the 20 worst of at most 20 images for the
// top list, or every one of them when a report needs them all.
#pragma once

#include <vector>

#include "app/api_client.h"
#include "core/outputs.h"

namespace tcss {

Result<Findings> CollectFindings(ApiClient& client, Logger& log,
                                 const std::vector<ImageResult>& images, bool every_vulnerability);

}  // namespace tcss
