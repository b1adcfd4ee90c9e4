// The real Clock, Sleeper, Random and Files, and the process environment.
#pragma once

#include "app/ports.h"
#include "core/config.h"

namespace tcss {

EnvMap ProcessEnvironment();
// Installs SIGINT/SIGTERM handlers that SystemSleeper observes.
void InstallInterruptHandlers();

class SystemClock : public Clock {
 public:
  int64_t UnixSeconds() override;
  int64_t MonotonicMillis() override;
};

class SystemSleeper : public Sleeper {
 public:
  bool SleepMillis(int64_t ms) override;
  bool Interrupted() override;
};

class SystemRandom : public Random {
 public:
  SystemRandom();
  double Unit() override;
  std::string Hex(size_t bytes) override;

 private:
  uint64_t state_;
};

class SystemFiles : public Files {
 public:
  Result<std::string> Read(const std::string& path) override;
  bool Exists(const std::string& path) override;
  bool DirectoryExists(const std::string& path) override;
  Status Append(const std::string& path, const std::string& text) override;
  Status WriteAtomic(const std::string& path, const std::string& text) override;
};

}  // namespace tcss
