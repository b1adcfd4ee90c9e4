// A small deterministic JSON writer (request bodies are signed byte for byte, so their key
// order and spacing must never depend on a library's choices) and a bounded parser front end.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace tcss::json {

std::string Quote(std::string_view s);  // JSON string literal, escaping controls and quotes
// Where `text` stops being valid JSON, as "line L, column C" (1-based), or "" when it is valid.
// For error messages: POCO's parser says only that something is wrong.
std::string SyntaxErrorPosition(std::string_view text);

class Writer {
 public:
  Writer& BeginObject();
  Writer& EndObject();
  Writer& BeginArray(std::string_view key);
  Writer& BeginArray();
  Writer& EndArray();
  Writer& BeginObject(std::string_view key);
  Writer& Key(std::string_view key);
  Writer& String(std::string_view key, std::string_view value);
  Writer& String(std::string_view value);
  Writer& Bool(std::string_view key, bool value);
  Writer& Int(std::string_view key, int64_t value);
  Writer& Raw(std::string_view key, std::string_view raw_json);
  Writer& StringArray(std::string_view key, const std::vector<std::string>& values);
  const std::string& str() const { return out_; }

 private:
  void Comma();
  std::string out_;
  bool first_ = true;
};

// The digits of a non-negative JSON integer (ids are uint64 in the registry actions), or "" for
// anything else: a string, a negative number, a fraction, an integer out of range.
std::string Uint64Digits(const Poco::Dynamic::Var& v);

// At most this many values (objects, arrays and the members or elements after a comma) in one
// parsed document: an API page of 100 entries has a few thousand.
inline constexpr size_t kMaxValues = 100000;
// Parses an object; rejects nesting deeper than `max_depth`, more than `max_values` values (both
// counted before anything is built) and anything that is not an object. Never throws.
Result<Poco::JSON::Object::Ptr> ParseObject(std::string_view text, size_t max_depth = 64,
                                            size_t max_values = kMaxValues);

// Typed accessors that never throw: nullopt-like defaults, with `ok` cleared on a wrong type.
struct Reader {
  bool ok = true;
  std::string String(const Poco::JSON::Object::Ptr& o, const std::string& key, bool required);
  int64_t Int(const Poco::JSON::Object::Ptr& o, const std::string& key, bool required);
  double Number(const Poco::JSON::Object::Ptr& o, const std::string& key, bool required);
  bool Bool(const Poco::JSON::Object::Ptr& o, const std::string& key, bool required);
  Poco::JSON::Array::Ptr Array(const Poco::JSON::Object::Ptr& o, const std::string& key,
                               bool required);
  Poco::JSON::Object::Ptr Object(const Poco::JSON::Object::Ptr& o, const std::string& key,
                                 bool required);
};

}  // namespace tcss::json
