// Long-lived keys: TENCENTCLOUD_SECRET_ID/SECRET_KEY (and a session token), else the profile
// file the Tencent CLIs write.
#include "app/credentials/provider.h"

namespace tcss::app {

namespace {

class StoredKeys : public CredentialProvider {
 public:
  explicit StoredKeys(Credentials c) : c_(std::move(c)) {}
  Result<Credentials> Fetch() override { return c_; }
  std::string Describe() const override { return c_.source; }

 private:
  Credentials c_;
};

}  // namespace

Result<std::unique_ptr<CredentialProvider>> MakeStoredKeyProvider(const CredentialDeps& d) {
  auto from_env = CredentialsFromEnv(d.env);
  if (!from_env.ok()) return from_env.error();
  if (from_env->has_value()) {
    return std::unique_ptr<CredentialProvider>(std::make_unique<StoredKeys>(**from_env));
  }
  std::string path = CredentialsFilePath(d.env);
  if (path.empty() || !d.p.files.Exists(path)) return std::unique_ptr<CredentialProvider>();
  auto text = d.p.files.Read(path);
  if (!text.ok()) {
    return UsageError("cannot read credentials file " + path + ": " + text.error().message);
  }
  auto creds = ParseCredentialsFile(path, *text);
  if (!creds.ok()) return creds.error();
  return std::unique_ptr<CredentialProvider>(std::make_unique<StoredKeys>(*creds));
}

}  // namespace tcss::app
