// The CI systems tcss-scan knows (SPEC §4, §5; issue 13): one file per system behind this one
// interface, so that adding a system touches its own file and the list in registry.cpp only.
// Pure: a platform turns the environment and a RunReport into text and file contents; the app
// writes them (Ports).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/outputs.h"
#include "core/result.h"

namespace tcss::platforms {

using Env = std::map<std::string, std::string>;
using Vars = std::vector<std::pair<std::string, std::string>>;

struct PipelineImages {
  std::vector<std::string> images;
  std::string source;                  // e.g. "DOCKER_METADATA_OUTPUT_JSON .tags"
  std::vector<std::string> looked_at;  // everything consulted, for the "nothing found" message
  std::string digest;                  // the built manifest, when the platform names it
};

// A file a platform writes: checked before anything is sent (CheckWritable), written after.
struct OutputFile {
  std::string what;  // how messages name it: "GITHUB_OUTPUT", "$(results.task-id.path)"
  std::string path;
  bool replace = false;  // Files::Replace, else Files::Append
};

// What a run hands its CI system, as data the app carries out in this order: files, stdout,
// commands.
struct Publication {
  struct File {
    OutputFile target;
    std::string text;
  };
  std::vector<File> files;
  std::string stdout_text;                         // commands the runner reads from stdout
  std::vector<std::vector<std::string>> commands;  // programs to run (buildkite-agent), no shell
  std::vector<std::string> warnings;               // an output left out, and why
};

struct PublishContext {
  const Env& env;
  int exit_code = 0;
  std::function<std::string()> run_id;            // random hex, the same all run long
  std::function<std::string()> random_hex;        // fresh randomness (GitHub's delimiters)
  std::function<std::string(std::string)> scrub;  // removes secrets from text meant for humans
};

// The CI run this is, for documents that point back at it (the cosign predicate): its web
// address (http or https only) and ID, "" when the platform names none.
struct RunLink {
  std::string url;
  std::string id;
};
// Where the pull-request / merge-request comment goes (issue 23): GitHub and GitLab name it.
struct CommentPlace {
  bool gitlab = false;
  std::string api;       // the API base URL (GITHUB_API_URL, CI_API_V4_URL), no trailing '/'
  std::string comments;  // the list's path under it: /repos/O/R/issues/N/comments
  std::string item;      // a comment's path under it, without the id: /repos/O/R/issues/comments/
  std::vector<std::pair<std::string, std::string>> headers;  // the token's header, Accept, ...
  std::string token;                                         // never printed: the logger scrubs it
  std::string repository;  // for the marker: the repository or project path
  std::string job;         // for the marker: the workflow and job, or the pipeline job's name
  std::string bot;         // who writes when the token cannot say (GET /user refused), or ""
};
using ReadFile = std::function<Result<std::string>(const std::string&)>;

// `url` when it is an http(s) address without spaces or controls, else "".
std::string WebAddress(const std::string& url);

class Platform {
 public:
  virtual ~Platform() = default;
  virtual const char* Id() const = 0;    // the --platform value: "github"
  virtual const char* Name() const = 0;  // for messages: "GitHub Actions"
  // By the platform's documented variables (Tekton has none: --platform tekton).
  virtual bool Detect(const Env& env) const = 0;
  // The images the job built, where the platform says (SPEC §4). Every platform is asked, in
  // registry order, whether or not it was detected: each checks its own marker, so that the
  // order of SPEC §4 holds. Empty when it says nothing.
  virtual Result<PipelineImages> Images(const Env& /*env*/, bool /*detected*/) const {
    return PipelineImages{};
  }
  // Default --dotenv path ("" = none).
  virtual std::string DefaultDotenv() const { return ""; }
  // Settings arrive as PLUGIN_<NAME> (the Drone plugin convention: Drone, Woodpecker, CNB).
  virtual bool TakesPluginSettings() const { return false; }
  // The files Publish will write, for the check before anything is sent.
  virtual std::vector<OutputFile> Files(const PublishContext& /*ctx*/) const { return {}; }
  virtual Publication Publish(const RunReport& /*report*/, const PublishContext& /*ctx*/) const {
    return {};
  }
  // A line on stdout that shows `message` as an error or warning in the build's UI; "" = none.
  virtual std::string Annotation(bool /*error*/, const std::string& /*message*/) const {
    return "";
  }
  // A stdout command that masks `secret` in the rest of the job's log; "" = the platform has none.
  virtual std::string MaskCommand(const std::string& /*secret*/) const { return ""; }
  // The default STS session name for this job ("" = none: tcss-scan-<time>).
  virtual std::string SessionName(const Env& /*env*/) const { return ""; }
  virtual RunLink Run(const Env& /*env*/) const { return {}; }
  // Where --comment writes, or why it cannot (a warning: the comment never changes the exit
  // code). `read` reads a file the platform names (GitHub's event payload).
  virtual Result<CommentPlace> Comment(const Env& /*env*/, const ReadFile& /*read*/) const {
    return UsageError(std::string(Name()) +
                      " has no pull-request comment in tcss-scan (GitHub Actions and GitLab CI "
                      "have); the reports and the step outputs carry the result");
  }
  // Variables holding an OIDC token the platform mints for the job, in order of preference.
  virtual std::vector<std::string> OidcTokenVariables() const { return {}; }
  // What to tell a user whose job has no OIDC token ("" = the generic hint).
  virtual std::string OidcTokenHint(const std::string& /*audience*/) const { return ""; }
};

// Every platform, "none" last.
const std::vector<const Platform*>& All();
// `requested` is --platform/TCSS_PLATFORM: "" or "auto" detects. Fails on an unknown name.
Result<const Platform*> Choose(const Env& env, const std::string& requested);
const Platform& None();
// "auto|none|github|gitlab|…" for help and messages.
std::string Names();

// SPEC §4 steps 2-4 and the other platforms' conventions: the first platform that names an
// image wins. An unreadable variable is an error, not a silent fall-through.
Result<PipelineImages> ImagesFromPipeline(const Env& env, const Platform& detected);

// For plugin platforms: the environment with every PLUGIN_<NAME> setting copied to the variable
// the option reads (PLUGIN_FAIL_ON → TCSS_FAIL_ON, PLUGIN_SECRET_ID → TENCENTCLOUD_SECRET_ID)
// unless that one is set. An unknown setting is an error that lists the known ones; an old
// (deprecated) name still works and adds a line to `notices`.
Result<Env> WithPluginSettings(const Env& env, std::vector<std::string>* notices);

// Helpers the platform files share.
std::string Get(const Env& env, const std::string& key);
// Azure's logging-command escaping (azure-pipelines-task-lib): % → %AZP25, CR, LF, ']' and ';'
// → %0D %0A %5D %3B. `property` = false escapes only what data needs (%, CR, LF).
std::string AzureEscape(const std::string& s, bool property);
// Neutralises what a CI runner would act on inside a line of our own log output: "##vso[" (Azure
// acts on it anywhere in a line) and "##[" (Azure's and CNB's line commands) get a space after
// "##". GitHub's "::" only counts at the start of a line, which the logger never emits.
std::string DefuseLogCommands(std::string_view line);

}  // namespace tcss::platforms
