// Fuzz targets, shared by the libFuzzer executables (fuzz_main.cpp) and the replay test that
// runs every corpus and regression file in the ordinary build. Each returns 0; a broken
// invariant aborts.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tcss::fuzz {

int Envelope(const uint8_t* data, size_t size);    // response envelope and per-action parsers
int ImageRef(const uint8_t* data, size_t size);    // reference grammar, URLs, NO_PROXY
int Config(const uint8_t* data, size_t size);      // env + argv → Config; credentials; outputs
int Emulator(const uint8_t* data, size_t size);    // emulator request handling: headers + body
int IgnoreFile(const uint8_t* data, size_t size);  // the ignore file, then triage with its rules
int Vex(const uint8_t* data, size_t size);
int Baseline(const uint8_t* data, size_t size);  // a baseline file compared; forge answers // an
                                                 // OpenVEX document applied; purls

}  // namespace tcss::fuzz
