#include "targets.h"

#include <cstdlib>
#include <string>
#include <vector>

#include "core/api.h"
#include "core/config.h"
#include "core/image_ref.h"
#include "core/json.h"
#include "core/outputs.h"
#include "core/text.h"
#include "core/url.h"
#include "emulator/auth.h"
#include "emulator/handlers.h"
#include "emulator/options.h"

namespace tcss::fuzz {

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

int Envelope(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  int status = data[0] % 4 == 0 ? 502 : 200;
  std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto r = api::ParseEnvelope(status, body);
  if (!r.ok()) {
    Check(r.error().kind == ErrorKind::kApi || r.error().kind == ErrorKind::kTransport);
    Check(!r.error().message.empty());
    return 0;
  }
  Check(status == 200);
  auto task = api::ParseCreateTask(*r);
  if (task.ok()) {
    // Whatever the service says, a TaskID we accept is safe in dotenv and GITHUB_OUTPUT.
    Check(DotenvContent({{"TCSS_TASK_ID", task->task_id}}).ok());
  }
  (void)api::ParseImageList(*r);
  (void)api::ParseScanStatus(*r);
  (void)api::ParseVulList(*r, "sha256:x");
  return 0;
}

int ImageRef(const uint8_t* data, size_t size) {
  std::string s(reinterpret_cast<const char*>(data), size);
  auto ref = ParseImageRef(s);
  if (ref.ok()) {
    std::string n = ref->Normalized();
    auto again = ParseImageRef(n);
    Check(again.ok());
    Check(again->Normalized() == n);  // normalisation is idempotent
    auto familiar = ParseImageRef(ref->Familiar());
    Check(familiar.ok() && familiar->Normalized() == n);
  }
  auto url = ParseEndpoint(s);
  if (url.ok()) Check(url->scheme == "https" || IsLoopbackHost(url->host));
  (void)NoProxyMatches(s, "tcss.tencentcloudapi.com");
  return 0;
}

int Config(const uint8_t* data, size_t size) {
  // NUL-separated tokens: "K=V" tokens before a lone "--" token are the environment.
  std::string s(reinterpret_cast<const char*>(data), size);
  EnvMap env;
  std::vector<std::string> args;
  bool in_env = true;
  for (const auto& tok : text::Split(s, '\0')) {
    if (in_env && tok == "--") {
      in_env = false;
      continue;
    }
    size_t eq = tok.find('=');
    if (in_env && eq != std::string::npos && eq > 0) {
      env[tok.substr(0, eq)] = tok.substr(eq + 1);
    } else {
      in_env = false;
      args.push_back(tok);
    }
  }
  auto c = ParseConfig(env, args);
  if (c.ok() && c->command == Command::kSubmit) {
    Check(c->all || !c->filters.empty() || !c->images.empty());
    for (const auto& img : c->images) Check(IsImageId(img) || ParseImageRef(img).ok());
    Check(c->timeout_s > 0 && c->retries >= 0 && c->retries <= 20);
  }
  (void)CredentialsFromEnv(env);
  (void)ParseCredentialsFile("fuzz", s);
  auto entry = GithubOutputEntry("task-id", s, "ghadelimiter_fuzz");
  if (entry.ok()) Check(s.find("ghadelimiter_fuzz") == std::string::npos);
  auto dotenv = DotenvContent({{"TCSS_TASK_ID", s}});
  if (dotenv.ok()) Check(dotenv->find('\n') == dotenv->size() - 1);
  return 0;
}

int Emulator(const uint8_t* data, size_t size) {
  // "name: value" header lines, a blank line, then the body.
  std::string s(reinterpret_cast<const char*>(data), size);
  size_t split = s.find("\n\n");
  std::string head = s.substr(0, split);
  std::string body = split == std::string::npos ? "" : s.substr(split + 2);
  emulator::AuthRequest req;
  for (const auto& line : text::Split(head, '\n')) {
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    std::string value = line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    req.headers[name] = value;
  }
  req.body = body;
  req.now_unix = 1700000000;
  std::string secret_id;
  emulator::Credential cred{"AKIDfuzz", "fuzzkey", ""};
  auto failure = emulator::VerifyTc3(
      req,
      [&](const std::string& id) {
        return id == cred.secret_id ? std::optional<emulator::Credential>(cred) : std::nullopt;
      },
      &secret_id);
  if (failure) Check(failure->code.rfind("AuthFailure.", 0) == 0);
  static emulator::State state({cred}, emulator::DemoInventory(), 1, 0);
  auto parsed = json::ParseObject(body, 64);
  if (!parsed.ok()) return 0;
  for (const char* action :
       {"CreateAssetImageScanTask", "DescribeAssetImageList", "DescribeAssetImageScanStatus",
        "DescribeAssetImageScanTask", "ModifyAssetImageScanStop", "DescribeAssetImageVulList"}) {
    auto result = emulator::HandleAction(state, action, *parsed, 1000, 1700000000);
    std::string envelope = emulator::Envelope(result, "req");
    // Every answer is a valid envelope our own client accepts or reports as an API error.
    auto back = api::ParseEnvelope(200, envelope);
    Check(back.ok() || back.error().kind == ErrorKind::kApi);
  }
  state.Reset();
  return 0;
}

}  // namespace tcss::fuzz
