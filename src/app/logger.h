// Human-facing messages on stderr, with the secrets scrubbed from every line as a last guard.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/text.h"

namespace tcss {

class Logger {
 public:
  Logger(std::ostream& err, LogLevel level) : err_(err), level_(level) {}
  void AddSecret(const std::string& s) {
    if (s.size() >= 4) secrets_.push_back(s);
  }
  std::string Scrub(std::string line) const {
    for (const auto& s : secrets_) line = text::ReplaceAll(std::move(line), s, "***");
    return line;
  }
  void Verbose(const std::string& m) {
    if (level_ == LogLevel::kVerbose) Write("tcss-scan: " + m);
  }
  void Info(const std::string& m) {
    if (level_ != LogLevel::kQuiet) Write("tcss-scan: " + m);
  }
  void Warn(const std::string& m) {
    if (level_ != LogLevel::kQuiet) Write("tcss-scan: warning: " + m);
  }
  void Error(const std::string& m) { Write("tcss-scan: error: " + m); }
  // The second line of an error: what to do (Error::hint).
  void Hint(const std::string& m) { Write("tcss-scan:   " + m); }

 private:
  // One line, secrets out, and nothing a CI runner would take for a command (Azure acts on
  // "##vso[" anywhere in a line of stderr too).
  void Write(const std::string& m) {
    err_ << platforms::DefuseLogCommands(text::OneLine(Scrub(m))) << '\n' << std::flush;
  }
  std::ostream& err_;
  LogLevel level_;
  std::vector<std::string> secrets_;
};

}  // namespace tcss
