#include "app/system.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <spawn.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

#include "core/platforms/platform.h"
#include "core/text.h"

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

namespace {

std::string Dirname(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Follows symlinks (up to 40, as the kernel does) to the path that a write would reach; a
// dangling link yields the path it points to.
Result<std::string> FinalPath(std::string path) {
  for (int i = 0; i < 40; ++i) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return path;
    std::string target(static_cast<size_t>(st.st_size > 0 ? st.st_size : 4096) + 1, '\0');
    ssize_t n = ::readlink(path.c_str(), target.data(), target.size());
    if (n < 0) return UsageError("cannot read the symlink " + path + ": " + Errno());
    target.resize(static_cast<size_t>(n));
    path = !target.empty() && target[0] == '/' ? target : Dirname(path) + "/" + target;
  }
  return UsageError(path + ": too many levels of symbolic links");
}

Status WriteAllTo(int fd, const std::string& path, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return UsageError("cannot write " + path + ": " + Errno());
    }
    done += static_cast<size_t>(n);
  }
  return OkStatus();
}

}  // namespace

Result<int> RunProcess(const std::vector<std::string>& argv, std::string* output,
                       int64_t timeout_ms) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return UsageError("cannot create a pipe: " + Errno());
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
  std::vector<std::string> args = argv;
  std::vector<char*> argp;
  argp.reserve(args.size() + 1);
  for (auto& a : args) argp.push_back(a.data());
  argp.push_back(nullptr);
  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, argp[0], &actions, nullptr, argp.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    return UsageError("cannot run " + argv[0] + ": " + std::strerror(rc) +
                      (rc == ENOENT ? " (is it installed and on PATH?)" : ""));
  }
  // Each line on our stderr as "NAME: line", defused: what the program prints (docker's
  // progress, an agent's messages) can start no workflow or logging command.
  const std::string name = argv[0].substr(argv[0].rfind('/') + 1);
  std::string line;
  auto flush_line = [&] {
    WriteAll(2, name + ": " + platforms::DefuseLogCommands(text::OneLine(line)) + "\n");
    line.clear();
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  bool timed_out = false;
  char buf[4096];
  while (true) {
    if (timeout_ms > 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - std::chrono::steady_clock::now())
                      .count();
      pollfd pfd{fds[0], POLLIN, 0};
      int ready = left > 0 ? ::poll(&pfd, 1, static_cast<int>(std::min<int64_t>(left, 60000))) : 0;
      if (ready < 0 && errno == EINTR) continue;
      if (ready == 0 && left <= 60000) {
        timed_out = true;  // its children may keep the pipe open: stop it, stop reading
        ::kill(pid, SIGTERM);
        break;
      }
      if (ready == 0) continue;
    }
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (ssize_t i = 0; i < n; ++i) {
      if (buf[i] == '\n') {
        flush_line();
      } else if (line.size() < 4096) {
        line.push_back(buf[i]);
      }
    }
    if (output->size() < size_t{1} << 20) output->append(buf, static_cast<size_t>(n));
  }
  if (!line.empty()) flush_line();
  ::close(fds[0]);
  int status = 0;
  if (timed_out) {
    // A second to end on SIGTERM, then SIGKILL.
    for (int i = 0; i < 20 && ::waitpid(pid, &status, WNOHANG) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (::waitpid(pid, &status, WNOHANG) == 0) {
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
    return UsageError(fmt::format("did not finish within {:.1f}s (--timeout) and was stopped",
                                  static_cast<double>(timeout_ms) / 1000));
  }
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

bool GuardStandardDescriptors() {
  bool stdout_closed = false;
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    if (fd == 1) stdout_closed = true;
    int null_fd = ::open("/dev/null", O_RDWR);  // takes the lowest free number: this one
    if (null_fd >= 0 && null_fd != fd) {
      ::dup2(null_fd, fd);
      ::close(null_fd);
    }
  }
  return stdout_closed;
}

namespace {

// Where a replacement must be written: the file a symlink chain ends at (realpath for an
// existing file, which also sees through /proc's magic links; the link text for a dangling
// one).
Result<std::string> ReplaceTarget(const std::string& path, bool exists) {
  if (!exists) return FinalPath(path);
  char* real = ::realpath(path.c_str(), nullptr);
  if (real == nullptr) return UsageError("cannot resolve " + path + ": " + Errno());
  std::string out(real);
  std::free(real);
  return out;
}

}  // namespace

Status SystemFiles::CheckWritable(const std::string& path, bool replace) {
  struct stat st {};
  bool exists = ::stat(path.c_str(), &st) == 0;  // follows links, /proc's magic ones too
  if (exists) {
    if (S_ISDIR(st.st_mode)) return UsageError(path + " is a directory; name a file");
    if (::access(path.c_str(), W_OK) != 0) {
      return UsageError(path + " is not writable (" + Errno() + ")");
    }
    if (!replace || !S_ISREG(st.st_mode)) return OkStatus();
  }
  auto target = ReplaceTarget(path, exists);
  if (!target.ok()) return target.error();
  std::string dir = Dirname(*target);
  struct stat dst {};
  if (::stat(dir.c_str(), &dst) != 0 || !S_ISDIR(dst.st_mode)) {
    return UsageError(path + " points into a directory that does not exist (" + dir +
                      "); create it or change the path");
  }
  if (replace || !exists) {
    if (::access(dir.c_str(), W_OK | X_OK) != 0) {
      return UsageError("cannot create files in " + dir + " (" + Errno() + ") to write " + path);
    }
  }
  return OkStatus();
}

Status SystemFiles::DropSymlink(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return OkStatus();
  if (::unlink(path.c_str()) != 0) {
    return UsageError("cannot remove the symbolic link " + path + ": " + Errno());
  }
  return OkStatus();
}

Status SystemFiles::Append(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOCTTY | O_CLOEXEC, 0644);
  if (fd < 0) return UsageError("cannot open " + path + ": " + Errno());
  Status st = WriteAllTo(fd, path, text);
  if (::close(fd) != 0 && st.ok()) return UsageError("cannot write " + path + ": " + Errno());
  return st;
}

