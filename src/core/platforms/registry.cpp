#include <algorithm>
#include <cctype>

#include "core/config.h"
#include "core/platforms/list.h"
#include "core/text.h"

namespace tcss::platforms {

namespace {

class NoCi : public Platform {
 public:
  const char* Id() const override { return "none"; }
  const char* Name() const override { return "no CI"; }
  bool Detect(const Env& /*env*/) const override { return true; }
};

}  // namespace

const Platform& None() {
  static const NoCi kNone;
  return kNone;
}

// Detection order: the most specific marker first (a CODING Jenkins job may also say CODING=true;
// Docker Hub's IMAGE_NAME is a common name, so it comes last).
const std::vector<const Platform*>& All() {
  static const std::vector<const Platform*> kAll = {
      &Github(),    &Gitlab(),   &Azure(),     &Jenkins(), &Cnb(),       &Tekton(),
      &Buildkite(), &Circleci(), &Bitbucket(), &Drone(),   &DockerHub(), &None()};
  return kAll;
}

std::string Names() {
  std::string out = "auto";
  for (const Platform* p : All()) out += std::string("|") + p->Id();
  return out;
}

Result<const Platform*> Choose(const Env& env, const std::string& requested) {
  std::string want = text::Lower(text::Trim(requested));
  if (want.empty() || want == "auto") {
    for (const Platform* p : All()) {
      if (p->Detect(env)) return p;
    }
    return &None();
  }
  for (const Platform* p : All()) {
    if (want == p->Id()) return p;
  }
  return UsageError("unknown platform \"" + requested +
                    "\" (--platform/TCSS_PLATFORM); use one of " + Names());
}

Result<PipelineImages> ImagesFromPipeline(const Env& env, const Platform& detected) {
  PipelineImages out;
  for (const Platform* p : All()) {
    auto found = p->Images(env, p == &detected);
    if (!found.ok()) return found.error();
    // The message names only what this platform sets: another CI system's variables are
    // noise in a plain shell.
    if (p == &detected) {
      for (auto& l : found->looked_at) out.looked_at.push_back(std::move(l));
    }
    if (!found->images.empty()) {
      found->looked_at = out.looked_at;
      return found;
    }
  }
  return out;
}

Result<Env> WithPluginSettings(const Env& env, std::vector<std::string>* notices) {
  auto platform = Choose(env, Get(env, "TCSS_PLATFORM"));
  if (!platform.ok() || !(*platform)->TakesPluginSettings()) return env;
  // The settings a plugin step takes: every option's input name, and the credentials (which
  // are never options, SPEC §3).
  std::vector<std::pair<std::string, std::string>> known = {
      {"secret-id", "TENCENTCLOUD_SECRET_ID"},
      {"secret-key", "TENCENTCLOUD_SECRET_KEY"},
      {"session-token", "TENCENTCLOUD_SESSION_TOKEN"}};
  for (const auto& o : Options()) known.emplace_back(o.input, o.env);
  const size_t current = known.size();
  std::vector<std::string> renamed;  // for each old name after `current`: its new name
  for (const auto& o : Options()) {
    for (const auto& old : o.input_aliases) {
      known.emplace_back(old, o.env);
      renamed.push_back(o.input);
    }
  }
  const std::string kPrefix = "PLUGIN_";
  Env out = env;
  for (const auto& [key, value] : env) {
    if (key.compare(0, kPrefix.size(), kPrefix) != 0) continue;
    std::string name = text::Lower(key.substr(kPrefix.size()));
    std::replace(name.begin(), name.end(), '_', '-');
    auto it =
        std::find_if(known.begin(), known.end(), [&](const auto& k) { return k.first == name; });
    if (it == known.end()) {
      std::string names;
      for (size_t k = 0; k < current; ++k) names += (names.empty() ? "" : ", ") + known[k].first;
      std::vector<std::string> current_names;
      for (size_t k = 0; k < current; ++k) current_names.push_back(known[k].first);
      std::string near = text::Closest(name, current_names);
      return UsageError("unknown plugin setting \"" + name + "\" (" + key + ")" +
                        (near.empty() ? "" : "; did you mean " + near + "?") +
                        " The settings are (with - or _): " + names);
    }
    const auto at = static_cast<size_t>(it - known.begin());
    if (at >= current && notices != nullptr) {
      notices->push_back("the setting " + name + " is deprecated; call it " +
                         renamed[at - current] + " (it works the same)");
    }
    if (text::Trim(Get(out, it->second)).empty()) out[it->second] = value;
  }
  return out;
}

std::string Get(const Env& env, const std::string& key) {
  auto it = env.find(key);
  return it == env.end() ? "" : it->second;
}

std::string WebAddress(const std::string& url) {
  if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) return "";
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f || c == '"' || c == '<' || c == '>')
      return "";
  }
  return url.size() <= 2048 ? url : "";
}

std::string AzureEscape(const std::string& s, bool property) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '%':
        out += "%AZP25";
        break;
      case '\r':
        out += "%0D";
        break;
      case '\n':
        out += "%0A";
        break;
      case ']':
        out += property ? "%5D" : "]";
        break;
      case ';':
        out += property ? "%3B" : ";";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string DefuseLogCommands(std::string_view line) {
  return text::BreakRunnerKeywords(line, [](char c) { return std::string(" ") + c; });
}

std::vector<OutputFile> AppendedFile(const Env& env, const std::string& var) {
  std::string path = Get(env, var);
  if (path.empty()) return {};
  return {{var, path, false}};
}

Vars StepOutputs(const RunReport& report, char sep) {
  Vars out;
  for (auto& [key, value] : DotenvVars(report)) {
    std::string name = text::Lower(key.compare(0, 5, "TCSS_") == 0 ? key.substr(5) : key);
    std::replace(name.begin(), name.end(), '_', sep);
    out.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

}  // namespace tcss::platforms
