#include "harness.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "app/api_client.h"
#include "core/json.h"

namespace tcss::it {

namespace fs = std::filesystem;

// TCSS_BIN_DIR in the environment points the tests at other binaries (the static build).
std::string BinDir() {
  const char* dir = std::getenv("TCSS_BIN_DIR");
  return dir && *dir ? dir : TCSS_BIN_DIR;
}
std::string SourceDir() { return TCSS_SOURCE_DIR; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "tcss-it-XXXXXX").string();
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) throw std::runtime_error("mkdtemp failed");
  path_ = buf.data();
}
TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}
void TempDir::Write(const std::string& name, const std::string& text) const {
  std::ofstream(File(name), std::ios::binary) << text;
}
std::string TempDir::Read(const std::string& name) const { return ReadFile(File(name)); }

ProcResult RunProcess(const std::vector<std::string>& argv, const Env& env_in,
                      const std::string& cwd, int timeout_ms, int interrupt_after_ms, int signal) {
  Env env = env_in;
  if (!env.count("PATH")) env["PATH"] = "/usr/local/bin:/usr/bin:/bin";
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> argp;
  for (auto& a : args) argp.push_back(a.data());
  argp.push_back(nullptr);

  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());
  auto start = std::chrono::steady_clock::now();
  pid_t pid = -1;
  int rc = posix_spawn(&pid, args[0].c_str(), &fa, nullptr, argp.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  close(out_pipe[1]);
  close(err_pipe[1]);
  ProcResult r;
  if (rc != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    r.err = std::string("spawn failed: ") + std::strerror(rc);
    return r;
  }
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  bool killed = false;
  bool interrupted = false;
  std::chrono::steady_clock::time_point signal_at;
  while (open_fds > 0) {
    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - start)
                       .count();
    if (interrupt_after_ms > 0 && elapsed > interrupt_after_ms && !interrupted) {
      kill(pid, signal);
      interrupted = true;
      signal_at = std::chrono::steady_clock::now();
    }
    if (elapsed > timeout_ms && !killed) {
      kill(pid, SIGKILL);
      killed = true;
    }
    if (poll(fds, 2, 100) < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[65536];
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        (i == 0 ? r.out : r.err).append(buf, static_cast<size_t>(n));
      }
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (interrupted) {
    r.seconds_after_signal =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - signal_at).count();
  }
  if (killed)
    r.exit_code = -2;
  else if (WIFEXITED(status))
    r.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    r.exit_code = 128 + WTERMSIG(status);
  return r;
}

Env BaseEnv(const std::string& home, bool with_creds) {
  Env env = {{"PATH", "/usr/local/bin:/usr/bin:/bin"}, {"HOME", home}};
  if (with_creds) {
    env["TENCENTCLOUD_SECRET_ID"] = kSecretId;
    env["TENCENTCLOUD_SECRET_KEY"] = kSecretKey;
  }
  return env;
}

Env ScanEnv(const Emulator& emu, const TempDir& home) {
  Env env = BaseEnv(home.path());
  env["TCSS_ENDPOINT"] = emu.url();
  return env;
}

void AsGithubStep(Env& env, const TempDir& home) {
  env["GITHUB_ACTIONS"] = "true";
  env["GITHUB_OUTPUT"] = home.File("output");
  env["GITHUB_STEP_SUMMARY"] = home.File("summary.md");
}

std::string ScanBin() { return BinDir() + "/tcss-scan"; }

int ConnectLoopback(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

int ListenLoopback(int* port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd, 16) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    close(fd);
    return -1;
  }
  *port = ntohs(a.sin_port);
  return fd;
}

std::string SendRaw(int port, const std::string& bytes, int timeout_ms) {
  int fd = ConnectLoopback(port);
  if (fd < 0) return "";
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  (void)!write(fd, bytes.data(), bytes.size());
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  close(fd);
  return out;
}

TestPki::TestPki(const TempDir& dir) {
  ca_cert = dir.File("ca.pem");
  server_cert = dir.File("server.pem");
  server_key = dir.File("server.key");
  wrong_cert = dir.File("wrong.pem");
  wrong_key = dir.File("wrong.key");
  auto sh = [&](const std::string& cmd) {
    auto r = RunProcess({"/bin/sh", "-c", cmd}, {}, dir.path());
    if (r.exit_code != 0) throw std::runtime_error("openssl failed: " + cmd + "\n" + r.err);
  };
  if (fs::exists(ca_cert)) return;
  sh("openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 "
     "-subj /CN=tcss-test-ca 2>/dev/null");
  for (const auto& [name, san] : std::vector<std::pair<std::string, std::string>>{
           {"server", "DNS:localhost,IP:127.0.0.1"}, {"wrong", "DNS:other.example"}}) {
    sh("openssl req -newkey rsa:2048 -nodes -keyout " + name + ".key -out " + name +
       ".csr -subj /CN=" + (name == "server" ? std::string("localhost") : "other.example") +
       " 2>/dev/null && printf 'subjectAltName=" + san + "\\n' > " + name +
       ".ext && "
       "openssl x509 -req -in " +
       name +
       ".csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
       "-extfile " +
       name + ".ext -out " + name + ".pem 2>/dev/null");
  }
}