Status SystemFiles::Replace(const std::string& path, const std::string& text) {
  struct stat st {};
  bool exists = ::stat(path.c_str(), &st) == 0;
  if (exists && S_ISDIR(st.st_mode)) return UsageError(path + " is a directory; name a file");
  if (exists && !S_ISREG(st.st_mode)) {
    // A device, FIFO or terminal: written in place, never replaced by a regular file.
    int fd = ::open(path.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) return UsageError("cannot open " + path + ": " + Errno());
    Status w = WriteAllTo(fd, path, text);
    if (::close(fd) != 0 && w.ok()) return UsageError("cannot write " + path + ": " + Errno());
    return w;
  }
  auto resolved = ReplaceTarget(path, exists);
  if (!resolved.ok()) return resolved.error();
  const std::string& target = *resolved;
  // A temporary file nobody else can have made: a random name, O_EXCL and O_NOFOLLOW.
  std::string dir = Dirname(target);
  std::string base =
      target.substr(target.rfind('/') == std::string::npos ? 0 : target.rfind('/') + 1);
  std::string tmp;
  int fd = -1;
  SystemRandom random;
  for (int i = 0; i < 16 && fd < 0; ++i) {
    tmp = dir + "/." + base + ".tmp-" + random.Hex(6);
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) return UsageError("cannot create a temporary file beside " + path + ": " + Errno());
  if (exists) (void)::fchmod(fd, st.st_mode & 07777);  // keep the mode the file had
  Status w = WriteAllTo(fd, tmp, text);
  if (w.ok() && ::fsync(fd) != 0) w = UsageError("cannot write " + path + ": " + Errno());
  if (::close(fd) != 0 && w.ok()) w = UsageError("cannot write " + path + ": " + Errno());
  if (w.ok() && ::rename(tmp.c_str(), target.c_str()) != 0) {
    w = UsageError("cannot replace " + path + ": " + Errno());
  }
  if (!w.ok()) ::unlink(tmp.c_str());
  return w;
}

}  // namespace tcss
