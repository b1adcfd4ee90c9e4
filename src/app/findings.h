// The findings of an ended scan: per-image counts (DescribeAssetImageList, filter ImageID)
// and vulnerabilities (DescribeAssetImageVulList): the 20 worst of at most 20 images for the
// top list, or every one of them when a report needs them all.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "app/api_client.h"
#include "core/outputs.h"

namespace tcss {

// Adds an image's counts to the totals and the image to the list.
void AddImageFindings(Findings& f, const ImageFindings& row);
// Sorts what was read, most severe first (then by CVSS), into the top 10, and keeps it all in
// `f.all` when every vulnerability was read.
void SetVulnerabilities(Findings& f, std::vector<VulnFinding> found, bool every_vulnerability);

// Reads the viruses and risks of every image whose counts show some (of every image when
// `every`, a report needing them all): `virus_action`/`risk_action` paged with `body(id, limit,
// offset)`. The image's counts then tally the lists; a list that disagrees with its count is a
// warning naming the image (the list wins, so every output shows the same numbers).
using ListBody = std::function<std::string(const std::string&, int64_t, int64_t)>;
Status ReadThreats(ApiClient& client, Logger& log, Findings& f, bool every,
                   const std::string& virus_action, const std::string& risk_action,
                   const ListBody& body);

// The packages of every image TCSS lists (DescribeImageComponentList, paged) into f.components;
// a list shorter than its TotalCount is a warning naming the image.
Status ReadComponentLists(ApiClient& client, Logger& log, Findings& f);
// The packages the vulnerabilities name, once each per image (registry images: TCSS offers no
// component list for them).
std::vector<PackageComponent> ComponentsOfVulnerabilities(const Findings& f);

Result<Findings> CollectFindings(ApiClient& client, Logger& log,
                                 const std::vector<ImageResult>& images, bool every_vulnerability);

}  // namespace tcss
