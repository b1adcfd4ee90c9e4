// tcss-emulator over real sockets: every auth failure, the error codes, the task lifecycle,
// the rate limit, concurrency, hostile input, start-up errors and shutdown.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "harness.h"

namespace tcss::it {
namespace {

const std::string kCreate = "CreateAssetImageScanTask";

std::string CreateBody(const std::string& id) {
  return R"({"Images":[")" + id + R"("],"ScanVul":true,"ScanVirus":true,"ScanRisk":true})";
}

TEST(EmulatorAuth, EveryFailure) {
  Emulator emu({}, true);
  std::string body = CreateBody(kCleanId);
  EXPECT_EQ(emu.Call(kCreate, body, {}, kSecretKey, 0, kToken).code, "");
  emu.Reset();
  EXPECT_EQ(emu.Call(kCreate, body, {{"Authorization", ""}}, kSecretKey, 0, kToken).code,
            "AuthFailure.InvalidAuthorization");
  EXPECT_EQ(
      emu.Call(kCreate, body, {{"Authorization", "HMAC-SHA1 Credential=x"}}, kSecretKey, 0, kToken)
          .code,
      "AuthFailure.InvalidAuthorization");
  EXPECT_EQ(emu.Call(kCreate, body,
                     {{"Authorization",
                       "TC3-HMAC-SHA256 Credential=AKIDnobody/2020-01-01/tcss/tc3_request, "
                       "SignedHeaders=content-type;host, Signature=" +
                           std::string(64, 'a')}},
                     kSecretKey, 0, kToken)
                .code,
            "AuthFailure.SignatureFailure");  // the scope's date is not the timestamp's
  EXPECT_EQ(emu.Call(kCreate, body, {}, "wrong-key", 0, kToken).code,
            "AuthFailure.SignatureFailure");
  EXPECT_EQ(emu.Call(kCreate, body, {}, kSecretKey, -400, kToken).code,
            "AuthFailure.SignatureExpire");
  EXPECT_EQ(emu.Call(kCreate, body, {}, kSecretKey, 400, kToken).code,
            "AuthFailure.SignatureExpire");
  EXPECT_EQ(emu.Call(kCreate, body, {}, kSecretKey, 0, "").code, "AuthFailure.TokenFailure");
  EXPECT_EQ(emu.Call(kCreate, body, {}, kSecretKey, 0, "other").code, "AuthFailure.TokenFailure");
  EXPECT_EQ(emu.Call(kCreate, body, {{"X-TC-Timestamp", "-5"}}, kSecretKey, 0, kToken).code,
            "AuthFailure.InvalidAuthorization");
  EXPECT_EQ(emu.Call(kCreate, body, {{"X-TC-Timestamp", "soon"}}, kSecretKey, 0, kToken).code,
            "AuthFailure.InvalidAuthorization");
  // A body changed after signing.
  auto tampered = emu.Call(kCreate, body, {{"Content-Type", "application/json; charset=utf-8"}},
                           kSecretKey, 0, kToken);
  EXPECT_EQ(tampered.code, "AuthFailure.SignatureFailure");
}

TEST(EmulatorAuth, SecretIdNotFoundAndServiceMustBeTcss) {
  Emulator emu;
  // Sign correctly with an unknown SecretId: the emulator cannot find it.
  auto a = emu.Raw(
      "POST", "/",
      {{"Content-Type", "application/json"},
       {"X-TC-Action", kCreate},
       {"X-TC-Version", "2020-11-01"},
       {"X-TC-Timestamp", std::to_string(std::time(nullptr))},
       {"Authorization",
        "TC3-HMAC-SHA256 Credential=AKIDunknown/" +
            std::string(
                "2099-01-01/tcss/tc3_request, SignedHeaders=content-type;host, Signature=") +
            std::string(64, 'b')}},
      "{}");
  // The date in scope is wrong too; the date check comes first.
  EXPECT_EQ(a.code, "AuthFailure.SignatureFailure");
  time_t now = std::time(nullptr);
  char date[16];
  tm tm_utc{};
  gmtime_r(&now, &tm_utc);
  strftime(date, sizeof date, "%Y-%m-%d", &tm_utc);
  auto b = emu.Raw(
      "POST", "/",
      {{"Content-Type", "application/json"},
       {"X-TC-Action", kCreate},
       {"X-TC-Version", "2020-11-01"},
       {"X-TC-Timestamp", std::to_string(now)},
       {"Authorization", "TC3-HMAC-SHA256 Credential=AKIDunknown/" + std::string(date) +
                             "/tcss/tc3_request, SignedHeaders=content-type;host, Signature=" +
                             std::string(64, 'b')}},
      "{}");
  EXPECT_EQ(b.code, "AuthFailure.SecretIdNotFound");
  auto c = emu.Raw(
      "POST", "/",
      {{"Content-Type", "application/json"},
       {"X-TC-Action", kCreate},
       {"X-TC-Version", "2020-11-01"},
       {"X-TC-Timestamp", std::to_string(now)},
       {"Authorization", "TC3-HMAC-SHA256 Credential=" + std::string(kSecretId) + "/" + date +
                             "/cvm/tc3_request, SignedHeaders=content-type;host, Signature=" +
                             std::string(64, 'b')}},
      "{}");
  EXPECT_EQ(c.code, "AuthFailure.SignatureFailure");
  EXPECT_NE(c.body.find("tcss"), std::string::npos);
  EXPECT_NE(c.response->getValue<std::string>("RequestId"), "");
}

TEST(EmulatorApi, ErrorCodes) {
  Emulator emu;
  EXPECT_EQ(emu.Call("NoSuchAction", "{}").code, "InvalidAction");
  EXPECT_EQ(emu.Call(kCreate, "{}", {{"X-TC-Version", "2017-03-12"}}).code, "NoSuchVersion");
  EXPECT_EQ(emu.Call(kCreate, "{\"Images\":[").code, "InvalidParameter.ParsingError");
  EXPECT_EQ(emu.Call(kCreate, std::string(10000, '[') + std::string(10000, ']')).code,
            "InvalidParameter.ParsingError");
  EXPECT_EQ(emu.Call(kCreate, R"({"Images":[")" + kAppId + R"("],"ScanVul":"yes"})").code,
            "InvalidParameter.InvalidFormat");
  EXPECT_EQ(emu.Call(kCreate, R"({"Images":"x","ScanVul":true})").code,
            "InvalidParameter.InvalidFormat");
  EXPECT_EQ(emu.Call(kCreate, R"({"ScanVul":true})").code, "InvalidParameter");
  EXPECT_EQ(emu.Call(kCreate, R"({"Images":[")" + kAppId + R"("]})").code, "InvalidParameter");
  EXPECT_EQ(emu.Call(kCreate, R"({"Bogus":1,"All":true,"ScanVul":true})").code, "UnknownParameter");
  EXPECT_EQ(emu.Call(kCreate, CreateBody("sha256:" + std::string(64, '0'))).code,
            "ResourceNotFound");
  std::string huge = R"({"Images":[")" + std::string(10 * 1024 * 1024 + 10, 'x') + R"("]})";
  EXPECT_EQ(emu.Call(kCreate, huge).code, "RequestSizeLimitExceeded");
  EXPECT_EQ(emu.Call("DescribeAssetImageList", R"({"Limit":101})").code, "InvalidParameterValue");
  EXPECT_EQ(emu.Call("DescribeAssetImageVulList", "{}").code, "MissingParameter");
  EXPECT_EQ(emu.Raw("GET", "/", {}, "").code, "UnsupportedProtocol");
  // Every one of them carried a RequestId.
  auto a = emu.Call("NoSuchAction", "{}");
  EXPECT_EQ(a.response->getValue<std::string>("RequestId").size(), 36u);
}

TEST(EmulatorApi, TaskLifecycleAndFindings) {
  Emulator emu({"--scan-seconds", "1.5"});
  auto created = emu.Call(kCreate, CreateBody(kAppId));
  ASSERT_EQ(created.code, "");
  std::string task = created.response->getValue<std::string>("TaskID");
  auto again = emu.Call(kCreate, CreateBody(kAppId));
  EXPECT_EQ(again.code, "FailedOperation.ErrAlreadyScanning");
  auto status = emu.Call("DescribeAssetImageScanStatus", R"({"TaskID":")" + task + R"("})");
  std::string s = status.response->getValue<std::string>("Status");
  EXPECT_TRUE(s == "READY" || s == "SCANNING") << s;
  auto list = emu.Call("DescribeAssetImageList",
                       R"({"Filters":[{"Name":"ImageID","Values":[")" + kAppId + R"("]}]})");
  EXPECT_EQ(list.response->getArray("List")->getObject(0)->getValue<int>("CriticalLevelVulCnt"), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1700));
  status = emu.Call("DescribeAssetImageScanStatus", R"({"TaskID":")" + task + R"("})");
  EXPECT_EQ(status.response->getValue<std::string>("Status"), "END");
  EXPECT_EQ(status.response->getValue<int>("Schedule"), 100);
  EXPECT_EQ(status.response->getValue<int>("ImageTotal"), 1);
  list = emu.Call("DescribeAssetImageList",
                  R"({"Filters":[{"Name":"ImageID","Values":[")" + kAppId + R"("]}]})");
  auto img = list.response->getArray("List")->getObject(0);
  EXPECT_EQ(img->getValue<std::string>("ScanStatus"), "SCANNED");
  EXPECT_EQ(img->getValue<int>("CriticalLevelVulCnt"), 1);
  EXPECT_EQ(img->getValue<int>("HighLevelVulCnt"), 2);
  auto vulns = emu.Call("DescribeAssetImageVulList", R"({"ImageID":")" + kAppId + R"("})");
  EXPECT_EQ(vulns.response->getValue<int>("TotalCount"), 10);
  EXPECT_EQ(vulns.response->getArray("List")->getObject(0)->getValue<std::string>("CVEID"),
            "CVE-2024-3094");
  EXPECT_EQ(emu.Call(kCreate, CreateBody(kAppId)).code, "");  // the task ended
  auto one_click = emu.Call("DescribeAssetImageScanTask", "{}");
  EXPECT_EQ(one_click.code, "");
  auto stop = emu.Call("ModifyAssetImageScanStop", R"({"Images":[")" + kAppId + R"("]})");
  EXPECT_EQ(stop.response->getValue<std::string>("Status"), "SUCCESS");
}

TEST(EmulatorApi, ImageListPagingAndNameFilter) {
  Emulator emu;
  // The demo inventory: app:1.0, nginx, clean, miner and app:main (the baseline).
  auto all = emu.Call("DescribeAssetImageList", R"({"Limit":2,"Offset":0})");
  EXPECT_EQ(all.response->getValue<int>("TotalCount"), 5);
  EXPECT_EQ(all.response->getArray("List")->size(), 2u);
  auto rest = emu.Call("DescribeAssetImageList", R"({"Limit":2,"Offset":3})");
  EXPECT_EQ(rest.response->getArray("List")->size(), 2u);
  auto named = emu.Call("DescribeAssetImageList",
                        R"({"Filters":[{"Name":"ImageName","Values":["demo/app"]}]})");
  EXPECT_EQ(named.response->getValue<int>("TotalCount"), 2);  // app:1.0 and app:main
}

TEST(EmulatorLimits, RateLimitPerActionPerSecond) {
  Emulator emu;
  int limited = 0;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 60; ++i) {
    if (emu.Call("DescribeAssetImageList", "{}").code == "RequestLimitExceeded") ++limited;
  }
  auto took = std::chrono::steady_clock::now() - start;
  if (took < std::chrono::milliseconds(1000)) {
    EXPECT_GE(limited, 40);
  }
  EXPECT_GT(limited, 0);
  // Another action has its own budget.
  EXPECT_NE(emu.Call("DescribeAssetImageScanTask", "{}").code, "RequestLimitExceeded");
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_EQ(emu.Call("DescribeAssetImageList", "{}").code, "");
  // The log shows no more than 20 accepted calls in any one-second window.
  auto reqs = emu.Requests();
  std::vector<int64_t> accepted;
  for (size_t i = 0; i < reqs->size(); ++i) {
    auto r = reqs->getObject(static_cast<unsigned>(i));
    if (r->getValue<std::string>("Action") == "DescribeAssetImageList" &&
        r->getValue<std::string>("ErrorCode") != "RequestLimitExceeded")
      accepted.push_back(r->getValue<int64_t>("TimeMs"));
  }
  for (size_t i = 20; i < accepted.size(); ++i) EXPECT_GE(accepted[i] - accepted[i - 20], 999);
}

