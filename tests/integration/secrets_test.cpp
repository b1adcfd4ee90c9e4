// Every CLI path, run with a recognisable secret key and session token: neither appears in
// stdout, stderr or any file written, except the one ::add-mask:: line GitHub needs to mask
// the token; nor in the emulator's request log.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>

#include "harness.h"

namespace tcss::it {
namespace {

namespace fs = std::filesystem;

void ExpectNoSecret(const std::string& text, const std::string& where) {
  for (const std::string& secret : {std::string(kSecretKey), std::string(kToken)}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " leaked into " << where;
  }
}

TEST(Secrets, NeverLeakOnAnyPath) {
  TempDir home;
  Emulator emu({"--scan-seconds", "0.5"}, true);
  Emulator faulty({"--fault", "CreateAssetImageScanTask:HTTP502"}, true);
  Emulator slow({"--scan-seconds", "60"}, true);
  Env base = BaseEnv(home.path());
  base["TENCENTCLOUD_SESSION_TOKEN"] = kToken;
  base["TCSS_ENDPOINT"] = emu.url();
  AsGithubStep(base, home);
  base["TCSS_DOTENV"] = home.File("out.env");
  struct Case {
    std::vector<std::string> args;
    Env overrides;
  };
  const std::string bad_key = std::string(kSecretKey) + "x";
  std::vector<Case> cases = {
      {{kApp}, {}},
      {{"-v", kApp}, {}},
      {{"--dry-run", kApp}, {}},
      {{"--dry-run", "-v", "--output", "json", kApp}, {}},
      {{"--output", "json", "-v", kNginxId}, {}},
      {{"-v", "--wait", "--severity-threshold", "low", kApp}, {}},
      {{"-v", "--wait", "--wait-timeout", "1", kNginxId}, {{"TCSS_ENDPOINT", slow.url()}}},
      {{"-v", kNginxId}, {{"GITHUB_OUTPUT", "/dev/full"}}},
      {{"-v", "nope:1", "--resolve-timeout", "0"}, {}},
      {{"-v", "status", "6013a6c334b9a9000cf519be", "--image", kNginxId}, {}},
      {{"-v", kNginxId}, {{"TENCENTCLOUD_SECRET_KEY", bad_key}}},
      {{"-v", kNginxId}, {{"TENCENTCLOUD_SESSION_TOKEN", std::string(kToken) + "x"}}},
      {{"-v", "--timeout", "2", "--retries", "1", kNginxId}, {{"TCSS_ENDPOINT", faulty.url()}}},
      {{"-v", "--timeout", "1", kNginxId}, {{"TCSS_ENDPOINT", "http://127.0.0.1:1"}}},
      {{"-v", "--ca-file", "/nonexistent", kNginxId}, {}},
      {{"-v", "Bad:Ref"}, {}},
      {{"-v", "--frobnicate"}, {}},
      {{"-v", kNginxId}, {{"TENCENTCLOUD_SECRET_ID", "AKID with space"}}},
  };
  std::set<int> codes;
  for (const auto& c : cases) {
    emu.Reset();  // no task left running from the case before
    Env env = base;
    for (const auto& [k, v] : c.overrides) env[k] = v;
    std::vector<std::string> argv = {ScanBin()};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    auto r = RunProcess(argv, env, home.path());
    codes.insert(r.exit_code);
    std::string where = "the run with " + c.args[0] + " " + c.args.back();
    // The ::add-mask:: line is how the token is handed to GitHub to mask; nothing else may hold it.
    std::string out = std::regex_replace(r.out, std::regex("::add-mask::[^\n]*\n"), "");
    ExpectNoSecret(out, "stdout of " + where);
    ExpectNoSecret(r.err, "stderr of " + where);
  }
  // The paths above end in every exit code but 130 (covered in wait_test and hardening_test).
  EXPECT_EQ(codes, (std::set<int>{0, 1, 2, 3, 4, 5, 6}));
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(home.path())) {
    if (!e.is_regular_file()) continue;
    ExpectNoSecret(ReadFile(e.path().string()), e.path().string());
    ++files;
  }
  EXPECT_GE(files, 3);
  for (Emulator* e : {&emu, &faulty}) {
    ExpectNoSecret(e->Raw("GET", "/_emulator/requests", {}, "").body, "the emulator's request log");
    ExpectNoSecret(e->Stderr(), "the emulator's stderr");
  }
}

}  // namespace
}  // namespace tcss::it
