// One libFuzzer executable per target: TCSS_FUZZ_TARGET names the function in targets.h.
#include "targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return tcss::fuzz::TCSS_FUZZ_TARGET(data, size);
}
