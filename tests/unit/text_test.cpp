// Text that reaches JSON, terminals, workflow commands and Markdown: valid, literal, whole.
#include <gtest/gtest.h>

#include "core/json.h"
#include "core/outputs.h"
#include "core/reports/summary.h"
#include "core/text.h"
#include "core/url.h"

namespace tcss {
namespace {

TEST(Utf8, InvalidBytesBecomeReplacementCharacters) {
  EXPECT_EQ(text::ValidUtf8("ok \xff\xfe end"), "ok \xEF\xBF\xBD\xEF\xBF\xBD end");
  EXPECT_EQ(text::ValidUtf8("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(text::ValidUtf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  EXPECT_EQ(text::ValidUtf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(text::ValidUtf8("\xE6\x97"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // cut short
}

TEST(Utf8, TruncationNeverSplitsACharacter) {
  std::string s = "ab\xE6\x97\xA5";  // "ab" + U+65E5 (3 bytes)
  EXPECT_EQ(text::TruncateUtf8(s, 4), "ab");
  EXPECT_EQ(text::TruncateUtf8(s, 5), s);
  std::string long_message(999, 'x');
  long_message += "\xE6\x97\xA5";
  EXPECT_EQ(text::TruncateUtf8(long_message, 1000), std::string(999, 'x'));
}

TEST(Utf8, JsonStringsAreAlwaysValid) {
  EXPECT_EQ(json::Quote("a\xff"), "\"a\xEF\xBF\xBD\"");
  EXPECT_TRUE(json::ParseObject("{\"v\":" + json::Quote("\x1f\xc3(\xa0") + "}").ok());
}

TEST(Escaping, WorkflowCommandsGetNoRawControlCharacters) {
  std::string a = WorkflowAnnotation("error", "t", "bad\x1b[31m red\x07\nnext");
  EXPECT_EQ(a, "::error title=t::bad%1B[31m red%07%0Anext\n");
  EXPECT_EQ(a.find('\x1b'), std::string::npos);
}

TEST(Escaping, ServerTextInTheSummaryIsLiteral) {
  RunReport r;
  r.task_id = "t1";
  r.request_id = "r1";
  r.error =
      Error{ErrorKind::kApi, "InvalidParameter",
            "![x](https://evil.example/p.png) [click](https://evil.example) <img src=x> |", ""};
  std::string md = GithubSummaryMarkdown(r);
  EXPECT_NE(md.find("`![x](https://evil.example/p.png) [click](https://evil.example) <img src=x> "
                    "\\|`"),
            std::string::npos)
      << md;
}

TEST(Urls, ProxyCredentialsArePercentDecodedAndNeverShown) {
  auto u = ParseUrl("http://us%3Aer:p%40ss%2F%23%3F@proxy.local:3128");
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->user, "us:er");
  EXPECT_EQ(u->password, "p@ss/#?");
  EXPECT_EQ(u->host, "proxy.local");
  auto bad = ParseUrl("http://user:secret%zz@proxy.local:99999");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message.find("secret"), std::string::npos) << bad.error().message;
  EXPECT_EQ(RedactUserinfo("http://u:p@h:1/"), "http://***@h:1/");
  EXPECT_EQ(RedactUserinfo("http://h:1/a@b"), "http://h:1/a@b");
}

}  // namespace
}  // namespace tcss

namespace tcss {
namespace {

TEST(NoProxy, CidrRangesAndExactAddressesButNoSuffixesForIps) {
  EXPECT_TRUE(NoProxyMatches("127.0.0.0/8", "127.0.0.1"));
  EXPECT_TRUE(NoProxyMatches("10.0.0.0/8, .corp", "10.1.2.3"));
  EXPECT_FALSE(NoProxyMatches("10.0.0.0/8", "11.0.0.1"));
  EXPECT_FALSE(NoProxyMatches("0.1", "127.0.0.1"));
  EXPECT_FALSE(NoProxyMatches(".0.1", "127.0.0.1"));
  EXPECT_TRUE(NoProxyMatches("127.0.0.1:8080", "127.0.0.1"));
  EXPECT_TRUE(NoProxyMatches("::1", "::1"));
  EXPECT_TRUE(NoProxyMatches("[::1]", "::1"));
  EXPECT_TRUE(NoProxyMatches("fd00::/8", "fd12::5"));
  EXPECT_TRUE(NoProxyMatches(".tencentcloudapi.com", "tcss.tencentcloudapi.com"));
  EXPECT_FALSE(NoProxyMatches("cloudapi.com", "tcss.tencentcloudapi.com"));
}

}  // namespace
}  // namespace tcss

namespace tcss {
namespace {

TEST(Text, ReplaceAllNeverSearchesWhatItPutIn) {
  EXPECT_EQ(text::ReplaceAll("a##[b##[", "##[", "## ["), "a## [b## [");
  EXPECT_EQ(text::ReplaceAll("xx", "x", "xx"), "xxxx");  // no endless growth
  EXPECT_EQ(text::ReplaceAll("abc", "", "-"), "abc");
  EXPECT_EQ(text::ReplaceAll("key key", "key", "***"), "*** ***");
}

TEST(Text, ClosestFindsTyposSwapsAndUniquePrefixes) {
  const std::vector<std::string> c = {"--wait", "--wait-timeout", "--severity-threshold",
                                      "--source", "--scan"};
  EXPECT_EQ(text::EditDistance("abc", "acb"), 1u);  // a swap counts once
  EXPECT_EQ(text::EditDistance("", "abc"), 3u);
  EXPECT_EQ(text::Closest("--wiat", c), "--wait");
  EXPECT_EQ(text::Closest("--severity", c), "--severity-threshold");  // the only one it starts
  EXPECT_EQ(text::Closest("--s", c), "");                             // too short, ambiguous
  EXPECT_EQ(text::Closest("--xyzzy-plugh", c), "");
  EXPECT_EQ(text::Closest("--SOURCE", c), "--source");
}

}  // namespace
}  // namespace tcss
