// HTTPS_PROXY/NO_PROXY for POCO, which reads neither itself.
#pragma once

#include <Poco/Net/HTTPClientSession.h>

#include <optional>
#include <string>

#include "core/result.h"

namespace tcss::net {

// nullopt: connect directly (no proxy set, or NO_PROXY exempts `target_host`).
Result<std::optional<Poco::Net::HTTPClientSession::ProxyConfig>> ProxyFor(
    const std::string& proxy, const std::string& no_proxy, const std::string& target_host);

}  // namespace tcss::net
