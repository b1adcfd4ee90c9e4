// The credential chain (--auth), written once, and the cache that renews temporary keys.
#include <fmt/format.h>

#include "app/credentials/provider.h"
#include "core/outputs.h"
#include "core/sts.h"

namespace tcss::app {

Result<std::unique_ptr<CredentialProvider>> ChooseCredentials(const CredentialDeps& d) {
  const AuthMode mode = d.c.keyless.auth;
  if (mode == AuthMode::kCvmRole) return MakeCvmRoleProvider(d);
  if (mode == AuthMode::kOidc) {
    OidcPlan plan = PlanOidc(d);
    if (!plan.missing.empty()) return UsageError("--auth oidc needs " + plan.missing);
    return MakeOidcProvider(d, std::move(plan));
  }
  auto stored = MakeStoredKeyProvider(d);
  if (!stored.ok()) return stored.error();
  if (*stored) return std::move(*stored);
  std::string profile = CredentialsFilePath(d.env);
  if (profile.empty()) profile = "~/.tencentcloud/credentials";
  OidcPlan plan = PlanOidc(d);
  if (mode != AuthMode::kSecret && plan.missing.empty())
    return MakeOidcProvider(d, std::move(plan));
  // Two short lines, in this platform's words: where the keys go, and the keyless way.
  const std::string id = d.c.platform->Id();
  std::string where = id == "github"   ? "from repository secrets in the step's env:"
                      : id == "gitlab" ? "as masked CI/CD variables (Settings > CI/CD > Variables)"
                                       : "as secret variables of this " +
                                             std::string(d.c.platform->Name()) + " pipeline";
  Error e = UsageError(id == "none" ? "no credentials: export TENCENTCLOUD_SECRET_ID and "
                                      "TENCENTCLOUD_SECRET_KEY, or write them to " +
                                          profile
                                    : "no credentials: set TENCENTCLOUD_SECRET_ID and "
                                      "TENCENTCLOUD_SECRET_KEY " +
                                          where);
  if (mode != AuthMode::kSecret) {
    e.hint = id == "none"
                 ? "or, on a CVM with a CAM role, --auth cvm-role; keyless (OIDC) needs " +
                       plan.missing + " (README: Keyless credentials)"
                 : "or go keyless: that needs " + plan.missing + " (README: Keyless credentials)";
  }
  return e;
}

void CredentialCache::Protect(const Credentials& c) {
  d_.log.AddSecret(c.secret_key);
  d_.log.AddSecret(c.token);
  // Keys from the job's own secrets are masked by the CI system already; temporary ones are
  // new to it.
  std::string mask;
  if (c.expires_unix != 0) mask += d_.c.platform->MaskCommand(c.secret_key);
  if (!c.token.empty()) mask += d_.c.platform->MaskCommand(c.token);
  if (!mask.empty()) d_.p.out << mask << std::flush;
}

Result<Credentials> CredentialCache::Get(bool renew) {
  const int64_t now = d_.p.clock.UnixSeconds();
  if (current_ && !provider_->Renewable()) return *current_;
  bool due = !current_ || renew ||
             (current_->expires_unix != 0 &&
              now >= sts::RenewAt(current_->obtained_unix, current_->expires_unix));
  if (!due) return *current_;
  auto fresh = provider_->Fetch();
  if (!fresh.ok()) {
    if (current_ && !renew && current_->expires_unix > now + 5) {
      d_.log.Warn(
          fmt::format("could not renew the temporary keys ({}); the current ones work "
                      "until {}",
                      fresh.error().message, IsoUtc(current_->expires_unix)));
      return *current_;
    }
    return fresh.error();
  }
  Protect(*fresh);
  if (fresh->expires_unix != 0) {
    d_.log.Verbose(fmt::format("temporary keys from {}, valid until {}", fresh->source,
                               IsoUtc(fresh->expires_unix)));
  }
  current_ = *fresh;
  return *current_;
}

}  // namespace tcss::app
