// HTTPS_PROXY/HTTP_PROXY/NO_PROXY, which POCO does not read itself: a small CONNECT (and plain
// forwarding) proxy on loopback records what went through it.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "harness.h"

namespace tcss::it {
namespace {

void Relay(int a, int b) {
  pollfd fds[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
  char buf[16384];
  while (poll(fds, 2, 10000) > 0) {
    for (int i = 0; i < 2; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0 || write(fds[1 - i].fd, buf, static_cast<size_t>(n)) != n) return;
    }
  }
}

class TestProxy {
 public:
  TestProxy() {
    listen_ = ListenLoopback(&port_);
    accept_thread_ = std::thread([this] {
      while (true) {
        int client = accept(listen_, nullptr, nullptr);
        if (client < 0) return;
        workers_.emplace_back([this, client] { Serve(client); });
      }
    });
  }
  ~TestProxy() {
    shutdown(listen_, SHUT_RDWR);
    close(listen_);
    accept_thread_.join();
    for (auto& w : workers_) w.join();
  }
  int port() const { return port_; }
  std::vector<std::string> Heads() {
    std::lock_guard<std::mutex> l(mu_);
    return heads_;
  }

 private:
  void Serve(int client) {
    std::string data;
    char buf[4096];
    while (data.find("\r\n\r\n") == std::string::npos) {
      ssize_t n = read(client, buf, sizeof buf);
      if (n <= 0) break;
      data.append(buf, static_cast<size_t>(n));
    }
    size_t end = data.find("\r\n\r\n");
    if (end == std::string::npos) {
      close(client);
      return;
    }
    std::string head = data.substr(0, end + 4);
    {
      std::lock_guard<std::mutex> l(mu_);
      heads_.push_back(head);
    }
    std::string line = head.substr(0, head.find("\r\n"));
    auto port_of = [](const std::string& hostport) {
      return std::stoi(hostport.substr(hostport.rfind(':') + 1));
    };
    if (line.rfind("CONNECT ", 0) == 0) {
      std::string target = line.substr(8, line.find(' ', 8) - 8);
      int upstream = ConnectLoopback(port_of(target));
      std::string reply = upstream < 0 ? "HTTP/1.1 502 Bad Gateway\r\n\r\n"
                                       : "HTTP/1.1 200 Connection established\r\n\r\n";
      (void)!write(client, reply.data(), reply.size());
      if (upstream >= 0) {
        Relay(client, upstream);
        close(upstream);
      }
    } else {
      // "POST http://127.0.0.1:PORT/ HTTP/1.1": forward with the path alone.
      size_t sp1 = line.find(' ');
      size_t sp2 = line.rfind(' ');
      std::string uri = line.substr(sp1 + 1, sp2 - sp1 - 1);
      std::string hostport = uri.substr(7, uri.find('/', 7) - 7);
      int upstream = ConnectLoopback(port_of(hostport));
      std::string rewritten = line.substr(0, sp1) + " " + uri.substr(7 + hostport.size()) +
                              line.substr(sp2) + head.substr(line.size()) + data.substr(end + 4);
      if (upstream >= 0) {
        (void)!write(upstream, rewritten.data(), rewritten.size());
        Relay(client, upstream);
        close(upstream);
      }
    }
    close(client);
  }

