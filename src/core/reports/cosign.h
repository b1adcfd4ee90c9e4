// --cosign-vuln-file: the predicate of `cosign attest --type vuln` (predicate type
// https://cosign.sigstore.dev/attestation/vuln/v1), in the shape cosign's own parser reads
// (sigstore/cosign pkg/cosign/attestation/attestation.go: invocation{parameters, uri,
// event_id, builder.id}, scanner{uri, version, db{uri, version}, result},
// metadata{scanStartedOn, scanFinishedOn} as RFC 3339), `result` being the findings document
// (--findings-file's, schemas/findings-1.schema.json).
#pragma once

#include <string>
#include <vector>

#include "core/outputs.h"
#include "core/reports/findings_file.h"

namespace tcss::reports {

struct PredicateContext {
  FindingsFileContext times;        // the scan's start and the findings' read
  std::string run_url;              // the CI run (platforms::RunLink), or ""
  std::string run_id;               // its ID, or ""
  std::string endpoint;             // the TCSS endpoint: the "database" the scanner asked
  std::vector<std::string> images;  // the references scanned: the invocation's parameters
};

std::string CosignVulnPredicate(const RunReport& report, const PredicateContext& ctx);

}  // namespace tcss::reports
