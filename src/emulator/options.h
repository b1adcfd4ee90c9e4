// tcss-emulator's command line and the files it reads at start-up.
#pragma once

#include <Poco/JSON/Array.h>

#include <functional>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/result.h"
#include "emulator/identity.h"
#include "emulator/registry.h"
#include "emulator/state.h"

namespace tcss::emulator {

struct Options {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string tls_cert;
  std::string tls_key;
  std::vector<Credential> credentials;
  std::vector<Image> inventory;
  std::vector<RegistryImage> registry_inventory;
  double sync_seconds = 0;  // 0: a pushed registry image shows only after a sync
  double scan_seconds = 10;
  int rate_limit = 20;
  std::vector<Fault> faults;
  std::string port_file;
  IdentityOptions identity;  // STS, the OIDC token issuer, the CVM metadata service
  bool help = false;
};

// `read_file` returns a file's text or an error; the emulator's main passes a real one.
Result<Options> ParseOptions(
    const std::vector<std::string>& args, const EnvMap& env,
    const std::function<Result<std::string>(const std::string&)>& read_file);
// The top-level JSON list of an inventory-like file; bad JSON is reported with its line and
// column. `what` names the file (or the introspection endpoint) in errors.
Result<Poco::JSON::Array::Ptr> ParseJsonList(const std::string& what, const std::string& text);
// An inventory entry's "Vulns" (CVEID and Level 1-4 required); null means none.
Result<std::vector<Vuln>> ParseVulns(const Poco::JSON::Array::Ptr& vulns);
// An inventory entry's "Viruses" and "Risks" lists.
Result<std::pair<std::vector<Virus>, std::vector<Risk>>> ParseThreats(
    const Poco::JSON::Object::Ptr& o);
Result<std::vector<Image>> ParseInventory(const std::string& path, const std::string& text);
Result<std::vector<Credential>> ParseCredentialList(const std::string& path,
                                                    const std::string& text);
std::vector<Image> DemoInventory();
std::string EmulatorHelp();

}  // namespace tcss::emulator
