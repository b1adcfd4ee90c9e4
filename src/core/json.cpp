#include "core/json.h"

#include "core/text.h"

#include <cctype>
#include <cstring>

#include <Poco/JSON/Parser.h>
#include <fmt/format.h>

#include <cmath>
#include <limits>

namespace tcss::json {

namespace {

// Appends `raw` as a JSON string literal. JSON must be valid UTF-8: a server's stray bytes
// become U+FFFD, never raw bytes. Written in place: reports quote millions of strings.
void AppendQuoted(std::string& out, std::string_view raw) {
  static const char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (size_t i = 0; i < raw.size();) {
    const auto c = static_cast<unsigned char>(raw[i]);
    if (c >= 0x80) {
      size_t n = text::Utf8Length(raw, i);
      if (n == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD
        ++i;
      } else {
        out.append(raw.substr(i, n));
        i += n;
      }
      continue;
    }
    ++i;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

}  // namespace

std::string Quote(std::string_view raw) {
  std::string out;
  AppendQuoted(out, raw);
  return out;
}

void Writer::Comma() {
  if (!first_) out_ += ",";
  first_ = false;
}
Writer& Writer::BeginObject() {
  Comma();
  out_ += "{";
  first_ = true;
  return *this;
}
Writer& Writer::BeginObject(std::string_view key) {
  Key(key);
  out_ += "{";
  first_ = true;
  return *this;
}
Writer& Writer::EndObject() {
  out_ += "}";
  first_ = false;
  return *this;
}
Writer& Writer::BeginArray() {
  Comma();
  out_ += "[";
  first_ = true;
  return *this;
}
Writer& Writer::BeginArray(std::string_view key) {
  Key(key);
  out_ += "[";
  first_ = true;
  return *this;
}
Writer& Writer::EndArray() {
  out_ += "]";
  first_ = false;
  return *this;
}
Writer& Writer::Key(std::string_view key) {
  Comma();
  AppendQuoted(out_, key);
  out_.push_back(':');
  return *this;
}
Writer& Writer::String(std::string_view key, std::string_view value) {
  Key(key);
  AppendQuoted(out_, value);
  return *this;
}
Writer& Writer::String(std::string_view value) {
  Comma();
  AppendQuoted(out_, value);
  return *this;
}
Writer& Writer::Bool(std::string_view key, bool value) {
  Key(key);
  out_ += value ? "true" : "false";
  return *this;
}
Writer& Writer::Int(std::string_view key, int64_t value) {
  Key(key);
  out_ += std::to_string(value);
  return *this;
}
Writer& Writer::Raw(std::string_view key, std::string_view raw_json) {
  Key(key);
  out_ += raw_json;
  return *this;
}
Writer& Writer::StringArray(std::string_view key, const std::vector<std::string>& values) {
  BeginArray(key);
  for (const auto& v : values) String(v);
  return EndArray();
}

namespace {

// A JSON syntax checker that remembers where it stopped. Depth is capped, not recursed past.
class SyntaxChecker {
 public:
  explicit SyntaxChecker(std::string_view t) : t_(t) {}
  // The offset of the first error, or npos.
  size_t Check() {
    Ws();
    if (!Value(0)) return i_;
    Ws();
    return i_ == t_.size() ? std::string_view::npos : i_;
  }

 private:
  void Ws() {
    while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\t' || t_[i_] == '\n' || t_[i_] == '\r'))
      ++i_;
  }
  bool Lit(std::string_view w) {
    if (t_.substr(i_, w.size()) != w) return false;
    i_ += w.size();
    return true;
  }
  bool String() {
    ++i_;  // opening quote
    while (i_ < t_.size()) {
      unsigned char c = static_cast<unsigned char>(t_[i_]);
      if (c == '"') {
        ++i_;
        return true;
      }
      if (c < 0x20) return false;
      if (c == '\\') {
        ++i_;
        if (i_ >= t_.size()) return false;
        if (t_[i_] == 'u') {
          for (int k = 0; k < 4; ++k) {
            if (++i_ >= t_.size() || !std::isxdigit(static_cast<unsigned char>(t_[i_])))
              return false;
          }
        } else if (std::string_view("\"\\/bfnrt").find(t_[i_]) == std::string_view::npos) {
          return false;
        }
      }
      ++i_;
    }
    return false;
  }
  bool Number() {
    size_t start = i_;
    if (i_ < t_.size() && t_[i_] == '-') ++i_;
    size_t digits = i_;
    while (i_ < t_.size() && std::isdigit(static_cast<unsigned char>(t_[i_]))) ++i_;
    if (i_ == digits) return false;
    if (i_ < t_.size() && t_[i_] == '.') {
      size_t f = ++i_;
      while (i_ < t_.size() && std::isdigit(static_cast<unsigned char>(t_[i_]))) ++i_;
      if (i_ == f) return false;
    }
    if (i_ < t_.size() && (t_[i_] == 'e' || t_[i_] == 'E')) {
      ++i_;
      if (i_ < t_.size() && (t_[i_] == '+' || t_[i_] == '-')) ++i_;
      size_t e = i_;
      while (i_ < t_.size() && std::isdigit(static_cast<unsigned char>(t_[i_]))) ++i_;
      if (i_ == e) return false;
    }
    return i_ > start;
  }
  bool Value(int depth) {
    if (i_ >= t_.size() || depth > 512) return false;
    char c = t_[i_];
    if (c == '"') return String();
    if (c == 't') return Lit("true");
    if (c == 'f') return Lit("false");
    if (c == 'n') return Lit("null");
    if (c == '[' || c == '{') {
      char close = c == '[' ? ']' : '}';
      ++i_;
      Ws();
      if (i_ < t_.size() && t_[i_] == close) {
        ++i_;
        return true;
      }
      while (true) {
        if (c == '{') {
          if (i_ >= t_.size() || t_[i_] != '"' || !String()) return false;
          Ws();
          if (i_ >= t_.size() || t_[i_] != ':') return false;
          ++i_;
          Ws();
        }
        if (!Value(depth + 1)) return false;
        Ws();
        if (i_ < t_.size() && t_[i_] == ',') {
          ++i_;
          Ws();
          continue;
        }
        if (i_ < t_.size() && t_[i_] == close) {
          ++i_;
          return true;
        }
        return false;
      }
    }
    return Number();
  }
  std::string_view t_;
  size_t i_ = 0;
};

}  // namespace

std::string SyntaxErrorPosition(std::string_view text) {
  size_t at = SyntaxChecker(text).Check();
  if (at == std::string_view::npos) return "";
  size_t line = 1, column = 1;
  for (size_t k = 0; k < at && k < text.size(); ++k) {
    if (text[k] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

namespace {
// An integer literal POCO would wrap around (it reads 18446744073709551616 as 0): beyond
// uint64 upwards, beyond int64 downwards.
bool OutOfRange(std::string_view digits, bool negative) {
  std::string_view limit = negative ? "9223372036854775808" : "18446744073709551615";
  while (digits.size() > 1 && digits[0] == '0') digits.remove_prefix(1);
  return digits.size() > limit.size() || (digits.size() == limit.size() && digits > limit);
}
}  // namespace

Result<Poco::JSON::Object::Ptr> ParseObject(std::string_view text, size_t max_depth,
                                            size_t max_values) {
  // Count nesting before handing the text to POCO, whose object builder recurses, and turn
  // every integer POCO would wrap into a string saying so: a typed reader then refuses it
  // instead of reading another number.
  size_t depth = 0;
  size_t values = 0;
  bool in_string = false;
  bool escaped = false;
  std::string rewritten;
  size_t copied = 0;  // text[0, copied) is in `rewritten` when a number was rewritten
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[' || c == ',') {
      // Every value POCO would build is counted before it builds any: memory stays bounded
      // whatever a server sends (a 15 MiB page of 1.7 million tiny entries).
      if (++values > max_values) {
        return UsageError(fmt::format("JSON with more than {} values", max_values));
      }
      if (c != ',' && ++depth > max_depth)
        return UsageError("JSON nested deeper than " + std::to_string(max_depth));
    } else if (c == '}' || c == ']') {
      if (depth > 0) --depth;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      size_t end = i + 1;
      bool integer = true;
      while (end < text.size() && (std::isdigit(static_cast<unsigned char>(text[end])) ||
                                   std::strchr(".eE+-", text[end]) != nullptr)) {
        if (!std::isdigit(static_cast<unsigned char>(text[end]))) integer = false;
        ++end;
      }
      bool negative = c == '-';
      std::string_view digits = text.substr(negative ? i + 1 : i, end - (negative ? i + 1 : i));
      if (integer && !digits.empty() && OutOfRange(digits, negative)) {
        rewritten.append(text.substr(copied, i - copied));
        rewritten += "\"(an integer out of range)\"";
        copied = end;
      }
      i = end - 1;
    }
  }
  if (copied > 0) rewritten.append(text.substr(copied));
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var v = parser.parse(copied > 0 ? rewritten : std::string(text));
    if (v.type() != typeid(Poco::JSON::Object::Ptr)) return UsageError("JSON is not an object");
    auto obj = v.extract<Poco::JSON::Object::Ptr>();
    if (obj.isNull()) return UsageError("JSON is not an object");
    return obj;
  } catch (const std::exception& e) {
    return UsageError(std::string("invalid JSON: ") + e.what());
  }
}

std::string Uint64Digits(const Poco::Dynamic::Var& v) {
  if (v.isEmpty() || v.isBoolean() || !v.isInteger()) return "";
  try {
    if (v.isSigned()) {
      int64_t s = v.convert<Poco::Int64>();
      return s < 0 ? "" : std::to_string(s);
    }
    return std::to_string(v.convert<Poco::UInt64>());
  } catch (const Poco::Exception&) {
    return "";
  }
}

namespace {
bool Present(const Poco::JSON::Object::Ptr& o, const std::string& key) {
  return !o.isNull() && o->has(key) && !o->isNull(key);
}
}  // namespace

std::string Reader::String(const Poco::JSON::Object::Ptr& o, const std::string& key,
                           bool required) {
  if (!Present(o, key)) {
    if (required) ok = false;
    return "";
  }
  Poco::Dynamic::Var v = o->get(key);
  if (!v.isString()) {
    ok = false;
    return "";
  }
  return v.extract<std::string>();
}

double Reader::Number(const Poco::JSON::Object::Ptr& o, const std::string& key, bool required) {
  if (!Present(o, key)) {
    if (required) ok = false;
    return 0;
  }
  Poco::Dynamic::Var v = o->get(key);
  if (!v.isNumeric() || v.isBoolean()) {
    ok = false;
    return 0;
  }
  try {
    double d = v.convert<double>();
    if (!std::isfinite(d)) {
      ok = false;
      return 0;
    }
    return d;
  } catch (...) {
    ok = false;
    return 0;
  }
}

int64_t Reader::Int(const Poco::JSON::Object::Ptr& o, const std::string& key, bool required) {
  double d = Number(o, key, required);
  if (d != std::floor(d) || std::fabs(d) > 9.0e15) {
    ok = false;
    return 0;
  }
  return static_cast<int64_t>(d);
}

bool Reader::Bool(const Poco::JSON::Object::Ptr& o, const std::string& key, bool required) {
  if (!Present(o, key)) {
    if (required) ok = false;
    return false;
  }
  Poco::Dynamic::Var v = o->get(key);
  if (!v.isBoolean()) {
    ok = false;
    return false;
  }
  return v.extract<bool>();
}

Poco::JSON::Array::Ptr Reader::Array(const Poco::JSON::Object::Ptr& o, const std::string& key,
                                     bool required) {
  if (!Present(o, key)) {
    if (required) ok = false;
    return nullptr;
  }
  Poco::Dynamic::Var v = o->get(key);
  if (v.type() != typeid(Poco::JSON::Array::Ptr)) {
    ok = false;
    return nullptr;
  }
  return v.extract<Poco::JSON::Array::Ptr>();
}

Poco::JSON::Object::Ptr Reader::Object(const Poco::JSON::Object::Ptr& o, const std::string& key,
                                       bool required) {
  if (!Present(o, key)) {
    if (required) ok = false;
    return nullptr;
  }
  Poco::Dynamic::Var v = o->get(key);
  if (v.type() != typeid(Poco::JSON::Object::Ptr)) {
    ok = false;
    return nullptr;
  }
  return v.extract<Poco::JSON::Object::Ptr>();
}

}  // namespace tcss::json