TEST(EmulatorLimits, ConcurrentClientsAllAnswered) {
  Emulator emu({"--rate-limit", "0"});
  std::atomic<int> ok{0}, bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        try {
          auto a = emu.Call("DescribeAssetImageList", R"({"Limit":1})");
          (a.status == 200 && a.code.empty() ? ok : bad)++;
        } catch (...) {
          bad++;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1600);
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(emu.Requests()->size(), 1600u);
}

TEST(EmulatorHostileInput, NeverCrashesNeverHangs) {
  Emulator emu;
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage.push_back(static_cast<char>((i * 131) % 256));
  // Not HTTP at all, and a header over POCO's limits: answered with the API's envelope too.
  auto junk = SendRaw(emu.port(), garbage);
  EXPECT_NE(junk.find("400"), std::string::npos) << junk;
  EXPECT_NE(junk.find(R"({"Response":{"Error":{"Code":"UnsupportedProtocol")"), std::string::npos)
      << junk;
  EXPECT_NE(junk.find(R"("RequestId":")"), std::string::npos) << junk;
  auto huge_header =
      SendRaw(emu.port(), "POST / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(100000, 'a') +
                              "\r\nContent-Length: 2\r\n\r\n{}");
  EXPECT_NE(huge_header.find("400"), std::string::npos);
  EXPECT_NE(huge_header.find(R"("Code":"RequestSizeLimitExceeded")"), std::string::npos)
      << huge_header;
  // A body that stops mid-way: answered (or closed) within the server's read timeout.
  auto start = std::chrono::steady_clock::now();
  auto partial =
      SendRaw(emu.port(), "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"All\":");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(7));
  EXPECT_NE(partial.find("InvalidParameter.ParsingError"), std::string::npos) << partial;
  // Still serving.
  EXPECT_EQ(emu.Call("DescribeAssetImageList", "{}").code, "");
  EXPECT_EQ(emu.Call(kCreate, "\xff\xfe not json").code, "InvalidParameter.ParsingError");
}

