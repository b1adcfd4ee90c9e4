// The Docker reference grammar (distribution/reference) and the normalisation TCSS needs.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace tcss {

struct ImageRef {
  std::string domain;  // "docker.io" when the reference names none
  std::string path;    // "library/nginx"
  std::string tag;     // "" when absent
  std::string digest;  // "sha256:<64 hex>" or ""

  // docker.io/library/nginx:latest (a missing tag reads as "latest" unless a digest is given).
  std::string Normalized() const;
  // The short form TCSS shows in ImageName: "nginx:latest", "user/app:1", "ccr.x/ns/app:1".
  std::string Familiar() const;
};

bool IsImageId(std::string_view s);  // "sha256:" followed by 64 lower-case hex digits

// The manifest digest `docker push` printed ("latest: digest: sha256:… size: 1234"; the last
// one when it printed several), or "" when it printed none.
std::string PushedDigest(std::string_view docker_push_output);

// Parses and validates; the error names what is wrong and how to fix it.
Result<ImageRef> ParseImageRef(std::string_view text);

}  // namespace tcss
