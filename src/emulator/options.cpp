#include "emulator/options.h"

#include <fmt/format.h>

#include <cctype>
#include <unordered_set>

#include "core/image_ref.h"
#include "core/json.h"
#include "core/text.h"
#include "core/url.h"

namespace tcss::emulator {

Result<Poco::JSON::Array::Ptr> ParseJsonList(const std::string& path, const std::string& text) {
  auto wrapped = json::ParseObject("{\"v\":" + text + "\n}", 64, 10000000);
  if (!wrapped.ok()) {
    std::string where = json::SyntaxErrorPosition(text);
    return UsageError(path + ": not valid JSON" + (where.empty() ? "" : " at " + where) + " (" +
                      wrapped.error().message + ")");
  }
  json::Reader r;
  auto a = r.Array(*wrapped, "v", true);
  if (!r.ok) return UsageError(path + ": expected a JSON list ([...]) at the top");
  return a;
}

Result<std::vector<Vuln>> ParseVulns(const Poco::JSON::Array::Ptr& vulns) {
  std::vector<Vuln> out;
  for (size_t j = 0; vulns && j < vulns->size(); ++j) {
    auto v = vulns->getObject(static_cast<unsigned>(j));
    if (v.isNull()) return UsageError(fmt::format("Vulns #{} is not an object", j + 1));
    json::Reader vr;
    Vuln vuln;
    vuln.cve_id = vr.String(v, "CVEID", true);
    vuln.name = vr.String(v, "Name", false);
    vuln.level = vr.Int(v, "Level", true);
    vuln.cvss = vr.Number(v, "CVSSV3Score", false);
    vuln.component = vr.String(v, "Component", false);
    vuln.version = vr.String(v, "Version", false);
    vuln.fixed_versions = vr.String(v, "FixedVersions", false);
    std::string category = vr.String(v, "CategoryType", false);
    if (!category.empty()) vuln.category_type = category;
    if (!vr.ok || vuln.level < 1 || vuln.level > 4) {
      return UsageError(fmt::format("Vulns #{} needs CVEID (string) and Level (1-4)", j + 1));
    }
    out.push_back(std::move(vuln));
  }
  return out;
}

Result<std::pair<std::vector<Virus>, std::vector<Risk>>> ParseThreats(
    const Poco::JSON::Object::Ptr& o) {
  json::Reader r;
  auto viruses = r.Array(o, "Viruses", false);
  auto risks = r.Array(o, "Risks", false);
  if (!r.ok) return UsageError("Viruses and Risks must be lists");
  std::pair<std::vector<Virus>, std::vector<Risk>> out;
  for (size_t j = 0; viruses && j < viruses->size(); ++j) {
    auto v = viruses->getObject(static_cast<unsigned>(j));
    json::Reader vr;
    Virus x;
    if (!v.isNull()) {
      x.path = vr.String(v, "Path", true);
      x.name = vr.String(v, "VirusName", true);
      x.md5 = vr.String(v, "Md5", false);
      x.file_name = vr.String(v, "FileName", false);
      x.level = vr.Int(v, "RiskLevel", false);
      x.desc = vr.String(v, "Desc", false);
      x.solution = vr.String(v, "Solution", false);
    }
    if (v.isNull() || !vr.ok) {
      return UsageError(fmt::format("Viruses #{} needs Path and VirusName (strings)", j + 1));
    }
    if (x.level == 0) x.level = 3;
    out.first.push_back(std::move(x));
  }
  for (size_t j = 0; risks && j < risks->size(); ++j) {
    auto v = risks->getObject(static_cast<unsigned>(j));
    json::Reader vr;
    Risk x;
    if (!v.isNull()) {
      x.behavior = vr.Int(v, "Behavior", false);
      x.type = vr.Int(v, "Type", false);
      x.level = vr.Int(v, "Level", false);
      x.desc = vr.String(v, "Desc", true);
      x.instruction = vr.String(v, "InstructionContent", false);
    }
    if (v.isNull() || !vr.ok)
      return UsageError(fmt::format("Risks #{} needs Desc (string)", j + 1));
    if (x.level == 0) x.level = 3;
    out.second.push_back(std::move(x));
  }
  return out;
}

std::vector<Image> DemoInventory() {
  Image app;
  app.image_id = "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef";
  app.image_name = "ccr.ccs.tencentyun.com/demo/app:1.0";
  app.critical = 1;
  app.high = 2;
  app.medium = 3;
  app.low = 4;
  // The list adds up to the counts (a client checks TCSS's levels against them); two
  // findings have no fixed version yet.
  app.vulns = {
      {"CVE-2024-3094", "xz backdoor", 4, 10.0, "xz-utils", "5.6.0", "5.6.2"},
      {"CVE-2023-44487", "HTTP/2 rapid reset", 3, 7.5, "nghttp2", "1.51.0", "1.57.0"},
      {"CVE-2023-4911", "glibc looney tunables", 3, 7.8, "glibc", "2.36", "2.36-9+deb12u3"},
      {"CVE-2023-5678", "openssl DH check", 2, 5.3, "openssl", "3.0.11", "3.0.13"},
      {"CVE-2024-0727", "openssl PKCS12 NULL dereference", 2, 5.5, "openssl", "3.0.11", "3.0.13"},
      {"CVE-2023-52425", "expat large token DoS", 2, 6.5, "libexpat1", "2.5.0", ""},
      {"CVE-2011-3374", "apt key revocation", 1, 3.7, "apt", "2.6.1", ""},
      {"CVE-2013-4392", "systemd chown race", 1, 3.3, "systemd", "252.17", "252.19"},
      {"CVE-2023-4039", "gcc stack protector", 1, 3.1, "libgcc-s1", "12.2.0", "12.3.0"},
      {"CVE-2022-27943", "libiberty recursion", 1, 2.5, "libstdc++6", "12.2.0", "13.1.0"}};
  // Its packages: those with vulnerabilities and two without.
  for (const auto& v : app.vulns) {
    if (app.components.empty() || app.components.back().name != v.component ||
        app.components.back().version != v.version)
      app.components.push_back(
          {v.component, v.version, "/var/lib/dpkg/status", "SYSTEM_COMPONENT"});
  }
  app.components.push_back({"bash", "5.2.15-2+b2", "/var/lib/dpkg/status", "SYSTEM_COMPONENT"});
  app.components.push_back({"coreutils", "9.1-1", "/var/lib/dpkg/status", "SYSTEM_COMPONENT"});
  // The default branch's build of the same app (issue 23's baseline), scanned before: the
  // high glibc finding and three of the others, and one the 1.0 build fixed (perl).
  Image main_branch;
  main_branch.image_id = "sha256:7a1c3e5b9d2f4a6c8e0b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c";
  main_branch.image_name = "ccr.ccs.tencentyun.com/demo/app:main";
  main_branch.scanned = true;
  main_branch.high = 1;
  main_branch.medium = 2;
  main_branch.low = 1;
  main_branch.vulns = {
      {"CVE-2023-4911", "glibc looney tunables", 3, 7.8, "glibc", "2.36", "2.36-9+deb12u3"},
      {"CVE-2023-5678", "openssl DH check", 2, 5.3, "openssl", "3.0.10", "3.0.13"},
      {"CVE-2023-31484", "perl CPAN TLS verification", 2, 6.5, "perl", "5.36.0",
       "5.36.0-7+deb12u1"},
      {"CVE-2011-3374", "apt key revocation", 1, 3.7, "apt", "2.6.1", ""}};
  for (const auto& v : main_branch.vulns)
    main_branch.components.push_back(
        {v.component, v.version, "/var/lib/dpkg/status", "SYSTEM_COMPONENT"});
  Image nginx;
  nginx.image_id = "sha256:a8758716bb6aa4d90071160d27028fe4eaee7ce8166221a97d30440c8eac2be6";
  nginx.image_name = "nginx:1.25";
  nginx.low = 1;
  nginx.vulns = {{"CVE-2011-3374", "apt key revocation", 1, 3.7, "apt", "2.6.1", ""}};
  Image clean;
  clean.image_id = "sha256:c849b2717cdcdce6e58e1e96a6ed6a8b7e2a8ddeb0a1d1b4e8cbfb3bc5a0a9a1";
  clean.image_name = "ccr.ccs.tencentyun.com/demo/clean:2.0";
  // An image with a planted miner and a private key: a virus and a risk (issue 22), and one
  // medium vulnerability; the lists add up to the counts.
  Image miner;
  miner.image_id = "sha256:0d6e2f1c4b8a7d5e3f9c1a2b4d6e8f0a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d";
  miner.image_name = "ccr.ccs.tencentyun.com/demo/miner:1.0";
  miner.medium = 1;
  miner.virus = 1;
  miner.risk = 1;
  miner.vulns = {{"CVE-2023-5678", "openssl DH check", 2, 5.3, "openssl", "3.0.11", "3.0.13"}};
  miner.viruses = {{"/usr/local/bin/kworkerds", "Trojan.Linux.CoinMiner.xmrig",
                    "8d3f5e2a9c1b4d7e6f0a2b3c4d5e6f70", "kworkerds", 4,
                    "XMRig-based coin miner disguised as a kernel worker",
                    "Remove the file and rebuild the image from a trusted base"}};
  miner.risks = {{2, 1, 3, "A private SSH key is stored in the image at /root/.ssh/id_rsa",
                  "Remove the key from the image; mount secrets at run time"}};
  return {app, nginx, clean, miner, main_branch};
}

Result<std::vector<Image>> ParseInventory(const std::string& path, const std::string& text) {
  auto a = ParseJsonList(path, text);
  if (!a.ok()) return a.error();
  std::vector<Image> out;
  out.reserve((*a)->size());
  std::unordered_set<std::string> seen;  // a linear look-back made 100,000 images take 20 s
  for (size_t i = 0; i < (*a)->size(); ++i) {
    auto fail = [&](const std::string& why) {
      return UsageError(fmt::format("{}: image #{}: {}", path, i + 1, why));
    };
    auto o = (*a)->getObject(static_cast<unsigned>(i));
    if (o.isNull()) return fail("not an object");
    json::Reader r;
    Image img;
    img.image_id = r.String(o, "ImageID", true);
    img.image_name = r.String(o, "ImageName", true);
    if (std::string os = r.String(o, "OsName", false); !os.empty()) img.os_name = os;
    img.critical = r.Int(o, "CriticalLevelVulCnt", false);
    img.high = r.Int(o, "HighLevelVulCnt", false);
    img.medium = r.Int(o, "MediumLevelVulCnt", false);
    img.low = r.Int(o, "LowLevelVulCnt", false);
    img.virus = r.Int(o, "VirusCnt", false);
    img.risk = r.Int(o, "RiskCnt", false);
    img.scanned = r.Bool(o, "Scanned", false);
    auto vulns = r.Array(o, "Vulns", false);
    if (!r.ok) return fail("ImageID and ImageName must be strings and the counts whole numbers");
    if (!IsImageId(img.image_id)) return fail("ImageID must be sha256: and 64 hex digits");
    if (!ParseImageRef(img.image_name).ok())
      return fail("ImageName \"" + img.image_name + "\" is not an image reference");
    for (int64_t n : {img.critical, img.high, img.medium, img.low, img.virus, img.risk}) {
      if (n < 0) return fail("counts must not be negative");
    }
    auto parsed = ParseVulns(vulns);
    if (!parsed.ok()) return fail(parsed.error().message);
    img.vulns = std::move(*parsed);
    auto threats = ParseThreats(o);
    if (!threats.ok()) return fail(threats.error().message);
    img.viruses = std::move(threats->first);
    img.risks = std::move(threats->second);
    auto components = r.Array(o, "Components", false);
    for (size_t j = 0; r.ok && components && j < components->size(); ++j) {
      auto c = components->getObject(static_cast<unsigned>(j));
      json::Reader cr;
      Component comp;
      if (!c.isNull()) {
        comp.name = cr.String(c, "Name", true);
        comp.version = cr.String(c, "Version", false);
        comp.path = cr.String(c, "Path", false);
        if (std::string t = cr.String(c, "Type", false); !t.empty()) comp.type = t;
      }
      if (c.isNull() || !cr.ok)
        return fail(fmt::format("Components #{} needs Name (string)", j + 1));
      img.components.push_back(std::move(comp));
    }
    if (!r.ok) return fail("Components must be a list");
    if (!seen.insert(img.image_id).second) {
      return fail("ImageID " + img.image_id + " appears twice");
    }
    out.push_back(std::move(img));
  }
  return out;
}

Result<std::vector<Credential>> ParseCredentialList(const std::string& path,
                                                    const std::string& text) {
  auto a = ParseJsonList(path, text);
  if (!a.ok()) return a.error();
  std::vector<Credential> out;
  for (size_t i = 0; i < (*a)->size(); ++i) {
    auto o = (*a)->getObject(static_cast<unsigned>(i));
    json::Reader r;
    Credential c;
    if (!o.isNull()) {
      c.secret_id = r.String(o, "secretId", true);
      c.secret_key = r.String(o, "secretKey", true);
      c.token = r.String(o, "token", false);
    }
    if (o.isNull() || !r.ok || c.secret_id.empty() || c.secret_key.empty()) {
      return UsageError(fmt::format(
          "{}: entry #{} needs \"secretId\" and \"secretKey\" strings (and optionally \"token\")",
          path, i + 1));
    }
    out.push_back(c);
  }
  if (out.empty()) return UsageError(path + ": the list of credentials is empty");
  return out;
}

Result<Options> ParseOptions(
    const std::vector<std::string>& args, const EnvMap& env,
    const std::function<Result<std::string>(const std::string&)>& read_file) {
  Options o;
  std::string credentials_file;
  std::string inventory_file;
  std::string registry_file;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    std::string value;
    if (a == "--help" || a == "-h") {
      o.help = true;
      return o;
    }
    size_t eq = a.find('=');
    bool inline_value = eq != std::string::npos && a.compare(0, 2, "--") == 0;
    if (inline_value) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
    }
    static const std::vector<std::string> kValued = {
        "--listen",    "--tls-cert",           "--tls-key",      "--credentials",
        "--inventory", "--scan-seconds",       "--rate-limit",   "--fault",
        "--port-file", "--registry-inventory", "--sync-seconds", "--oidc-provider",
        "--role",      "--oidc-request-token", "--oidc-subject", "--cvm-role"};
    if (std::find(kValued.begin(), kValued.end(), a) == kValued.end()) {
      return UsageError("unknown option " + a + "; run tcss-emulator --help");
    }
    if (!inline_value) {
      if (i + 1 >= args.size()) return UsageError(a + " needs a value");
      value = args[++i];
    }
    if (a == "--listen") {
      size_t colon = value.rfind(':');
      std::string host = colon == std::string::npos ? "" : value.substr(0, colon);
      std::string port = colon == std::string::npos ? "" : value.substr(colon + 1);
      if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
      if (host.empty() || port.empty() || port.size() > 5 ||
          !std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); }) ||
          std::stoi(port) > 65535) {
        return UsageError("--listen \"" + value + "\" must be HOST:PORT, e.g. 127.0.0.1:0");
      }
      o.host = host;
      o.port = static_cast<uint16_t>(std::stoi(port));
    } else if (a == "--tls-cert") {
      o.tls_cert = value;
    } else if (a == "--tls-key") {
      o.tls_key = value;
    } else if (a == "--credentials") {
      credentials_file = value;
    } else if (a == "--inventory") {
      inventory_file = value;
    } else if (a == "--scan-seconds") {
      auto d = ParseDuration("--scan-seconds", value);
      if (!d.ok()) return d.error();
      o.scan_seconds = *d;
    } else if (a == "--rate-limit") {
      if (value.empty() || value.size() > 6 ||
          !std::all_of(value.begin(), value.end(),
                       [](unsigned char c) { return std::isdigit(c); })) {
        return UsageError("--rate-limit \"" + value + "\" must be a whole number (0 = no limit)");
      }
      o.rate_limit = std::stoi(value);
    } else if (a == "--fault") {
      std::string why;
      auto f = ParseFault(value, &why);
      if (!f) return UsageError("--fault \"" + value + "\": " + why);
      o.faults.push_back(*f);
    } else if (a == "--port-file") {
      o.port_file = value;
    } else if (a == "--sync-seconds") {
      auto d = ParseDuration("--sync-seconds", value);
      if (!d.ok()) return d.error();
      o.sync_seconds = *d;
    } else if (a == "--registry-inventory") {
      registry_file = value;
    } else if (a == "--oidc-provider") {
      auto p = ParseOidcProvider(value);
      if (!p.ok()) return p.error();
      if (!p->jwks_file.empty()) {
        auto text = read_file(p->jwks_file);
        if (!text.ok()) {
          return UsageError("cannot read the JWKS file of --oidc-provider " + p->name + ": " +
                            text.error().message);
        }
        p->jwks_json = *text;
      }
      o.identity.providers.push_back(*p);
    } else if (a == "--role") {
      auto r = ParseRole(value);
      if (!r.ok()) return r.error();
      o.identity.roles.push_back(*r);
    } else if (a == "--oidc-request-token") {
      o.identity.request_token = value;
    } else if (a == "--oidc-subject") {
      o.identity.subject = value;
    } else if (a == "--cvm-role") {
      auto parts = text::Split(value, ',');
      o.identity.cvm_role = parts[0];
      for (size_t k = 1; k < parts.size(); ++k) {
        const std::string& part = parts[k];
        if (part.rfind("max=", 0) != 0 || part.size() == 4 || part.size() > 9 ||
            !std::all_of(part.begin() + 4, part.end(),
                         [](unsigned char c) { return std::isdigit(c); })) {
          return UsageError("--cvm-role \"" + value + "\": write NAME[,max=SECONDS]");
        }
        o.identity.cvm_seconds = std::stoll(part.substr(4));
      }
      if (o.identity.cvm_role.empty()) return UsageError("--cvm-role needs a role name");
    }
  }
  if (o.tls_cert.empty() != o.tls_key.empty()) {
    return UsageError("--tls-cert and --tls-key go together");
  }
  if (!credentials_file.empty()) {
    auto text = read_file(credentials_file);
    if (!text.ok()) return UsageError("cannot read --credentials file: " + text.error().message);
    auto creds = ParseCredentialList(credentials_file, *text);
    if (!creds.ok()) return creds.error();
    o.credentials = *creds;
  } else {
    auto get = [&](const char* k) {
      auto it = env.find(k);
      return it == env.end() ? std::string() : it->second;
    };
    Credential c{get("TENCENTCLOUD_SECRET_ID"), get("TENCENTCLOUD_SECRET_KEY"),
                 get("TENCENTCLOUD_SESSION_TOKEN"), 0};
    if (c.secret_id.empty() || c.secret_key.empty()) {
      return UsageError(
          "no credentials to accept: pass --credentials FILE or set TENCENTCLOUD_SECRET_ID and "
          "TENCENTCLOUD_SECRET_KEY");
    }
    o.credentials = {c};
  }
  if (!inventory_file.empty()) {
    auto text = read_file(inventory_file);
    if (!text.ok()) return UsageError("cannot read --inventory file: " + text.error().message);
    auto inv = ParseInventory(inventory_file, *text);
    if (!inv.ok()) return inv.error();
    o.inventory = *inv;
  } else {
    o.inventory = DemoInventory();
  }
  if (!registry_file.empty()) {
    auto text = read_file(registry_file);
    if (!text.ok()) {
      return UsageError("cannot read --registry-inventory file: " + text.error().message);
    }
    auto reg = ParseRegistryImages(registry_file, *text);
    if (!reg.ok()) return reg.error();
    o.registry_inventory = *reg;
  } else {
    o.registry_inventory = DemoRegistryInventory();
  }
  return o;
}

