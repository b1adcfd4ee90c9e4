// The pull-request / merge-request comment (issue 23, 4): its hidden marker, its Markdown body,
// and reading the forges' answers (comment lists, the next page). Pure: app/comment.cpp talks
// to GitHub and GitLab.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/outputs.h"
#include "core/result.h"

namespace tcss::reports {

// "<!-- tcss-scan:KEY -->": KEY is 16 hex of the SHA-256 of the repository, the workflow and
// job (or the pipeline job's name) and the sorted image list, so that each job and image set
// (matrix jobs too) keeps a comment of its own.
std::string CommentMarker(const std::string& repository, const std::string& job,
                          std::vector<std::string> images);

// The comment: per image the counts (new and fixed with a baseline), the findings that fail the
// gate first (at most 30 rows, then "and N more"), the ignored and suppressed counts, the
// TaskID and the run's page. At most `max_bytes` (GitHub's 65,536-character limit), cut with a
// note and the marker kept. Server and pipeline text is shown literally.
std::string CommentBody(const RunReport& report, const std::string& marker,
                        const std::string& run_url, size_t max_bytes = 65536);

// One comment of a list: GitHub's issue comments ({id, body, user{login}}) or GitLab's notes
// ({id, body, author{username}, system}).
struct ForgeComment {
  std::string id;  // digits
  std::string author;
  std::string body;
};
Result<std::vector<ForgeComment>> ParseComments(std::string_view body, bool gitlab);
// The login that writes with the token: GET /user's "login" (GitHub) or "username" (GitLab).
Result<std::string> ParseLogin(std::string_view body, bool gitlab);
// GitHub GraphQL's answer to `query { viewer { login } }`: data.viewer.login. The job's
// GITHUB_TOKEN and a GitHub App's installation token are refused by GET /user but answer here
// (`github-actions[bot]`, `<app>[bot]`: the login their comments carry in the REST lists).
Result<std::string> ParseViewerLogin(std::string_view body);
// The GraphQL endpoint's path beside a REST API prefix: GitHub Enterprise Server's "/api/v3"
// becomes "/api/graphql"; any other prefix (github.com's "") gains "/graphql".
std::string GraphqlPath(std::string_view rest_prefix);
// The id of a created or updated comment.
Result<std::string> ParseCommentId(std::string_view body);
// GitHub's Link header: the URL of rel="next", or "".
std::string NextLink(std::string_view link_header);

}  // namespace tcss::reports
