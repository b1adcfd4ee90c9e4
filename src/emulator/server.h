// The HTTP(S) front of the emulator: POCO's HTTPServer on a thread pool.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "core/result.h"
#include "emulator/options.h"
#include "emulator/state.h"

namespace Poco::Net {
class TCPServer;
}
namespace Poco {
class ThreadPool;
}

namespace tcss::emulator {

class Server {
 public:
  Server(const Options& options, State& state);
  ~Server();
  Status Start();
  std::string Url() const;
  uint16_t Port() const { return port_; }
  void Stop();

 private:
  const Options& options_;
  State& state_;
  std::atomic<bool> stopping_{false};
  std::unique_ptr<Poco::ThreadPool> pool_;
  std::unique_ptr<Poco::Net::TCPServer> server_;
  uint16_t port_ = 0;
  std::thread reaper_;  // cuts clients that take too long to send a request
};

}  // namespace tcss::emulator
