// Keyless credentials, the pure parts: STS AssumeRoleWithWebIdentity's request and answer, the
// CVM metadata service's answer, role ARNs and session names, when to renew, and what to tell
// the user about each STS error. The HTTP lives in src/app/credentials/.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/config.h"
#include "core/result.h"

namespace tcss::sts {

inline constexpr const char* kService = "sts";
inline constexpr const char* kVersion = "2018-08-13";
inline constexpr const char* kAssumeRoleWithWebIdentity = "AssumeRoleWithWebIdentity";
// The region the SDKs' OIDC provider sends when none is given (X-TC-Region is required).
inline constexpr const char* kDefaultRegion = "ap-guangzhou";
inline constexpr const char* kDefaultAudience = "sts.tencentcloudapi.com";
inline constexpr int64_t kMinDuration = 900;
inline constexpr int64_t kMaxDuration = 43200;

struct WebIdentityRequest {
  std::string provider_id;
  std::string token;  // the OIDC JWT
  std::string role_arn;
  std::string session_name;
  int64_t duration_s = 3600;
};

// The JSON body, fields in the order the SDKs send them.
std::string AssumeRoleWithWebIdentityBody(const WebIdentityRequest& r);

// The Response object of AssumeRoleWithWebIdentity → temporary credentials. `now` is when the
// answer came; it becomes obtained_unix.
Result<Credentials> ParseAssumeRoleResponse(const Poco::JSON::Object::Ptr& response, int64_t now);
// The CVM metadata service's answer for a role (…/security-credentials/<role>).
Result<Credentials> ParseMetadataCredentials(std::string_view body, int64_t now);

// When credentials obtained at `obtained` that expire at `expires` are renewed: 10 % of their
// lifetime before expiry (the SDKs' rule), at least a minute before, never before half-way.
int64_t RenewAt(int64_t obtained, int64_t expires);

// qcs::cam::uin/<uin>:roleName/<name> or qcs::cam::uin/<uin>:role/<role id>.
Status CheckRoleArn(std::string_view arn);
// 2-64 characters of [A-Za-z0-9_+=,.@-].
Status CheckSessionName(std::string_view name);
// `s` with every character outside [A-Za-z0-9_+=,.@-] replaced by '-', cut to 64 characters.
std::string SanitizeSessionName(std::string_view s);
// The CI job's own name for the run (Platform::SessionName: github-<run id>-<attempt>,
// gitlab-<job id>, ...), else tcss-scan-<now>; sanitised.
std::string DefaultSessionName(std::string_view job_name, int64_t now);

// STS for a TCSS endpoint: the intl STS for the intl TCSS, the mainland one for any other
// *.tencentcloudapi.com host, and the endpoint itself otherwise (the emulator serves both).
std::string DefaultStsEndpoint(std::string_view tcss_endpoint);
// The GitHub OIDC request URL with the audience appended as its `audience` query parameter.
std::string GithubTokenUrl(std::string_view request_url, std::string_view audience);

// What to check when STS answers `code` ("" when there is nothing specific to say).
std::string HintFor(const std::string& code);

}  // namespace tcss::sts
