// OpenVEX documents (--vex; https://github.com/openvex/spec, v0.2.0, v0.0.1 read too): what a
// supplier or the team states about a vulnerability in an image. A statement whose status is
// not_affected or fixed suppresses the findings it matches (shown in every report, counted
// toward no gate); affected and under_investigation suppress nothing. Matching follows trivy
// and grype (docs/findings.md has the rules in full):
// - the vulnerability by the statement's vulnerability name, @id or aliases, against TCSS's
//   CVE ID and the ID the reports show;
// - the product by the image: a pkg:oci purl (its name the repository's last part; a version,
//   when given, the manifest digest or the image ID; qualifiers repository_url and tag, when
//   given, the image's; arch is not compared, TCSS names no architecture), the bare digest or
//   image ID, or an image reference;
// - subcomponents, when a product lists any, by the package: its purl (reports/purl.h) when
//   one can be built, else its name (and version, when the purl has one).
// When several statements match a finding, the latest wins: the statement's timestamp (else
// its document's), then the document's, then the order given.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/outputs.h"
#include "core/result.h"

namespace tcss::reports {

struct VexProduct {
  std::vector<std::string> ids;                         // @id, identifiers.purl, hashes sha-256
  std::vector<std::vector<std::string>> subcomponents;  // each one's identifiers
};

struct VexStatement {
  std::vector<std::string> vulnerability;  // name, @id, aliases (upper case)
  std::vector<VexProduct> products;
  std::string status;              // not_affected, affected, fixed, under_investigation
  std::string reason;              // the justification, else the impact statement
  int64_t timestamp = 0;           // the statement's, else the document's (Unix seconds)
  int64_t document_timestamp = 0;  // 0 when the document has none
  size_t order = 0;                // across every document, in the order given
  std::string document;            // the file
};

// At most this much of one VEX file is read.
inline constexpr size_t kMaxVexBytes = 16U << 20;

// One document's statements, numbered from `first_order`. A file that is not OpenVEX, or not
// valid, is an error (exit 4) naming the file and the JSON path of what is wrong; CycloneDX
// VEX and CSAF documents are refused with a message that names OpenVEX. What is usable but
// odd (a statement naming no product) is in `warnings`.
Result<std::vector<VexStatement>> ParseVex(const std::string& path, std::string_view text,
                                           size_t first_order,
                                           std::vector<std::string>* warnings = nullptr);

// "2024-01-02T03:04:05Z", with fractions and offsets: Unix seconds; nullopt when not RFC 3339.
std::optional<int64_t> ParseRfc3339(std::string_view s);

// Suppresses the vulnerabilities of `f` that the latest matching statement says are
// not_affected or fixed (those already suppressed are left as they are). Returns how many
// statements matched at least one finding.
size_t ApplyVex(Findings& f, const std::vector<VexStatement>& statements);

}  // namespace tcss::reports
