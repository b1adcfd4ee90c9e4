// Builds the real dependencies and hands over to app::Run. The one catch-all lives here.
#include <Poco/Net/SSLManager.h>

#include <cstdlib>
#include <exception>
#include <iostream>

#include "app/app.h"
#include "app/system.h"
#include "net/poco_transport.h"

int main(int argc, char** argv) {
  // Before anything opens a descriptor: a closed stdout must not become a socket.
  const bool stdout_closed = tcss::GuardStandardDescriptors();
  if (stdout_closed) std::cout.setstate(std::ios::badbit);
  try {
    tcss::InstallInterruptHandlers();
    // OpenSSL reads these itself; an empty one (an unset CI input) would disable the system
    // bundle instead of meaning "default".
    for (const char* name : {"SSL_CERT_FILE", "SSL_CERT_DIR"}) {
      const char* v = std::getenv(name);
      if (v != nullptr && *v == '\0') unsetenv(name);
    }
    Poco::Net::initializeSSL();
    tcss::SystemClock clock;
    tcss::SystemSleeper sleeper;
    tcss::SystemRandom random;
    tcss::SystemFiles files;
    tcss::Ports ports{clock,
                      sleeper,
                      random,
                      files,
                      std::cout,
                      std::cerr,
                      tcss::net::MakePocoTransport,
                      stdout_closed,
                      tcss::RunProcess};
    std::vector<std::string> args(argv + 1, argv + argc);
    int code =
        tcss::app::Run(argc > 0 ? argv[0] : "tcss-scan", args, tcss::ProcessEnvironment(), ports);
    tcss::InterruptsDone();
    Poco::Net::uninitializeSSL();
    return code;
  } catch (const std::exception& e) {
    std::cerr << "tcss-scan: internal error: " << e.what() << '\n';
  } catch (...) {
    std::cerr << "tcss-scan: internal error\n";
  }
  return 3;
}
