// The baseline a change is judged against (issue 23): another image's current findings
// (--baseline-image) or a findings file an earlier run wrote (--baseline-file). A finding is
// the same on both sides when its kind and identity match: a vulnerability's ID and package
// (not the version: a bumped package that still carries the CVE is not new), a virus's or a
// risk's ID.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/outputs.h"
#include "core/result.h"

namespace tcss::reports {

// The identity a baseline match uses.
std::string IdentityKey(const VulnFinding& v);
std::string IdentityKey(const ThreatFinding& t);
std::string IdentityKey(const BaselineFinding& b);

// Every finding of `f` (the baseline image's, read as any image's), ignored or not: an accepted
// finding is still in the image.
std::vector<BaselineFinding> BaselineFindingsOf(const Findings& f);

// A --findings-file document as a baseline. Exit 4 (a usage error naming the file and the JSON
// path) when it is not one of a schemaVersion this version reads; a document written without
// findings (its run did not wait or failed) is a baseline whose `missing` says so.
Result<Baseline> ParseBaselineFile(const std::string& path, std::string_view text);

// Marks every finding new or unchanged against `b` (every one new when it is missing), and
// lists in b.fixed what the baseline holds that is gone now. Part of reports::Triage.
void CompareWithBaseline(Findings& f, Baseline& b);

}  // namespace tcss::reports