TEST(EmulatorStartup, BadFilesExit4NamingTheFile) {
  TempDir dir;
  dir.Write("inv.json", R"([{"ImageID":"sha256:123","ImageName":"a:1"}])");
  dir.Write("broken.json", R"([{"ImageID":)");
  dir.Write("creds.json", R"([{"secretId":"x"}])");
  Env env = {{"TENCENTCLOUD_SECRET_ID", "a"}, {"TENCENTCLOUD_SECRET_KEY", "b"}};
  std::string bin = BinDir() + "/tcss-emulator";
  auto a = RunProcess({bin, "--inventory", dir.File("inv.json")}, env);
  EXPECT_EQ(a.exit_code, 4);
  EXPECT_NE(a.err.find("inv.json: image #1: ImageID"), std::string::npos) << a.err;
  auto b = RunProcess({bin, "--inventory", dir.File("broken.json")}, env);
  EXPECT_EQ(b.exit_code, 4);
  EXPECT_NE(b.err.find("broken.json: not valid JSON"), std::string::npos) << b.err;
  auto c = RunProcess({bin, "--credentials", dir.File("creds.json")}, {});
  EXPECT_EQ(c.exit_code, 4);
  EXPECT_NE(c.err.find("creds.json: entry #1"), std::string::npos) << c.err;
  auto d = RunProcess({bin}, {});
  EXPECT_EQ(d.exit_code, 4);
  EXPECT_NE(d.err.find("no credentials"), std::string::npos);
  auto e = RunProcess({bin, "--fault", "nocolon"}, env);
  EXPECT_EQ(e.exit_code, 4);
  auto f = RunProcess({bin, "--inventory", dir.File("missing.json")}, env);
  EXPECT_EQ(f.exit_code, 4);
  EXPECT_NE(f.err.find("missing.json"), std::string::npos);
}

