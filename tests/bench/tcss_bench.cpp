// Measurement helpers for scripts/bench.sh (not shipped):
//   tcss-bench run N CMD ARGS...         run a command N times; print median/min wall ms and
//                                        median/max peak RSS (from wait4) as one line
//   tcss-bench load URL THREADS SECONDS  signed CreateAssetImageScanTask calls over keep-alive
//                                        connections (image from TCSS_BENCH_IMAGE); print
//                                        requests/second
//   tcss-bench trivial-server            a POCO HTTPServer that answers a fixed body and does
//                                        no work (the baseline for `load`)
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/ThreadPool.h>
#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <thread>
#include <vector>

#include "app/api_client.h"

extern char** environ;

namespace {

int RunMany(int n, std::vector<std::string> cmd) {
  std::vector<double> wall;
  std::vector<long> rss;
  int failures = 0;
  std::vector<char*> argv;
  for (auto& c : cmd) argv.push_back(c.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  for (int i = 0; i < n; ++i) {
    auto start = std::chrono::steady_clock::now();
    pid_t pid;
    if (posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ) != 0) {
      std::cerr << "cannot run " << cmd[0] << "\n";
      return 1;
    }
    int status = 0;
    rusage ru{};
    wait4(pid, &status, 0, &ru);
    wall.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
    rss.push_back(ru.ru_maxrss);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failures;
  }
  std::sort(wall.begin(), wall.end());
  std::sort(rss.begin(), rss.end());
  std::cout << fmt::format(
      "median_ms={:.1f} min_ms={:.1f} median_rss_mb={:.1f} max_rss_mb={:.1f} runs={} failures={}\n",
      wall[wall.size() / 2], wall.front(), static_cast<double>(rss[rss.size() / 2]) / 1024.0,
      static_cast<double>(rss.back()) / 1024.0, n, failures);
  return failures == 0 ? 0 : 1;
}

// The endpoint and the credentials from TENCENTCLOUD_SECRET_ID/KEY; nullopt (said) when the
// URL is not an endpoint.
std::optional<tcss::ClientSettings> SettingsFor(const std::string& url) {
  auto endpoint = tcss::ParseEndpoint(url);
  if (!endpoint.ok()) {
    std::cerr << endpoint.error().message << "\n";
    return std::nullopt;
  }
  const char* id = std::getenv("TENCENTCLOUD_SECRET_ID");
  const char* key = std::getenv("TENCENTCLOUD_SECRET_KEY");
  tcss::ClientSettings s;
  s.endpoint = *endpoint;
  s.credentials = {id ? id : "", key ? key : "", "", ""};
  return s;
}

int Load(const std::string& url, int threads, double seconds) {
  auto settings = SettingsFor(url);
  if (!settings) return 1;
  const tcss::ClientSettings& s = *settings;
  const char* image = std::getenv("TCSS_BENCH_IMAGE");
  const std::string body =
      std::string(R"({"Images":[")") +
      (image ? image : "sha256:c849b2717cdcdce6e58e1e96a6ed6a8b7e2a8ddeb0a1d1b4e8cbfb3bc5a0a9a1") +
      R"("],"ScanVul":true,"ScanVirus":true,"ScanRisk":true})";
  std::atomic<long> ok{0}, errors{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      Poco::Net::HTTPClientSession session(s.endpoint.host, s.endpoint.port);
      session.setKeepAlive(true);
      session.setTimeout(Poco::Timespan(10, 0));
      while (!stop.load()) {
        try {
          auto signed_req =
              tcss::BuildSignedRequest(s, "CreateAssetImageScanTask", body, std::time(nullptr));
          Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, "/",
                                     Poco::Net::HTTPMessage::HTTP_1_1);
          for (const auto& h : signed_req.headers) {
            if (h.name == "Host")
              req.setHost(h.value);
            else
              req.set(h.name, h.value);
          }
          req.setContentLength(static_cast<std::streamsize>(body.size()));
          req.setKeepAlive(true);
          session.sendRequest(req) << body;
          Poco::Net::HTTPResponse resp;
          std::string answer;
          Poco::StreamCopier::copyToString(session.receiveResponse(resp), answer);
          bool good = resp.getStatus() == 200 && answer.find("\"Error\"") == std::string::npos;
          (good ? ok : errors)++;
        } catch (...) {
          errors++;
          session.reset();
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : pool) t.join();
  std::cout << fmt::format("requests_per_s={:.0f} ok={} errors={}\n",
                           static_cast<double>(ok.load()) / seconds, ok.load(), errors.load());
  return 0;
}

// Prints the headers of a signed CreateAssetImageScanTask for `body` (one "Name: value" a line),
// so that curl can post the very bytes tcss-scan would: --dry-run withholds the signature.
int Sign(const std::string& url, const std::string& body) {
  auto s = SettingsFor(url);
  if (!s) return 1;
  auto req = tcss::BuildSignedRequest(*s, "CreateAssetImageScanTask", body, std::time(nullptr));
  for (const auto& h : req.headers) std::cout << h.name << ": " << h.value << "\n";
  return 0;
}

class Fixed : public Poco::Net::HTTPRequestHandler {
 public:
  void handleRequest(Poco::Net::HTTPServerRequest& req,
                     Poco::Net::HTTPServerResponse& resp) override {
    std::string ignored;
    Poco::StreamCopier::copyToString(req.stream(), ignored);
    static const std::string kBody = R"({"Response":{"TaskID":"0","RequestId":"0"}})";
    resp.setContentType("application/json");
    resp.setContentLength(static_cast<std::streamsize>(kBody.size()));
    resp.send() << kBody;
  }
};
class FixedFactory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new Fixed;
  }
};

int TrivialServer() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0), 256);
  auto* params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(64);
  params->setKeepAlive(true);
  params->setMaxKeepAliveRequests(0);
  Poco::ThreadPool pool(4, 64);
  Poco::Net::HTTPServer server(new FixedFactory, pool, socket, params);
  server.start();
  std::cout << "listening on http://127.0.0.1:" << socket.address().port() << std::endl;
  int sig;
  sigwait(&set, &sig);
  server.stopAll(true);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> a(argv + 1, argv + argc);
  if (a.size() >= 3 && a[0] == "run") return RunMany(std::stoi(a[1]), {a.begin() + 2, a.end()});
  if (a.size() == 4 && a[0] == "load") return Load(a[1], std::stoi(a[2]), std::stod(a[3]));
  if (a.size() == 1 && a[0] == "trivial-server") return TrivialServer();
  if (a.size() == 3 && a[0] == "sign") return Sign(a[1], a[2]);
  std::cerr << "usage: tcss-bench run N CMD... | load URL THREADS SECONDS | trivial-server | "
               "sign URL BODY\n";
  return 2;
}
