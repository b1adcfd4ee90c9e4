#include "core/outputs.h"

#include <fmt/format.h>

#include "core/json.h"

namespace tcss {

Result<std::string> GithubOutputEntry(const std::string& name, const std::string& value,
                                      const std::string& delimiter) {
  if (name.empty()) return UsageError("empty GitHub output name");
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') {
      return UsageError("GitHub output name \"" + name +
                        "\" has a character outside [A-Za-z0-9_-]");
    }
  }
  if (delimiter.empty() || value.find(delimiter) != std::string::npos ||
      name.find(delimiter) != std::string::npos) {
    return UsageError("the output value contains the heredoc delimiter");
  }
  return name + "<<" + delimiter + "\n" + value + "\n" + delimiter + "\n";
}

std::string EscapeWorkflowData(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '%')
      out += "%25";
    else if (c == '\r')
      out += "%0D";
    else if (c == '\n')
      out += "%0A";
    else
      out.push_back(c);
  }
  return out;
}

std::string EscapeWorkflowProperty(const std::string& s) {
  std::string out;
  for (char c : EscapeWorkflowData(s)) {
    if (c == ':')
      out += "%3A";
    else if (c == ',')
      out += "%2C";
    else
      out.push_back(c);
  }
  return out;
}

std::string WorkflowAnnotation(const std::string& level, const std::string& title,
                               const std::string& message) {
  return "::" + level + " title=" + EscapeWorkflowProperty(title) +
         "::" + EscapeWorkflowData(message) + "\n";
}

std::string AddMaskCommand(const std::string& secret) {
  std::string out;
  size_t start = 0;
  while (start < secret.size()) {
    size_t nl = secret.find_first_of("\r\n", start);
    std::string line = secret.substr(start, nl == std::string::npos ? nl : nl - start);
    if (!line.empty()) out += "::add-mask::" + line + "\n";
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}

Result<std::string> DotenvContent(const std::vector<std::pair<std::string, std::string>>& vars) {
  std::string out;
  for (const auto& [key, value] : vars) {
    if (key.empty()) return UsageError("empty dotenv key");
    for (char c : key) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') {
        return UsageError("dotenv key \"" + key + "\" may hold only letters, digits and '_'");
      }
    }
    for (char c : value) {
      unsigned char u = static_cast<unsigned char>(c);
      if (u <= 0x20 || u == 0x7f || c == '"' || c == '\'' || c == '#' || c == '\\' || c == '`' ||
          c == '$') {
        return UsageError("dotenv value for " + key +
                          " contains whitespace, a quote, '#', '$' or a backslash, which GitLab's "
                          "dotenv rules forbid");
      }
    }
    out += key + "=" + value + "\n";
  }
  if (out.size() >= 5 * 1024)
    return UsageError("the dotenv report would exceed GitLab's 5 KB limit");
  return out;
}

namespace {
std::string Join(const std::vector<ImageResult>& images, const char* sep, bool ids) {
  std::string out;
  for (const auto& i : images) {
    if (!out.empty()) out += sep;
    out += ids ? i.image_id : i.reference;
  }
  return out;
}
std::string MdCell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n' || c == '\r')
      out += ' ';
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '`')
      out += "'";
    else
      out.push_back(c);
  }
  return out;
}
}  // namespace

std::vector<std::pair<std::string, std::string>> GithubOutputs(const RunReport& r) {
  return {{"task-id", r.task_id},
          {"request-id", r.request_id},
          {"image-ids", Join(r.images, "\n", true)}};
}

std::vector<std::pair<std::string, std::string>> DotenvVars(const RunReport& r) {
  std::vector<std::pair<std::string, std::string>> out = {{"TCSS_TASK_ID", r.task_id},
                                                          {"TCSS_REQUEST_ID", r.request_id}};
  std::string ids = Join(r.images, ",", true);
  if (!ids.empty()) out.emplace_back("TCSS_IMAGE_IDS", ids);
  return out;
}

std::string GithubSummaryMarkdown(const RunReport& r, size_t max_bytes) {
  std::string out = "### TCSS image scan\n\n";
  if (r.error && !r.error_is_warning) {
    out += fmt::format("**Failed**: {}{}\n\n", MdCell(r.error->message),
                       r.error->code.empty() ? "" : " (`" + MdCell(r.error->code) + "`)");
    if (!r.error->request_id.empty()) out += "RequestId: `" + r.error->request_id + "`\n\n";
  } else if (r.dry_run) {
    out += "Dry run: nothing was sent.\n\n";
  } else if (!r.task_id.empty()) {
    out += fmt::format("Scan task `{}` submitted (RequestId `{}`).\n\n", r.task_id, r.request_id);
  }
  if (r.error && r.error_is_warning) {
    out +=
        fmt::format("**Warning**: `{}`: {}\n\n", MdCell(r.error->code), MdCell(r.error->message));
  }
  if (r.selection == "all") out += "Selection: all images.\n";
  if (r.selection == "filters") out += "Selection: by filter.\n";
  if (!r.images.empty()) {
    out += "| Image | Image ID |\n|---|---|\n";
    std::string tail = "\n";
    for (size_t i = 0; i < r.images.size(); ++i) {
      std::string row = "| " + MdCell(r.images[i].reference) + " | `" +
                        MdCell(r.images[i].image_id.empty() ? "-" : r.images[i].image_id) + "` |\n";
      if (out.size() + row.size() + 64 > max_bytes) {
        out += fmt::format("| … {} more | |\n", r.images.size() - i);
        break;
      }
      out += row;
    }
    out += tail;
  }
  return out;
}

std::string JsonReport(const RunReport& r) {
  json::Writer w;
  w.BeginObject().String("taskId", r.task_id).String("requestId", r.request_id);
  w.BeginArray("images");
  for (const auto& i : r.images) {
    w.BeginObject().String("reference", i.reference).String("imageId", i.image_id).EndObject();
  }
  w.EndArray();
  if (r.error) {
    w.BeginObject("error")
        .String("code", r.error->code)
        .String("message", r.error->message)
        .String("requestId", r.error->request_id)
        .Bool("warning", r.error_is_warning)
        .EndObject();
  }
  if (r.dry_run) w.Bool("dryRun", true);
  w.EndObject();
  return w.str() + "\n";
}

}  // namespace tcss
