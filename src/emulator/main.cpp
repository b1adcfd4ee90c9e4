// tcss-emulator: parse options, start the server, print its URL, wait for SIGINT/SIGTERM.
#include <Poco/Net/SSLManager.h>

#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/system.h"
#include "emulator/identity.h"
#include "emulator/options.h"
#include "emulator/registry.h"
#include "emulator/server.h"

int main(int argc, char** argv) {
  try {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);  // every thread inherits the mask
    std::signal(SIGPIPE, SIG_IGN);

    tcss::SystemFiles files;
    std::vector<std::string> args(argv + 1, argv + argc);
    auto options = tcss::emulator::ParseOptions(
        args, tcss::ProcessEnvironment(), [&](const std::string& p) { return files.Read(p); });
    if (!options.ok()) {
      std::cerr << "tcss-emulator: error: " << options.error().message << '\n';
      return 4;
    }
    if (options->help) {
      std::cout << tcss::emulator::EmulatorHelp();
      return 0;
    }
    Poco::Net::initializeSSL();
    tcss::emulator::State state(options->credentials, options->inventory, options->scan_seconds,
                                options->rate_limit);
    state.SetInitialFaults(options->faults);
    tcss::emulator::RegistryStore registry(options->registry_inventory, options->scan_seconds,
                                           options->sync_seconds);
    state.SetRegistry(&registry);
    auto identity = tcss::emulator::Identity::Create(options->identity);
    if (!identity.ok()) {
      std::cerr << "tcss-emulator: error: " << identity.error().message << '\n';
      return 4;
    }
    state.SetIdentity(identity->get());
    tcss::emulator::Server server(*options, state);
    auto started = server.Start();
    if (!started.ok()) {
      std::cerr << "tcss-emulator: error: " << started.error().message << '\n';
      return 4;
    }
    (*identity)->SetBaseUrl(server.Url());
    std::cout << "listening on " << server.Url() << std::endl;
    if (!options->port_file.empty()) {
      auto st = files.Replace(options->port_file, std::to_string(server.Port()) + "\n");
      if (!st.ok()) {
        std::cerr << "tcss-emulator: error: " << st.error().message << '\n';
        server.Stop();
        return 4;
      }
    }
    std::cerr << "tcss-emulator: " << options->inventory.size() << " images, "
              << options->credentials.size() << " credential(s), scans take "
              << options->scan_seconds << "s, rate limit " << options->rate_limit
              << "/s per action; Ctrl-C stops\n";
    int sig = 0;
    sigwait(&set, &sig);
    std::cerr << "tcss-emulator: stopping\n";
    server.Stop();
    Poco::Net::uninitializeSSL();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "tcss-emulator: internal error: " << e.what() << '\n';
  }
  return 3;
}
