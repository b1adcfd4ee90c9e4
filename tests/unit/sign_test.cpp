// The signer against Tencent's published vectors (tests/vectors) and RFC 4231.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sign/tc3.h"

namespace tcss::sign {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Unhex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

struct Vector {
  fs::path dir;
  bool Has(const std::string& f) const { return fs::exists(dir / f); }
  std::string Get(const std::string& f) const { return Slurp(dir / f); }
  SignInput Input() const {
    SignInput in;
    in.secret_id = Get("secret_id");
    in.secret_key = Get("secret_key");
    in.service = Get("service");
    in.method = Get("method");
    in.query = Get("query");
    in.payload = Get("payload");
    in.timestamp = std::stoll(Get("timestamp"));
    std::istringstream headers(Get("headers"));
    std::string line;
    while (std::getline(headers, line)) {
      size_t colon = line.find(':');
      in.signed_headers.push_back({line.substr(0, colon), line.substr(colon + 1)});
    }
    return in;
  }
};

std::vector<std::string> VectorNames() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(TCSS_VECTORS_DIR)) {
    if (e.is_directory()) names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class PublishedVector : public ::testing::TestWithParam<std::string> {};

TEST_P(PublishedVector, EveryPublishedStageMatches) {
  Vector v{fs::path(TCSS_VECTORS_DIR) / GetParam()};
  SignInput in = v.Input();
  SignOutput out = Sign(in);
  std::string date = UtcDate(in.timestamp);
  if (v.Has("payload_hash")) {
    EXPECT_EQ(Sha256Hex(in.payload), v.Get("payload_hash"));
  }
  if (v.Has("canonical_request")) {
    EXPECT_EQ(out.canonical_request, v.Get("canonical_request"));
  }
  EXPECT_EQ(Sha256Hex(out.canonical_request), v.Get("hashed_canonical_request"));
  if (v.Has("string_to_sign")) {
    EXPECT_EQ(out.string_to_sign, v.Get("string_to_sign"));
  }
  if (v.Has("secret_date")) {
    std::string k_date = HmacSha256("TC3" + in.secret_key, date);
    EXPECT_EQ(HexLower(k_date), v.Get("secret_date"));
    std::string k_service = HmacSha256(k_date, in.service);
    EXPECT_EQ(HexLower(k_service), v.Get("secret_service"));
    EXPECT_EQ(HexLower(HmacSha256(k_service, "tc3_request")), v.Get("secret_signing"));
  }
  EXPECT_EQ(out.signature, v.Get("signature"));
  if (v.Has("authorization")) {
    EXPECT_EQ(out.authorization, v.Get("authorization"));
  }
}

INSTANTIATE_TEST_SUITE_P(Tencent, PublishedVector, ::testing::ValuesIn(VectorNames()),
                         [](const auto& param_info) {
                           std::string n = param_info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

TEST(Vectors, AllFiveCasesArePresent) { EXPECT_EQ(VectorNames().size(), 5u); }

TEST(Tc3, UtcDateIsTheUtcDayNotTheLocalOne) {
  EXPECT_EQ(UtcDate(1551113065), "2019-02-25");  // 2019-02-26 00:44 in UTC+8
  EXPECT_EQ(UtcDate(1700000000), "2023-11-14");
  EXPECT_EQ(UtcDate(0), "1970-01-01");
}

TEST(Tc3, ChangingAnySignedInputChangesTheSignature) {
  Vector v{fs::path(TCSS_VECTORS_DIR) / "tcss-node-sdk"};
  SignInput base = v.Input();
  std::string sig = Sign(base).signature;
  SignInput a = base;
  a.payload += " ";
  SignInput b = base;
  b.timestamp += 1;
  SignInput c = base;
  c.secret_key[0] = 'F';
  SignInput d = base;
  d.signed_headers[1].value = "tcss.intl.tencentcloudapi.com";
  for (const auto& in : {a, b, c, d}) EXPECT_NE(Sign(in).signature, sig);
}

TEST(Tc3, HeadersAreTrimmedLowerCasedAndSorted) {
  auto cr = BuildCanonicalRequest(
      "POST", "", {{" Host ", "TCSS.tencentcloudapi.com "}, {"Content-Type", "application/json"}},
      "");
  EXPECT_EQ(cr.signed_headers, "content-type;host");
  EXPECT_NE(cr.text.find("content-type:application/json\nhost:tcss.tencentcloudapi.com\n\n"),
            std::string::npos);
}

// RFC 4231 test cases 1, 2 and 6 (key longer than the block size).
TEST(Hmac, Rfc4231) {
  EXPECT_EQ(HexLower(HmacSha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(HexLower(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(HexLower(HmacSha256(std::string(131, '\xaa'),
                                "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(Unhex("00ff"), std::string("\x00\xff", 2));
}

TEST(Sha256, EmptyPayloadHash) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(SafeEqual, ComparesWholeStrings) {
  EXPECT_TRUE(SafeEqual("abc", "abc"));
  EXPECT_FALSE(SafeEqual("abc", "abd"));
  EXPECT_FALSE(SafeEqual("abc", "ab"));
}

}  // namespace
}  // namespace tcss::sign