std::string EmulatorHelp() {
  return "Usage: tcss-emulator [--listen 127.0.0.1:0] [--tls-cert PEM --tls-key PEM]\n"
         "                    [--credentials FILE] [--inventory FILE] [--scan-seconds S]\n"
         "                    [--rate-limit N] [--fault ACTION:CODE[:COUNT]]... [--port-file "
         "PATH]\n"
         "                    [--registry-inventory FILE] [--sync-seconds S]\n"
         "                    [--oidc-provider SPEC]... [--role SPEC]... [--oidc-request-token T]\n"
         "                    [--oidc-subject SUB] [--cvm-role NAME[,max=S]]\n"
         "\n"
         "A local stand-in for the TCSS API (2020-11-01) that verifies TC3-HMAC-SHA256 "
         "signatures.\n"
         "Prints 'listening on <URL>' as its first line. Credentials: --credentials (JSON list of\n"
         "{secretId, secretKey, token?}), else TENCENTCLOUD_SECRET_ID/KEY/SESSION_TOKEN.\n"
         "Faults: CODE is an API error code, HTTPnnn, DELAYms, DROP, TRUNCATE, HANG, HALFJSON, "
         "HUGELIST, GARBAGE,\n"
         "NOENVELOPE or STATUS<name>; ACTION may be '*'; COUNT omitted means every request.\n"
         "Introspection: GET /_emulator/requests, POST /_emulator/faults, POST /_emulator/images,\n"
         "POST /_emulator/registry-images (a push: listed after a sync or --sync-seconds),\n"
         "POST /_emulator/reset.\n"
         "Keyless: [--oidc-provider NAME=ISSUER,AUD[,AUD...][,jwks=FILE]]... (ISSUER self: the\n"
         "emulator's own issuer <URL>/_emulator/oidc, whose key it trusts without jwks=)\n"
         "[--role ARN=PROVIDER[,sub=PATTERN][,max=SECONDS]]... serve STS "
         "AssumeRoleWithWebIdentity\n"
         "(version 2018-08-13, unsigned) on the same listener; its temporary keys work on the "
         "TCSS\n"
         "side until they expire (max= caps their lifetime). --oidc-request-token T turns on a\n"
         "GitHub-style token issuer: GET /_emulator/oidc/token?audience=A with 'Bearer T' (sub:\n"
         "--oidc-subject), JWKS at /_emulator/oidc/jwks. --cvm-role NAME[,max=S] serves the CVM\n"
         "metadata service's /latest/meta-data/cam/security-credentials/.\n";
}

}  // namespace tcss::emulator
