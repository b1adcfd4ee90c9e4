// Runs the real binaries as a user would: an explicit environment in, exit code, stdout,
// stderr and files out. Starts tcss-emulator on 127.0.0.1:0 and reads its request log.
#pragma once

#include <Poco/JSON/Object.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace tcss::it {

using Env = std::map<std::string, std::string>;

// Seconds a bound on a whole run's wall time allows for starting the process: under ASan, with
// the suites running in parallel on two cores, a start alone was seen to take over 2 s.
#if defined(__SANITIZE_ADDRESS__)
constexpr double kStartSlack = 3.0;
#else
constexpr double kStartSlack = 0.0;
#endif

struct ProcResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  double seconds = 0;
  double seconds_after_signal = -1;
};

// `env` is the whole environment of the child (PATH is added when missing).
// `interrupt_after_ms` > 0 sends `signal` (SIGINT by default) that long after the start.
// `seconds_after_signal` in the result tells how long the process took to end after it.
ProcResult RunProcess(const std::vector<std::string>& argv, const Env& env,
                      const std::string& cwd = "", int timeout_ms = 60000,
                      int interrupt_after_ms = 0, int signal = 2);

std::string BinDir();
std::string SourceDir();

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }
  void Write(const std::string& name, const std::string& text) const;
  std::string Read(const std::string& name) const;

 private:
  std::string path_;
};

std::string ReadFile(const std::string& path);

// A test CA, a certificate for localhost/127.0.0.1 and one for other.example, made by openssl.
struct TestPki {
  explicit TestPki(const TempDir& dir);
  std::string ca_cert, server_cert, server_key, wrong_cert, wrong_key;
};

inline const char* kSecretId = "AKIDintegration0000000000000000000000";
inline const char* kSecretKey = "SECRETKEY-must-never-leak-0123456789";
inline const char* kToken = "SESSIONTOKEN-must-never-leak-abcdef";

class Emulator {
 public:
  // Extra arguments go after --listen/--port-file. Credentials: kSecretId/kSecretKey (+token).
  explicit Emulator(std::vector<std::string> extra = {}, bool with_token = false, bool tls = false);
  ~Emulator();
  std::string url() const { return url_; }
  int port() const { return port_; }
  // JSON list of logged requests (GET /_emulator/requests).
  Poco::JSON::Array::Ptr Requests();
  std::vector<std::string> Actions();
  void AddFault(const std::string& spec);
  void Reset();
  // POSTs a signed request with our signer, `timestamp_offset` seconds off now.
  struct Answer {
    int status = 0;
    std::string body;
    std::string code;  // Response.Error.Code, "" on success
    Poco::JSON::Object::Ptr response;
  };
  Answer Call(const std::string& action, const std::string& body,
              const std::map<std::string, std::string>& header_overrides = {},
              const std::string& secret_key = kSecretKey, long timestamp_offset = 0,
              const std::string& token = "", const std::string& secret_id = kSecretId);
  Answer Raw(const std::string& method, const std::string& path,
             const std::vector<std::pair<std::string, std::string>>& headers,
             const std::string& body);
  int pid() const { return pid_; }
  std::string Stderr() const;
  TempDir& dir() { return dir_; }
  std::string pki_ca() const { return pki_ca_; }

 private:
  TempDir dir_;
  int pid_ = -1;
  int port_ = 0;
  std::string url_;
  std::string pki_ca_;
};

// The environment a test starts from: PATH, HOME in `home`, the test credentials.
Env BaseEnv(const std::string& home, bool with_creds = true);
// BaseEnv plus TCSS_ENDPOINT pointing at `emu`.
Env ScanEnv(const Emulator& emu, const TempDir& home);
// The variables the GitHub runner gives a step: GITHUB_ACTIONS, and GITHUB_OUTPUT and
// GITHUB_STEP_SUMMARY as the files `output` and `summary.md` in `home`.
void AsGithubStep(Env& env, const TempDir& home);
std::string ScanBin();  // the tcss-scan under test
// How often `needle` occurs in `text` (overlapping occurrences too).
inline int CountOf(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

inline int Count(const std::vector<std::string>& actions, const std::string& action) {
  return static_cast<int>(std::count(actions.begin(), actions.end(), action));
}
int ConnectLoopback(int port);  // a TCP socket to 127.0.0.1:port, or -1
// A listening TCP socket on 127.0.0.1 (an ephemeral port, written to *port), or -1.
int ListenLoopback(int* port);
// Sends raw bytes to 127.0.0.1:port and returns all that came back until the peer closed or
// `timeout_ms` passed without a byte.
std::string SendRaw(int port, const std::string& bytes, int timeout_ms = 8000);

// The emulator's built-in demo inventory.
inline const std::string kApp = "ccr.ccs.tencentyun.com/demo/app:1.0";  // 1/2/3/4 vulns, all listed
inline const std::string kAppId =
    "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef";
inline const std::string kNginx = "nginx:1.25";  // 1 low
inline const std::string kNginxId =
    "sha256:a8758716bb6aa4d90071160d27028fe4eaee7ce8166221a97d30440c8eac2be6";
inline const std::string kClean = "ccr.ccs.tencentyun.com/demo/clean:2.0";
inline const std::string kCleanId =
    "sha256:c849b2717cdcdce6e58e1e96a6ed6a8b7e2a8ddeb0a1d1b4e8cbfb3bc5a0a9a1";

}  // namespace tcss::it
