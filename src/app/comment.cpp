#include "app/comment.h"

#include <fmt/format.h>

#include <algorithm>

#include "app/api_client.h"
#include "core/json.h"
#include "core/policy.h"
#include "core/reports/comment.h"
#include "core/text.h"
#include "core/url.h"

namespace tcss::app {

namespace {

constexpr int kMaxPages = 100;           // 10,000 comments
constexpr int64_t kMaxRetryAfterS = 60;  // a longer Retry-After ends the attempt

class Forge {
 public:
  Forge(const Config& c, Ports& p, Logger& log, platforms::CommentPlace place,
        std::unique_ptr<Transport> t, RequestUrl base)
      : c_(c),
        p_(p),
        log_(log),
        place_(std::move(place)),
        t_(std::move(t)),
        base_(std::move(base)) {
    prefix_ = base_.target == "/" ? "" : base_.target;
    while (!prefix_.empty() && prefix_.back() == '/') prefix_.pop_back();
  }

  // One call, retried on the network, 5xx and 429 (honouring Retry-After) within --retries and
  // --timeout. A POST whose answer was lost is not retried here: the caller looks first.
  Result<HttpResponse> Call(const std::string& method, const std::string& target,
                            const std::string& body) {
    HttpRequest req;
    req.method = method;
    req.target = target;
    req.body = body;
    req.headers = {{"Host", base_.url.HostHeader()},
                   {"User-Agent", std::string("tcss-scan/") + TCSS_VERSION}};
    for (const auto& h : place_.headers) req.headers.push_back({h.first, h.second});
    if (!body.empty()) req.headers.push_back({"Content-Type", "application/json"});
    const int64_t budget = static_cast<int64_t>(c_.timeout_s * 1000);
    const int64_t start = p_.clock.MonotonicMillis();
    for (int attempt = 0;; ++attempt) {
      const int64_t left = budget - (p_.clock.MonotonicMillis() - start);
      if (left <= 0) return TransportError(kNetTimeout, "no answer within --timeout");
      auto r = t_->Post(req, left);
      int64_t delay = BackoffMillis(attempt, p_.random.Unit());
      bool again = false;
      if (!r.ok()) {
        again = r.error().kind == ErrorKind::kTransport &&
                IsRetryableTransportCode(r.error().code) &&
                !(method == "POST" && r.error().maybe_delivered);
      } else if (r->status == 429 || r->status >= 500) {
        again = true;
        const std::string after = r->Header("retry-after");
        if (!after.empty() && after.size() <= 4 &&
            after.find_first_not_of("0123456789") == std::string::npos) {
          const int64_t s = std::stoll(after);
          if (s > kMaxRetryAfterS) again = false;
          delay = s * 1000;
        }
      }
      if (!again || attempt >= c_.retries ||
          delay >= budget - (p_.clock.MonotonicMillis() - start)) {
        return r;
      }
      log_.Verbose(fmt::format("comment: {} {} {}; again in {} ms", method, target,
                               r.ok() ? std::to_string(r->status) : r.error().code, delay));
      if (!p_.sleeper.SleepMillis(delay)) {
        return Error{ErrorKind::kInterrupted, "", "interrupted", ""};
      }
    }
  }

  std::string Path(const std::string& p) const { return prefix_ + p; }

  // Who writes with the token. On GitHub, GraphQL's viewer first: it names every kind of token
  // (the job's GITHUB_TOKEN, a GitHub App's installation token, a personal one), where GET /user
  // refuses the first two. Then GET /user; a refusal there is the job's token's bot.
  Result<std::string> Login() {
    if (!place_.gitlab) {
      auto v =
          Call("POST", reports::GraphqlPath(prefix_), R"({"query":"query { viewer { login } }"})");
      if (!v.ok() && v.error().kind == ErrorKind::kInterrupted) return v.error();
      if (v.ok() && v->status == 200) {
        auto login = reports::ParseViewerLogin(v->body);
        if (login.ok()) return login;
        log_.Verbose("comment: GraphQL viewer: " + login.error().message);
      } else {
        log_.Verbose("comment: GraphQL viewer: " +
                     (v.ok() ? "HTTP " + std::to_string(v->status) : v.error().message));
      }
    }
    auto r = Call("GET", Path("/user"), "");
    if (!r.ok()) return r.error();
    if (r->status == 200) return reports::ParseLogin(r->body, place_.gitlab);
    if ((r->status == 403 || r->status == 401) && !place_.bot.empty()) return place_.bot;
    return Refusal("GET /user", *r);
  }