  int listen_ = -1;
  int port_ = 0;
  std::thread accept_thread_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::vector<std::string> heads_;
};

// An HTTPS emulator with its test CA trusted, and a proxy between tcss-scan and it.
struct ProxyOverTls : ::testing::Test {
  TempDir home;
  Emulator emu{{}, false, true};
  TestProxy proxy;
  Env env = [this] {
    Env e = ScanEnv(emu, home);
    e["SSL_CERT_FILE"] = emu.pki_ca();
    return e;
  }();
  std::string ProxyUrl(const std::string& userinfo = "") const {
    return "http://" + userinfo + "127.0.0.1:" + std::to_string(proxy.port());
  }
};

TEST_F(ProxyOverTls, HttpsGoesThroughConnectWithTheHostnameStillChecked) {
  env["HTTPS_PROXY"] = ProxyUrl();
  auto r = RunProcess({ScanBin(), kNginxId}, env);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto heads = proxy.Heads();
  ASSERT_EQ(heads.size(), 1u);  // one tunnel, kept alive
  EXPECT_EQ(heads[0].rfind("CONNECT localhost:" + std::to_string(emu.port()) + " HTTP/1.", 0), 0u)
      << heads[0];
  EXPECT_EQ(heads[0].find("Proxy-Authorization"), std::string::npos) << heads[0];
  EXPECT_EQ(emu.Requests()->size(), 1u);
}

TEST_F(ProxyOverTls, CredentialsInTheProxyUrlAreSentAsBasicAuth) {
  env["https_proxy"] = ProxyUrl("user:pass@");
  auto r = RunProcess({ScanBin(), kNginxId}, env);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto heads = proxy.Heads();
  ASSERT_FALSE(heads.empty());
  EXPECT_NE(heads[0].find("Proxy-Authorization: Basic dXNlcjpwYXNz"), std::string::npos)
      << heads[0];
  EXPECT_EQ(r.err.find("pass"), std::string::npos);
}

TEST_F(ProxyOverTls, PercentEscapesInTheProxyPasswordAreDecodedAndNeverPrinted) {
  env["https_proxy"] = ProxyUrl("us%40er:p%40ss%2F%23%3F@");
  auto r = RunProcess({ScanBin(), kNginxId}, env);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto heads = proxy.Heads();
  ASSERT_FALSE(heads.empty());
  // base64("us@er:p@ss/#?")
  EXPECT_NE(heads[0].find("Proxy-Authorization: Basic dXNAZXI6cEBzcy8jPw=="), std::string::npos)
      << heads[0];
  // A bad one is refused without showing the password, in stderr and in the annotation.
  env["https_proxy"] = "http://user:hunter2%zz@127.0.0.1:1";
  env["GITHUB_ACTIONS"] = "true";
  auto bad = RunProcess({ScanBin(), kNginxId}, env);
  EXPECT_EQ(bad.exit_code, 4) << bad.err;
  EXPECT_EQ(bad.err.find("hunter2"), std::string::npos) << bad.err;
  EXPECT_EQ(bad.out.find("hunter2"), std::string::npos) << bad.out;
  EXPECT_NE(bad.err.find("http://***@127.0.0.1:1"), std::string::npos) << bad.err;
}

TEST_F(ProxyOverTls, NoProxyBypassesIt) {
  env["HTTPS_PROXY"] = ProxyUrl();
  env["NO_PROXY"] = "example.com,localhost";
  auto r = RunProcess({ScanBin(), kNginxId}, env);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(proxy.Heads().empty());
}

TEST(Proxy, PlainHttpEndpointsUseHttpProxy) {
  TempDir home;
  Emulator emu;
  TestProxy proxy;
  Env env = BaseEnv(home.path());
  env["TCSS_ENDPOINT"] = emu.url();
  env["http_proxy"] = "127.0.0.1:" + std::to_string(proxy.port());
  env["HTTPS_PROXY"] = "http://127.0.0.1:1";  // not used for an http:// endpoint
  auto r = RunProcess({ScanBin(), kNginxId}, env);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto heads = proxy.Heads();
  ASSERT_FALSE(heads.empty());
  EXPECT_EQ(heads[0].rfind("POST http://127.0.0.1:" + std::to_string(emu.port()) + "/ HTTP/1.1", 0),
            0u)
      << heads[0];
}

TEST_F(ProxyOverTls, AnUnreachableProxyIsExit3NamingIt) {
  env["HTTPS_PROXY"] = "http://127.0.0.1:1";
  env["TCSS_TIMEOUT"] = "2";
  auto r = RunProcess({ScanBin(), kNginxId}, env);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("via proxy 127.0.0.1:1"), std::string::npos) << r.err;
  auto bad = RunProcess({ScanBin(), kNginxId}, [&] {
    Env e = env;
    e["HTTPS_PROXY"] = "socks5://127.0.0.1:1080";
    return e;
  }());
  EXPECT_EQ(bad.exit_code, 4);
  EXPECT_NE(bad.err.find("HTTPS_PROXY"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace tcss::it
