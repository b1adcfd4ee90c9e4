// Transport over POCO: HTTPS with VERIFY_STRICT (hostname checked also on loopback), TLS 1.2
// minimum, the system CA bundle or --ca-file, an HTTP CONNECT proxy, keep-alive between calls.
#pragma once

#include <memory>

#include "app/ports.h"

namespace tcss::net {

Result<std::unique_ptr<Transport>> MakePocoTransport(const TransportOptions& options);

}  // namespace tcss::net