TEST(EmulatorStartup, PrintsListeningFirstAndStopsCleanlyOnSigterm) {
  auto emu = std::make_unique<Emulator>();
  std::string first = ReadFile(emu->dir().File("emulator.out"));
  EXPECT_EQ(first, "listening on " + emu->url() + "\n");
  int pid = emu->pid();
  kill(pid, SIGTERM);
  int status = 0;
  for (int i = 0; i < 100 && waitpid(pid, &status, WNOHANG) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(WIFEXITED(status)) << "did not exit within 2 s";
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(EmulatorFaults, RuntimeFaultsCountDown) {
  Emulator emu;
  emu.AddFault("DescribeAssetImageList:InternalError:2");
  EXPECT_EQ(emu.Call("DescribeAssetImageList", "{}").code, "InternalError");
  EXPECT_EQ(emu.Call("DescribeAssetImageList", "{}").code, "InternalError");
  EXPECT_EQ(emu.Call("DescribeAssetImageList", "{}").code, "");
  emu.AddFault("*:HTTP503:1");
  EXPECT_EQ(emu.Call("DescribeAssetImageScanTask", "{}").status, 503);
  EXPECT_EQ(emu.Raw("POST", "/_emulator/faults", {}, "{\"Faults\":[\"bad\"]}").status, 400);
}

}  // namespace
}  // namespace tcss::it