  // The id of this job's comment: the marker in its body and the author, on any page.
  Result<std::string> Find(const std::string& marker, const std::string& login) {
    std::string target = Path(place_.comments) + "?per_page=100";
    for (int page = 1; page <= kMaxPages && !target.empty(); ++page) {
      auto r = Call("GET", target, "");
      if (!r.ok()) return r.error();
      if (r->status != 200) return Refusal("listing the comments", *r);
      auto list = reports::ParseComments(r->body, place_.gitlab);
      if (!list.ok()) return list.error();
      for (const auto& cm : *list) {
        if (cm.author == login && cm.body.find(marker) != std::string::npos) return cm.id;
      }
      target.clear();
      if (place_.gitlab) {
        const std::string next = r->Header("x-next-page");
        if (!next.empty() && next.size() <= 6 &&
            next.find_first_not_of("0123456789") == std::string::npos) {
          target = Path(place_.comments) + "?per_page=100&page=" + next;
        }
      } else {
        // The next page's absolute URL, followed only on the same API.
        const std::string next = reports::NextLink(r->Header("link"));
        const std::string origin = base_.url.scheme + "://" + base_.url.HostHeader() + prefix_;
        if (next.rfind(origin + "/", 0) == 0) target = next.substr(origin.size() - prefix_.size());
      }
    }
    return std::string();
  }

  Error Refusal(const std::string& what, const HttpResponse& r) const {
    std::string why;
    if (r.status == 403 || r.status == 401) {
      why = place_.gitlab ? "; the token needs the api scope and at least the Reporter role"
                          : "; a fork's pull request gets a read-only token, and the job needs "
                            "`permissions: pull-requests: write`";
    } else if (r.status == 404) {
      why = "; check the token can see the repository";
    }
    return TransportError("Comment.HTTP" + std::to_string(r.status),
                          fmt::format("{} answered HTTP {}{}", what, r.status, why));
  }

  const platforms::CommentPlace& place() const { return place_; }

 private:
  const Config& c_;
  Ports& p_;
  Logger& log_;
  platforms::CommentPlace place_;
  std::unique_ptr<Transport> t_;
  RequestUrl base_;
  std::string prefix_;
};

Status Write(Forge& f, const std::string& marker, const std::string& body, Logger& log) {
  auto login = f.Login();
  if (!login.ok()) return login.error();
  auto found = f.Find(marker, *login);
  if (!found.ok()) return found.error();
  const std::string payload = "{\"body\":" + json::Quote(body) + "}";
  const auto& place = f.place();
  const std::string update = place.gitlab ? "PUT" : "PATCH";
  for (int create = 0; create < 2; ++create) {
    if (!found->empty()) {
      auto r = f.Call(update, f.Path(place.item + *found), payload);
      if (!r.ok()) return r.error();
      if (r->status != 200) return f.Refusal("updating the comment", *r);
      log.Info("comment updated: " + *found);
      return OkStatus();
    }
    auto r = f.Call("POST", f.Path(place.comments), payload);
    if (r.ok() && (r->status == 201 || r->status == 200)) {
      auto id = reports::ParseCommentId(r->body);
      log.Info("comment written" + (id.ok() ? ": " + *id : std::string()));
      return OkStatus();
    }
    if (r.ok()) return f.Refusal("writing the comment", *r);
    if (!r.error().maybe_delivered || create == 1) return r.error();
    // The answer was lost: the comment may exist. Look again before writing, so there is
    // never a second one.
    found = f.Find(marker, *login);
    if (!found.ok()) return found.error();
  }
  return OkStatus();
}

}  // namespace

std::string WriteComment(const Config& c, const EnvMap& env, Ports& p, Logger& log,
                         const RunReport& report) {
  auto read = [&p](const std::string& path) -> Result<std::string> {
    if (path.empty()) return UsageError("no path");
    return p.files.Read(path);
  };
  auto place = c.platform->Comment(env, read);
  if (!place.ok()) return "no pull-request comment: " + place.error().message;
  log.AddSecret(place->token);
  auto base = ParseRequestUrl(place->api);
  if (!base.ok()) return "no pull-request comment: the API address: " + base.error().message;
  if (base->url.scheme != "https" && !IsLoopbackHost(base->url.host)) {
    return "no pull-request comment: the API address " + RedactUserinfo(place->api) +
           " is not https (the token is never sent in the clear)";
  }
  Sleeper& sleeper = p.sleeper;
  TransportOptions topts{base->url, c.ca_file, c.https_proxy, c.no_proxy,
                         [&sleeper] { return sleeper.Interrupted(); }};
  auto transport = p.make_transport(topts);
  if (!transport.ok()) return "no pull-request comment: " + transport.error().message;
  std::vector<std::string> images;
  for (const auto& i : report.images) images.push_back(i.reference);
  const std::string marker = reports::CommentMarker(place->repository, place->job, images);
  const std::string run_url = c.platform->Run(env).url;
  const std::string body = reports::CommentBody(report, marker, run_url);
  Forge forge(c, p, log, std::move(*place), std::move(*transport), std::move(*base));
  auto st = Write(forge, marker, body, log);
  if (!st.ok())
    return "the pull-request comment was not written (the result stands): " + st.error().message;
  return "";
}

}  // namespace tcss::app
