#include "core/json.h"

#include <Poco/JSON/Parser.h>

#include <cmath>
#include <limits>

namespace tcss::json {

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
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
          static const char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out += "\"";
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
  out_ += Quote(key) + ":";
  return *this;
}
Writer& Writer::String(std::string_view key, std::string_view value) {
  Key(key);
  out_ += Quote(value);
  return *this;
}
Writer& Writer::String(std::string_view value) {
  Comma();
  out_ += Quote(value);
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

Result<Poco::JSON::Object::Ptr> ParseObject(std::string_view text, size_t max_depth) {
  // Count nesting before handing the text to POCO, whose object builder recurses.
  size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
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
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth)
        return UsageError("JSON nested deeper than " + std::to_string(max_depth));
    } else if (c == '}' || c == ']') {
      if (depth > 0) --depth;
    }
  }
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var v = parser.parse(std::string(text));
    if (v.type() != typeid(Poco::JSON::Object::Ptr)) return UsageError("JSON is not an object");
    auto obj = v.extract<Poco::JSON::Object::Ptr>();
    if (obj.isNull()) return UsageError("JSON is not an object");
    return obj;
  } catch (const std::exception& e) {
    return UsageError(std::string("invalid JSON: ") + e.what());
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
