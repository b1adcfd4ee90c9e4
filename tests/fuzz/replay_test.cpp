// Runs every seed-corpus and regression file of every fuzz target in the ordinary build, so a
// finding, once saved under regressions/, stays fixed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "targets.h"

namespace {

namespace fs = std::filesystem;

using Target = int (*)(const uint8_t*, size_t);

void Replay(const std::string& name, Target target) {
  int files = 0;
  for (const char* kind : {"corpus", "regressions"}) {
    fs::path dir = fs::path(TCSS_FUZZ_DIR) / kind / name;
    if (!fs::exists(dir)) continue;
    for (const auto& e : fs::directory_iterator(dir)) {
      std::ifstream in(e.path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      std::string data = ss.str();
      SCOPED_TRACE(e.path().string());
      EXPECT_EQ(target(reinterpret_cast<const uint8_t*>(data.data()), data.size()), 0);
      ++files;
    }
  }
  EXPECT_GT(files, 0) << "no seed corpus for " << name;
}

TEST(FuzzReplay, Envelope) { Replay("envelope", tcss::fuzz::Envelope); }
TEST(FuzzReplay, ImageRef) { Replay("image_ref", tcss::fuzz::ImageRef); }
TEST(FuzzReplay, Config) { Replay("config", tcss::fuzz::Config); }
TEST(FuzzReplay, Emulator) { Replay("emulator", tcss::fuzz::Emulator); }
TEST(FuzzReplay, IgnoreFile) { Replay("ignore_file", tcss::fuzz::IgnoreFile); }
TEST(FuzzReplay, Vex) { Replay("vex", tcss::fuzz::Vex); }
TEST(FuzzReplay, Baseline) { Replay("baseline", tcss::fuzz::Baseline); }

}  // namespace
