#include <gtest/gtest.h>

#include "core/image_ref.h"
#include "core/text.h"
#include "core/url.h"

namespace tcss {
namespace {

TEST(ImageRef, NormalisesDockerHubNames) {
  EXPECT_EQ(ParseImageRef("nginx")->Normalized(), "docker.io/library/nginx:latest");
  EXPECT_EQ(ParseImageRef("nginx:1.25")->Familiar(), "nginx:1.25");
  EXPECT_EQ(ParseImageRef("docker.io/library/nginx:1.25")->Familiar(), "nginx:1.25");
  EXPECT_EQ(ParseImageRef("index.docker.io/acme/app:1")->Normalized(), "docker.io/acme/app:1");
  EXPECT_EQ(ParseImageRef("acme/app:1")->Familiar(), "acme/app:1");
  EXPECT_EQ(ParseImageRef("ccr.ccs.tencentyun.com/ns/app:1.0")->Familiar(),
            "ccr.ccs.tencentyun.com/ns/app:1.0");
  EXPECT_EQ(ParseImageRef("localhost:5000/a/b")->Normalized(), "localhost:5000/a/b:latest");
  std::string d = "sha256:" + std::string(64, 'c');
  EXPECT_EQ(ParseImageRef("reg.io/a@" + d)->Normalized(), "reg.io/a@" + d);
  EXPECT_EQ(ParseImageRef("reg.io/a:t@" + d)->tag, "t");
}

TEST(ImageRef, RejectsWhatDockerRejects) {
  for (const char* bad : {"", "Nginx", "nginx:", "nginx:-x", "reg.io/a@sha256:123", "a//b", "a/-b",
                          "a b", "reg.io:99999/a", "a/b_", "a..b", ":tag"}) {
    EXPECT_FALSE(ParseImageRef(bad).ok()) << bad;
  }
  EXPECT_FALSE(ParseImageRef("a:" + std::string(129, 'x')).ok());
  EXPECT_TRUE(ParseImageRef("a:" + std::string(128, 'x')).ok());
  EXPECT_TRUE(ParseImageRef("a__b/c-d--e.f:v1.0_rc-1").ok());
  EXPECT_TRUE(ParseImageRef("Registry.Example.com/a").ok());
}

TEST(ImageId, ExactForm) {
  EXPECT_TRUE(IsImageId("sha256:" + std::string(64, 'a')));
  EXPECT_FALSE(IsImageId("sha256:" + std::string(63, 'a')));
  EXPECT_FALSE(IsImageId("sha256:" + std::string(64, 'A')));
  EXPECT_FALSE(IsImageId("nginx"));
}

TEST(Endpoint, HttpOnlyOnLoopback) {
  EXPECT_TRUE(ParseEndpoint("http://127.0.0.1:8080").ok());
  EXPECT_TRUE(ParseEndpoint("http://localhost:1").ok());
  EXPECT_TRUE(ParseEndpoint("http://[::1]:1").ok());
  EXPECT_FALSE(ParseEndpoint("http://10.0.0.1:80").ok());
  EXPECT_FALSE(ParseEndpoint("http://127.0.0.1.evil.com").ok());
  EXPECT_FALSE(ParseEndpoint("https://tcss.tencentcloudapi.com/path").ok());
  EXPECT_FALSE(ParseEndpoint("ftp://x").ok());
  EXPECT_FALSE(ParseEndpoint("https://user:pw@x").ok());
  auto u = ParseEndpoint("https://tcss.intl.tencentcloudapi.com/");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->HostHeader(), "tcss.intl.tencentcloudapi.com");
  EXPECT_EQ(ParseEndpoint("http://127.0.0.1:8080")->HostHeader(), "127.0.0.1:8080");
}

TEST(OneLine, EscapesEverythingThatCouldBreakALine) {
  EXPECT_EQ(text::OneLine("a\nb\rc\x01"
                          "d\te"),
            "a\\nb\\rc\\x01d\te");
  EXPECT_EQ(text::OneLine("plain"), "plain");
}

TEST(NoProxy, Matching) {
  EXPECT_TRUE(NoProxyMatches("localhost,.tencentcloudapi.com", "tcss.tencentcloudapi.com"));
  EXPECT_TRUE(NoProxyMatches("tencentcloudapi.com", "tcss.tencentcloudapi.com"));
  EXPECT_FALSE(NoProxyMatches("cloudapi.com", "tcss.tencentcloudapi.com"));
  EXPECT_TRUE(NoProxyMatches("*", "x"));
  EXPECT_TRUE(NoProxyMatches("127.0.0.1:8080", "127.0.0.1"));
  EXPECT_FALSE(NoProxyMatches("", "x"));
}

}  // namespace
}  // namespace tcss
