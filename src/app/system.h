// The real Clock, Sleeper, Random and Files, and the process environment.
#pragma once

#include "app/ports.h"
#include "core/config.h"

namespace tcss {

EnvMap ProcessEnvironment();
// Takes SIGINT/SIGTERM on a watcher thread (they are blocked everywhere else; call before any
// other thread starts). The watcher sets the flag SystemSleeper observes; if the main thread
// has not finished `grace_ms` later (it may be blocked in a network call, which a signal does
// not cut short), the watcher writes the last words set with SetLastWords and ends the process
// with exit code 130.
void InstallInterruptHandlers(int64_t grace_ms = 2000);
// Tells the watcher the main thread is done (no forced exit after this).
void InterruptsDone();
// Opens /dev/null on whichever of descriptors 0-2 is closed, so that no socket or file the run
// opens later becomes its stdout. Returns whether stdout (1) was closed.
bool GuardStandardDescriptors();

// Ports::run_process for real: posix_spawnp, stdout and stderr through one pipe, kept in
// `output` and teed to fd 2 line by line ("NAME: line", defused).
Result<int> RunProcess(const std::vector<std::string>& argv, std::string* output,
                       int64_t timeout_ms);

class SystemClock : public Clock {
 public:
  int64_t UnixSeconds() override;
  int64_t MonotonicMillis() override;
};

class SystemSleeper : public Sleeper {
 public:
  bool SleepMillis(int64_t ms) override;
  bool Interrupted() override;
  void SetLastWords(const std::string& out, const std::string& err) override;
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
  Status CheckWritable(const std::string& path, bool replace) override;
  Status DropSymlink(const std::string& path) override;
  Status Append(const std::string& path, const std::string& text) override;
  Status Replace(const std::string& path, const std::string& text) override;
};

}  // namespace tcss
