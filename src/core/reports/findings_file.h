// --findings-file: the whole triaged result of a run as one JSON document, described by
// schemas/findings-1.schema.json (schemaVersion "1"). Scripts and the baseline of the next
// run read it, so its shape only grows: new fields may appear, none changes meaning.
#pragma once

#include <string>

#include "core/json.h"
#include "core/outputs.h"

namespace tcss::reports {

inline constexpr const char* kFindingsSchemaVersion = "1";

struct FindingsFileContext {
  std::string started_at;   // ISO 8601 UTC
  std::string finished_at;  // ISO 8601 UTC
};

// "baseline": what the findings were compared with, what is new, what the change removed (the
// findings file's and --output json's, one shape); nothing without a baseline.
void WriteBaseline(json::Writer& w, const Findings& f);

std::string FindingsFile(const RunReport& report, const FindingsFileContext& ctx);

}  // namespace tcss::reports
