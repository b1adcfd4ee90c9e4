// GETs for the services that hand out tokens and keys (GitHub's OIDC endpoint, the CVM
// metadata service), over the same transport as the API calls.
#include <fmt/format.h>

#include "app/api_client.h"
#include "app/credentials/provider.h"
#include "core/policy.h"

namespace tcss::app {

Result<HttpResponse> HttpGet(const CredentialDeps& d, const std::string& url,
                             std::vector<sign::Header> headers, int64_t timeout_ms, bool proxy) {
  auto target = ParseRequestUrl(url);
  if (!target.ok()) return target.error();
  Sleeper& sleeper = d.p.sleeper;
  TransportOptions topts{target->url, d.c.ca_file, proxy ? d.c.https_proxy : "", d.c.no_proxy,
                         [&sleeper] { return sleeper.Interrupted(); }};
  auto transport = d.p.make_transport(topts);
  if (!transport.ok()) return transport.error();
  HttpRequest req;
  req.method = "GET";
  req.target = target->target;
  req.headers = {{"Host", target->url.HostHeader()}};
  for (auto& h : headers) req.headers.push_back(std::move(h));
  req.headers.push_back({"User-Agent", std::string("tcss-scan/") + TCSS_VERSION});
  const int64_t start = d.p.clock.MonotonicMillis();
  Result<HttpResponse> last = TransportError(kNetTimeout, "no answer");
  for (int attempt = 0;; ++attempt) {
    int64_t left = timeout_ms - (d.p.clock.MonotonicMillis() - start);
    if (left <= 0) break;
    last = (*transport)->Post(req, left);
    bool retryable = last.ok() ? last->status >= 500
                               : last.error().kind == ErrorKind::kTransport &&
                                     IsRetryableTransportCode(last.error().code);
    if (!retryable || attempt >= d.c.retries) break;
    int64_t delay = BackoffMillis(attempt, d.p.random.Unit());
    if (delay >= timeout_ms - (d.p.clock.MonotonicMillis() - start)) break;
    if (!d.p.sleeper.SleepMillis(delay)) {
      return Error{ErrorKind::kInterrupted, "", "interrupted", ""};
    }
  }
  return last;
}

}  // namespace tcss::app
