#include "app/system.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <mutex>
#include <thread>

extern char** environ;

namespace tcss {

namespace {
std::atomic<bool> g_interrupted{false};
std::atomic<bool> g_done{false};
std::mutex g_words_mu;
std::string g_last_out;
std::string g_last_err = "tcss-scan: error: interrupted\n";
std::string Errno() { return std::strerror(errno); }

void WriteAll(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    ssize_t n = ::write(fd, s.data() + done, s.size() - done);
    if (n <= 0 && errno != EINTR) return;
    if (n > 0) done += static_cast<size_t>(n);
  }
}
}  // namespace

EnvMap ProcessEnvironment() {
  EnvMap env;
  for (char** e = environ; e && *e; ++e) {
    const char* eq = std::strchr(*e, '=');
    if (!eq) continue;
    env.emplace(std::string(*e, static_cast<size_t>(eq - *e)), std::string(eq + 1));
  }
  return env;
}

void InstallInterruptHandlers(int64_t grace_ms) {
  std::signal(SIGPIPE, SIG_IGN);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set, grace_ms] {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) return;
    g_interrupted.store(true);
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(grace_ms);
    while (std::chrono::steady_clock::now() < until) {
      if (g_done.load()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (g_done.load()) return;
    std::lock_guard<std::mutex> l(g_words_mu);
    WriteAll(1, g_last_out);
    WriteAll(2, g_last_err);
    ::_exit(130);
  }).detach();
}

void InterruptsDone() { g_done.store(true); }

void SystemSleeper::SetLastWords(const std::string& out, const std::string& err) {
  std::lock_guard<std::mutex> l(g_words_mu);
  g_last_out = out;
  g_last_err = err;
}

int64_t SystemClock::UnixSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t SystemClock::MonotonicMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool SystemSleeper::SleepMillis(int64_t ms) {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < until) {
    if (g_interrupted.load()) return false;
    auto left = until - std::chrono::steady_clock::now();
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(50)));
  }
  return !g_interrupted.load();
}

bool SystemSleeper::Interrupted() { return g_interrupted.load(); }

SystemRandom::SystemRandom() {
  if (getrandom(&state_, sizeof state_, 0) != static_cast<ssize_t>(sizeof state_)) {
    state_ = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
             static_cast<uint64_t>(getpid());
  }
  if (state_ == 0) state_ = 0x9E3779B97F4A7C15ULL;
}

double SystemRandom::Unit() {
  // xorshift64*: jitter needs spread, not secrecy.
  state_ ^= state_ >> 12;
  state_ ^= state_ << 25;
  state_ ^= state_ >> 27;
  uint64_t r = state_ * 2685821657736338717ULL;
  return static_cast<double>(r >> 11) / static_cast<double>(1ULL << 53);
}

std::string SystemRandom::Hex(size_t bytes) {
  std::string raw(bytes, '\0');
  if (getrandom(raw.data(), bytes, 0) != static_cast<ssize_t>(bytes)) {
    for (auto& c : raw) c = static_cast<char>(Unit() * 256);
  }
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xF]);
  }
  return out;
}

Result<std::string> SystemFiles::Read(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return UsageError(path + ": " + Errno());
  std::string out;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::string e = Errno();
      ::close(fd);
      return UsageError(path + ": " + e);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > size_t{64} * 1024 * 1024) {
      ::close(fd);
      return UsageError(path + ": larger than 64 MiB");
    }
  }
  ::close(fd);
  return out;
}

bool SystemFiles::Exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

bool SystemFiles::DirectoryExists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Status SystemFiles::Append(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return UsageError("cannot open " + path + ": " + Errno());
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::string e = Errno();
      ::close(fd);
      return UsageError("cannot write " + path + ": " + e);
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return UsageError("cannot write " + path + ": " + Errno());
  return OkStatus();
}

Status SystemFiles::WriteAtomic(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return UsageError("cannot create " + tmp + ": " + Errno());
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::string e = Errno();
      ::close(fd);
      ::unlink(tmp.c_str());
      return UsageError("cannot write " + tmp + ": " + e);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string e = Errno();
    ::unlink(tmp.c_str());
    return UsageError("cannot write " + path + ": " + e);
  }
  return OkStatus();
}

}  // namespace tcss