Emulator::Emulator(std::vector<std::string> extra, bool with_token, bool tls) {
  std::vector<std::string> argv = {BinDir() + "/tcss-emulator", "--listen", "127.0.0.1:0",
                                   "--port-file", dir_.File("port")};
  Env env = {{"PATH", "/usr/bin:/bin"}};
  if (with_token) {
    dir_.Write("creds.json", std::string(R"([{"secretId":")") + kSecretId + R"(","secretKey":")" +
                                 kSecretKey + R"(","token":")" + kToken + R"("}])");
    argv.insert(argv.end(), {"--credentials", dir_.File("creds.json")});
  } else {
    env["TENCENTCLOUD_SECRET_ID"] = kSecretId;
    env["TENCENTCLOUD_SECRET_KEY"] = kSecretKey;
  }
  if (tls) {
    TestPki pki(dir_);
    pki_ca_ = pki.ca_cert;
    argv.insert(argv.end(), {"--tls-cert", pki.server_cert, "--tls-key", pki.server_key});
  }
  argv.insert(argv.end(), extra.begin(), extra.end());
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<char*> argp;
  for (auto& a : argv) argp.push_back(a.data());
  argp.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, dir_.File("emulator.out").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, dir_.File("emulator.err").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid;
  if (posix_spawn(&pid, argv[0].c_str(), &fa, nullptr, argp.data(), envp.data()) != 0) {
    throw std::runtime_error("cannot start tcss-emulator");
  }
  posix_spawn_file_actions_destroy(&fa);
  pid_ = pid;
  // Up to 30 s: a big inventory under ASan on a busy machine takes several seconds to load.
  // An emulator that exited (a bad option, a bad inventory) is not waited for.
  for (int i = 0; i < 1200 && ReadFile(dir_.File("port")).empty(); ++i) {
    int status;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = 0;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  std::string port = ReadFile(dir_.File("port"));
  if (port.empty()) throw std::runtime_error("tcss-emulator did not start: " + Stderr());
  port_ = std::stoi(port);
  url_ = (tls ? "https://localhost:" : "http://127.0.0.1:") + std::to_string(port_);
}

Emulator::~Emulator() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 200; ++i) {
    int status;
    pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_ || done < 0) return;  // exited, or already reaped by the test
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

std::string Emulator::Stderr() const { return ReadFile(dir_.File("emulator.err")); }

Emulator::Answer Emulator::Raw(const std::string& method, const std::string& path,
                               const std::vector<std::pair<std::string, std::string>>& headers,
                               const std::string& body) {
  std::unique_ptr<Poco::Net::HTTPClientSession> s;
  if (!pki_ca_.empty()) {
    Poco::Net::Context::Params p;
    p.caLocation = pki_ca_;
    p.verificationMode = Poco::Net::Context::VERIFY_STRICT;
    Poco::Net::Context::Ptr ctx = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, p);
    s = std::make_unique<Poco::Net::HTTPSClientSession>("localhost",
                                                        static_cast<Poco::UInt16>(port_), ctx);
  } else {
    s = std::make_unique<Poco::Net::HTTPClientSession>("127.0.0.1",
                                                       static_cast<Poco::UInt16>(port_));
  }
  s->setTimeout(Poco::Timespan(30, 0));
  Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [k, v] : headers) {
    if (k == "Host")
      req.setHost(v);
    else
      req.set(k, v);
  }
  req.setContentLength(static_cast<std::streamsize>(body.size()));
  s->sendRequest(req) << body;
  Poco::Net::HTTPResponse resp;
  std::istream& is = s->receiveResponse(resp);
  Answer a;
  a.status = static_cast<int>(resp.getStatus());
  std::stringstream ss;
  ss << is.rdbuf();
  a.body = ss.str();
  auto parsed = json::ParseObject(a.body, 64, 10000000);
  if (parsed.ok() && (*parsed)->has("Response")) {
    a.response = (*parsed)->getObject("Response");
    if (a.response && a.response->has("Error")) {
      a.code = a.response->getObject("Error")->getValue<std::string>("Code");
    }
  }
  return a;
}

Emulator::Answer Emulator::Call(const std::string& action, const std::string& body,
                                const std::map<std::string, std::string>& overrides,
                                const std::string& secret_key, long timestamp_offset,
                                const std::string& token, const std::string& secret_id) {
  ClientSettings s;
  s.endpoint = *ParseEndpoint(url_);
  s.credentials = {secret_id, secret_key, token, ""};
  s.language = "";
  long now = static_cast<long>(std::time(nullptr)) + timestamp_offset;
  HttpRequest r = BuildSignedRequest(s, action, body, now);
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& h : r.headers) {
    auto it = overrides.find(h.name);
    if (it == overrides.end())
      headers.emplace_back(h.name, h.value);
    else if (!it->second.empty())
      headers.emplace_back(h.name, it->second);
  }
  for (const auto& [k, v] : overrides) {
    bool present = false;
    for (const auto& h : r.headers) present |= h.name == k;
    if (!present && !v.empty()) headers.emplace_back(k, v);
  }
  return Raw("POST", "/", headers, r.body);
}

Poco::JSON::Array::Ptr Emulator::Requests() {
  auto a = Raw("GET", "/_emulator/requests", {}, "");
  auto parsed = json::ParseObject(a.body, 1000, 10000000);
  if (!parsed.ok()) throw std::runtime_error("bad /_emulator/requests: " + a.body.substr(0, 200));
  return (*parsed)->getArray("Requests");
}

std::vector<std::string> Emulator::Actions() {
  std::vector<std::string> out;
  auto reqs = Requests();
  for (size_t i = 0; i < reqs->size(); ++i) {
    out.push_back(reqs->getObject(static_cast<unsigned>(i))->getValue<std::string>("Action"));
  }
  return out;
}

void Emulator::AddFault(const std::string& spec) {
  auto a = Raw("POST", "/_emulator/faults", {}, "{\"Faults\":[" + json::Quote(spec) + "]}");
  if (a.status != 200) throw std::runtime_error("fault not accepted: " + a.body);
}

void Emulator::Reset() { Raw("POST", "/_emulator/reset", {}, ""); }

}  // namespace tcss::it
