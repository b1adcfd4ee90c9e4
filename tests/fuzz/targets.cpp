#include "targets.h"

#include <cstdlib>
#include <string>
#include <vector>

#include "core/api.h"
#include "core/config.h"
#include "core/image_ref.h"
#include "core/json.h"
#include "core/outputs.h"
#include "core/registry_api.h"
#include "core/reports/baseline.h"
#include "core/reports/comment.h"
#include "core/reports/ignore.h"
#include "core/reports/model.h"
#include "core/reports/purl.h"
#include "core/reports/triage.h"
#include "core/reports/vex.h"
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
  // The registry actions' uint64 fields: an ID we accept is one, never another number.
  auto created = registry_api::ParseCreate(*r);
  if (created.ok()) Check(registry_api::IsRegistryTaskId(created->task_id));
  auto page = registry_api::ParseList(*r);
  if (page.ok()) {
    Check(page->images.size() <= static_cast<size_t>(api::kPageLimit));
    for (const auto& img : page->images) Check(registry_api::IsRegistryTaskId(img.id));
  }
  (void)registry_api::ParseStatus(*r);
  (void)registry_api::ParseVulList(*r, "1");
  return 0;
}

int IgnoreFile(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> warnings;
  auto rules = reports::ParseIgnoreFile(".tcss-scan-ignore", text, &warnings);
  if (!rules.ok()) {
    Check(rules.error().kind == ErrorKind::kUsage);
    return 0;
  }
  Findings f;
  f.images.push_back({"sha256:a", "ccr.ccs.tencentyun.com/a/b:1", "SCANNED", 0, 1, 0, 0, 0, 0});
  VulnFinding v;
  v.image_id = "sha256:a";
  v.level = 3;
  for (const auto& rule : *rules) {
    // What the reports show can be matched, and what is kept is bounded.
    Check(reports::IsFindingId(rule.id));
    Check(rule.reason.size() <= 500);
    v.cve_id = rule.id;
    f.all.push_back(v);
    if (f.all.size() == 64) break;
  }
  reports::TriageOptions o;
  o.rules = *rules;
  o.today = "2026-12-01";
  (void)reports::Triage(f, o);
  return 0;
}

int Vex(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  // The input as a purl too: what is built from a parsed one parses back to the same package.
  auto purl = reports::ParsePurl(text);
  if (purl) {
    std::string built = reports::PackagePurl("SYSTEM", "debian", purl->name, purl->version);
    if (!built.empty()) {
      auto again = reports::ParsePurl(built);
      Check(again && again->name == purl->name && again->version == purl->version);
    }
  }
  std::vector<std::string> warnings;
  auto statements = reports::ParseVex("fuzz.openvex.json", text, 0, &warnings);
  if (!statements.ok()) {
    Check(statements.error().kind == ErrorKind::kUsage);
    Check(statements.error().message.rfind("VEX file fuzz.openvex.json", 0) == 0);
    return 0;
  }
  for (const auto& st : *statements) {
    Check(st.status == "not_affected" || st.status == "affected" || st.status == "fixed" ||
          st.status == "under_investigation");
  }
  Findings f;
  ImageFindings img;
  img.image_id = "sha256:" + std::string(64, 'a');
  img.reference = "ccr.ccs.tencentyun.com/demo/app:1.0";
  img.scan_status = "SCANNED";
  img.digest = "sha256:" + std::string(64, 'b');
  img.os_name = "debian";
  f.images.push_back(img);
  for (const char* cve : {"CVE-2024-3094", "CVE-2023-44487", "TCSS-1"}) {
    VulnFinding v;
    v.image_id = img.image_id;
    v.cve_id = cve;
    v.level = 3;
    v.component = "xz-utils";
    v.version = "5.6.0";
    v.component_type = "SYSTEM";
    f.all.push_back(v);
  }
  size_t matched = reports::ApplyVex(f, *statements);
  Check(matched <= statements->size());
  for (const auto& v : f.all) {
    if (v.suppression.active()) Check(v.suppression.kind == Suppression::Kind::kVex);
  }
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

int Baseline(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  // The forges' answers: never a crash, ids always digits, a login never empty, a next page only
  // from a link.
  for (bool gitlab : {false, true}) {
    auto list = reports::ParseComments(text, gitlab);
    if (list.ok()) {
      for (const auto& c : *list)
        Check(!c.id.empty() && c.id.find_first_not_of("0123456789") == std::string::npos);
    }
    (void)reports::ParseLogin(text, gitlab);
  }
  auto viewer = reports::ParseViewerLogin(text);
  if (viewer.ok()) Check(!viewer->empty() && viewer->size() <= 255);
  std::string next = reports::NextLink(text);
  Check(next.empty() || next.size() < text.size());
  auto b = reports::ParseBaselineFile("fuzz.findings.json", text);
  if (!b.ok()) {
    Check(b.error().kind == ErrorKind::kUsage);
    Check(b.error().message.rfind("baseline file fuzz.findings.json", 0) == 0);
    return 0;
  }
  Findings f;
  ImageFindings img;
  img.image_id = "sha256:" + std::string(64, 'a');
  img.reference = "r.io/app:pr";
  img.high = 2;
  img.threats_read = true;
  f.images.push_back(img);
  for (const char* cve : {"CVE-2024-3094", "CVE-2023-44487"}) {
    VulnFinding v;
    v.image_id = img.image_id;
    v.cve_id = cve;
    v.level = 3;
    v.component = "xz-utils";
    f.all.push_back(v);
  }
  f.baseline = *b;
  reports::Triage(f, {});
  // Every finding is new or unchanged; the new ones are counted; what is fixed came from the
  // baseline and is not in the run.
  int64_t fresh = 0;
  for (const auto& v : f.all) {
    Check(v.state != BaselineState::kNone);
    if (v.state == BaselineState::kNew) ++fresh;
  }
  Check(f.totals.new_high == fresh && f.totals.high == 2);
  Check(f.baseline->fixed.size() <= f.baseline->findings.size());
  RunReport r;
  r.task_id = "t";
  r.threshold = "high";
  r.findings = f;
  const std::string marker = reports::CommentMarker("o/r", "j", {"r.io/app:pr"});
  std::string body = reports::CommentBody(r, marker, "", 4096);
  Check(body.size() <= 4096 && body.rfind(marker, 0) == 0);
  return 0;
}

}  // namespace tcss::fuzz
