#include "core/docs.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <vector>

#include "core/config.h"
#include "core/text.h"

namespace tcss {

namespace {

const char* const kCommands[] = {"submit", "push", "status", "version", "help", "completion"};

// The values an option takes when its metavar lists them ("auto|registry|local").
std::vector<std::string> Choices(const OptionInfo& o) {
  if (o.metavar.find('|') == std::string::npos) return {};
  return text::Split(o.metavar, '|');
}

bool TakesPath(const OptionInfo& o) { return o.metavar == "PATH"; }

std::vector<std::string> AllFlags(const OptionInfo& o) {
  std::vector<std::string> flags = {o.flag};
  flags.insert(flags.end(), o.flag_aliases.begin(), o.flag_aliases.end());
  return flags;
}

std::string Bash() {
  std::string cases;
  std::string flags = "--help --version -v -q";
  for (const auto& o : Options()) {
    for (const auto& f : AllFlags(o)) flags += " " + f;
    if (!o.takes_value) continue;
    std::string action = "return";
    if (TakesPath(o)) {
      action = "COMPREPLY=($(compgen -f -- \"$cur\")); return";
    } else if (!Choices(o).empty()) {
      action = fmt::format("COMPREPLY=($(compgen -W \"{}\" -- \"$cur\")); return",
                           fmt::join(Choices(o), " "));
    }
    cases += fmt::format("    {}) {} ;;\n", fmt::join(AllFlags(o), "|"), action);
  }
  return fmt::format(
      "# bash completion for tcss-scan: source <(tcss-scan completion bash)\n"
      "_tcss_scan() {{\n"
      "  local cur=\"${{COMP_WORDS[COMP_CWORD]}}\" prev=\"${{COMP_WORDS[COMP_CWORD-1]}}\"\n"
      "  COMPREPLY=()\n"
      "  case \"$prev\" in\n"
      "{}"
      "    completion) COMPREPLY=($(compgen -W \"bash zsh fish\" -- \"$cur\")); return ;;\n"
      "  esac\n"
      "  if [[ \"$cur\" == -* ]]; then\n"
      "    COMPREPLY=($(compgen -W \"{}\" -- \"$cur\"))\n"
      "  elif [ \"$COMP_CWORD\" -eq 1 ]; then\n"
      "    COMPREPLY=($(compgen -W \"{}\" -- \"$cur\"))\n"
      "  fi\n"
      "}}\n"
      "complete -o default -F _tcss_scan tcss-scan docker-tcss\n",
      cases, flags, fmt::join(kCommands, " "));
}

// A description inside zsh's '...[...]' spec: no quote, no brackets, no colon.
std::string ZshText(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else if (c == '[' || c == ']') {
      out += c == '[' ? '(' : ')';
    } else if (c == ':') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string Zsh() {
  std::string specs;
  for (const auto& o : Options()) {
    std::string what;
    if (o.takes_value) {
      std::string name = text::Lower(o.metavar.empty() ? "value" : o.metavar);
      if (TakesPath(o)) {
        what = ":path:_files";
      } else if (!Choices(o).empty()) {
        what = fmt::format(":value:({})", fmt::join(Choices(o), " "));
      } else {
        what = ":" + ZshText(name) + ": ";
      }
    }
    for (const auto& f : AllFlags(o)) {
      // A repeatable option (--images) may be given again; the others once.
      std::string prefix = o.help.find("repeatable") != std::string::npos ? "*" : "";
      specs += fmt::format("    '{}{}[{}]{}' \\\n", prefix, f, ZshText(o.help), what);
    }
  }
  return fmt::format(
      "#compdef tcss-scan docker-tcss\n"
      "# zsh completion for tcss-scan: source <(tcss-scan completion zsh), or save it as "
      "_tcss-scan\n"
      "# in a folder of $fpath\n"
      "_tcss_scan() {{\n"
      "  _arguments -s \\\n"
      "    '(- *)--help[usage, every option, exit codes]' \\\n"
      "    '(- *)--version[version and API version]' \\\n"
      "    '-v[verbose log]' '-q[quiet log]' \\\n"
      "{}"
      "    '1:command or image:({})' \\\n"
      "    '*:image reference: '\n"
      "}}\n"
      "compdef _tcss_scan tcss-scan docker-tcss\n",
      specs, fmt::join(kCommands, " "));
}

// Inside fish's '...': a backslash or a quote is escaped.
std::string FishText(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out;
}

std::string Fish() {
  std::string out =
      "# fish completion for tcss-scan: tcss-scan completion fish | source\n"
      "# (or save it as ~/.config/fish/completions/tcss-scan.fish)\n"
      "complete -c tcss-scan -f\n";
  out += fmt::format(
      "complete -c tcss-scan -n '__fish_use_subcommand' -a '{}'\n"
      "complete -c tcss-scan -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'\n"
      "complete -c tcss-scan -l help -d 'usage, every option, exit codes'\n"
      "complete -c tcss-scan -l version -d 'version and API version'\n",
      fmt::join(kCommands, " "));
  for (const auto& o : Options()) {
    for (const auto& f : AllFlags(o)) {
      std::string line = "complete -c tcss-scan -l " + f.substr(2);
      if (TakesPath(o)) {
        line += " -r -F";
      } else if (!Choices(o).empty()) {
        line += fmt::format(" -x -a '{}'", fmt::join(Choices(o), " "));
      } else if (o.takes_value) {
        line += " -x";
      }
      out += line + " -d '" + FishText(o.help) + "'\n";
    }
  }
  return out;
}

// roff: a backslash is \e, a hyphen in a flag \-, and a line never starts with . or '.
std::string Roff(const std::string& s, bool hyphens = false) {
  std::string out;
  for (char c : s) {
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-' && hyphens) {
      out += "\\-";
    } else {
      out += c;
    }
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out = "\\&" + out;
  return out;
}

}  // namespace

Result<std::string> CompletionScript(const std::string& shell) {
  if (shell == "bash") return Bash();
  if (shell == "zsh") return Zsh();
  if (shell == "fish") return Fish();
  return UsageError("completion: \"" + text::OneLine(text::TruncateUtf8(shell, 32)) +
                    "\" is not a shell tcss-scan completes; use bash, zsh or fish");
}

std::string ManPage() {
  std::string out = fmt::format(
      ".TH TCSS-SCAN 1 \"\" \"tcss-scan {}\" \"User Commands\"\n"
      ".SH NAME\n"
      "tcss-scan \\- submit container images to Tencent Cloud Container Security Service for "
      "scanning, from CI\n"
      ".SH SYNOPSIS\n"
      ".B tcss-scan\n[\\fBsubmit\\fR] [\\fIOPTIONS\\fR] [\\fIIMAGE\\fR...]\n.br\n"
      ".B tcss-scan push\n[\\fIOPTIONS\\fR] \\fIIMAGE\\fR\n.br\n"
      ".B tcss-scan status\n\\fITASK_ID\\fR [\\fB\\-\\-wait\\fR]\n.br\n"
      ".B tcss-scan completion\n\\fBbash\\fR|\\fBzsh\\fR|\\fBfish\\fR\n.br\n"
      ".B tcss-scan help\n[\\fB\\-\\-man\\fR]\n"
      ".SH DESCRIPTION\n"
      "Asks TCSS to scan the images a pipeline built (CreateAssetImageScanTask for images its "
      "agents saw on hosts, CreateAssetImageRegistryScanTask for images of connected "
      "registries), prints the TaskID, hands it to later steps in the CI system's own way, and "
      "with a threshold or a report waits for the findings and gates the build on them.\n"
      ".SH OPTIONS\n"
      "Every option has one name: the flag, the environment variable TCSS_ and the input of the "
      "CI integrations. Precedence: flag, then environment, then the CI platform's default, then "
      "the built-in default.\n",
      TCSS_VERSION);
  for (const auto& o : Options()) {
    out += (o.metavar.empty() ? ".TP\n.B " : ".TP\n.BI ") + Roff(o.flag, true);
    if (!o.metavar.empty()) out += " \" " + Roff(o.metavar) + "\"";
    out += "\n" + Roff(o.help) + "\n.br\n";
    out += fmt::format("Environment {}; input {}; default {}.", o.env, Roff(o.input, true),
                       Roff(o.def));
    std::vector<std::string> also;
    for (const auto& f : o.flag_aliases) also.push_back(Roff(f, true));
    for (const auto& e : o.env_aliases) also.push_back(e);
    for (const auto& i : o.input_aliases)
      also.push_back("input " + Roff(i, true) + " (deprecated)");
    if (!also.empty()) out += fmt::format(" Also {}.", fmt::join(also, ", "));
    out += "\n";
  }
  out +=
      ".TP\n.B \\-v\\fR, \\fB\\-q\n--log-level verbose, quiet.\n"
      ".SH ENVIRONMENT\n"
      "Credentials are never options: TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY, "
      "TENCENTCLOUD_SESSION_TOKEN; else ~/.tencentcloud/credentials "
      "(TENCENTCLOUD_CREDENTIALS_FILE); else keyless, an OIDC token exchanged with STS. "
      "HTTPS_PROXY, HTTP_PROXY and NO_PROXY are honoured.\n"
      ".SH EXIT STATUS\n";
  for (const auto& [code, meaning] : ExitCodes()) {
    out += fmt::format(".TP\n.B {}\n{}\n", code, Roff(meaning));
  }
  out += ".SH SEE ALSO\nThe README: " TCSS_HOME_URL "\n";
  return out;
}

}  // namespace tcss
