// The CAM role of the CVM this runs on, from the instance metadata service (only with
// --auth cvm-role: probing it elsewhere would add a second to every run).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "app/credentials/provider.h"
#include "core/sts.h"
#include "core/text.h"

namespace tcss::app {

namespace {

constexpr const char* kDefaultMetadata = "http://metadata.tencentyun.com";
constexpr const char* kCredentialsPath = "/latest/meta-data/cam/security-credentials/";
constexpr int64_t kFirstAnswerMs = 1000;

class CvmRole : public CredentialProvider {
 public:
  explicit CvmRole(const CredentialDeps& d) : d_(d) {
    auto it = d.env.find("TCSS_METADATA_ENDPOINT");
    base_ = it == d.env.end() || text::Trim(it->second).empty() ? kDefaultMetadata
                                                                : text::Trim(it->second);
    while (!base_.empty() && base_.back() == '/') base_.pop_back();
  }

  std::string Describe() const override {
    return "CVM role" + (role_.empty() ? std::string() : " " + role_);
  }
  bool Renewable() const override { return true; }

  Result<Credentials> Fetch() override {
    if (role_.empty()) {
      auto role = Get(kCredentialsPath, kFirstAnswerMs);
      if (!role.ok()) return role.error();
      std::string name = text::Trim(role->substr(0, role->find('\n')));
      if (name.empty() || name.size() > 128 ||
          !std::all_of(name.begin(), name.end(), [](unsigned char c) {
            return std::isalnum(c) || c == '_' || c == '-' || c == '.' || c == '@' || c == '+' ||
                   c == '=' || c == ',';
          })) {
        return TransportError("InvalidResponse.Credentials",
                              "the CVM metadata service answered with no usable role name");
      }
      role_ = name;
    }
    auto body = Get(kCredentialsPath + role_, static_cast<int64_t>(d_.c.timeout_s * 1000));
    if (!body.ok()) return body.error();
    auto creds = sts::ParseMetadataCredentials(*body, d_.p.clock.UnixSeconds());
    if (!creds.ok()) return creds.error();
    creds->source = "CVM role " + role_;
    return creds;
  }

 private:
  Result<std::string> Get(const std::string& path, int64_t timeout_ms) {
    // The metadata service is link-local: never through a proxy.
    auto resp = HttpGet(d_, base_ + path, {}, timeout_ms, false);
    if (!resp.ok()) {
      Error e = resp.error();
      if (e.kind == ErrorKind::kTransport) {
        e.message = "the CVM metadata service " + base_ +
                    " did not answer (--auth cvm-role works only on a Tencent Cloud CVM or "
                    "Lighthouse instance): " +
                    e.message;
      }
      return e;
    }
    if (resp->status == 404) {
      return UsageError(role_.empty()
                            ? "this CVM has no CAM role: bind one to the instance (CVM console, "
                              "instance, Bind role) or use another --auth"
                            : "the CVM metadata service has no credentials for role " + role_);
    }
    if (resp->status != 200) {
      return TransportError("InvalidResponse.HttpStatus",
                            fmt::format("the CVM metadata service answered HTTP {}", resp->status));
    }
    return resp->body;
  }

  CredentialDeps d_;
  std::string base_;
  std::string role_;
};

}  // namespace

std::unique_ptr<CredentialProvider> MakeCvmRoleProvider(const CredentialDeps& d) {
  return std::make_unique<CvmRole>(d);
}

}  // namespace tcss::app
