// Reading a connector definition (SPEC §2) member by member. Every helper
// type-checks one JSON value, appends a Problem at its JSON pointer when the
// value is wrong and returns what it could read, so `parse_connector` never
// stops at the first problem. Nothing here knows the connector model: it is
// the vocabulary (strings, templates, patterns, key lists) the model is built
// from.
#pragma once

#include "json.h"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pattern.h"
#include "result.h"
#include "template.h"

namespace connauth {

// A read-only list of keys or names, as a parameter: a view of a constant
// array (`constexpr std::string_view kKeys[] = {...}`) or of a vector built
// for one call. Never stored: it does not own what it shows. The lists are
// arrays rather than vectors so that they are constant-initialised: as
// vectors, each would cost start-up code that built it (module size).
class KeyList {
 public:
  template <size_t N>
  constexpr KeyList(const std::string_view (&keys)[N]) : begin_(keys), end_(keys + N) {}
  KeyList(const std::vector<std::string_view>& keys)
      : begin_(keys.data()), end_(keys.data() + keys.size()) {}
  constexpr const std::string_view* begin() const { return begin_; }
  constexpr const std::string_view* end() const { return end_; }
  constexpr size_t size() const { return end_ - begin_; }
  constexpr std::string_view operator[](size_t i) const { return begin_[i]; }

 private:
  const std::string_view* begin_;
  const std::string_view* end_;
};

class DefinitionReader {
 public:
  explicit DefinitionReader(Problems& problems) : problems_(problems) {}

  void problem(std::string_view path, std::string_view message);

  // The member `key` of `object`, or nullptr when it is absent or null: an
  // optional key written as null counts as not given (SPEC §2.3's own example
  // writes `"json": null`).
  static const nlohmann::json* member(const nlohmann::json& object, std::string_view key);

  // "must be an object" unless `value` is one.
  bool expect_object(const nlohmann::json& value, const std::string& where);
  // Reports a missing required member at the object's pointer.
  const nlohmann::json* required(const nlohmann::json& object, const std::string& where,
                                 std::string_view key, std::string_view message = "");

  // Reports every member of `object` whose key is not in `known`, at the
  // member's pointer, suggesting the closest known key.
  void reject_unknown_keys(const nlohmann::json& object, const std::string& where,
                           const KeyList& known);
  void unknown_key(const std::string& key, const std::string& where, const KeyList& known);

  // Typed members: nullopt when absent (or null) or of the wrong type (the
  // latter also reports "must be ...").
  std::optional<std::string> string(const nlohmann::json& object, const std::string& where,
                                    std::string_view key);
  std::optional<bool> boolean(const nlohmann::json& object, const std::string& where,
                              std::string_view key);
  // One of `allowed`, else `must be "a" or "b", not "c"`.
  std::optional<std::string> choice(const nlohmann::json& object, const std::string& where,
                                    std::string_view key, const KeyList& allowed);
  std::optional<std::vector<std::string>> string_list(const nlohmann::json& object,
                                                      const std::string& where,
                                                      std::string_view key);

  // A template string (SPEC §2.1) at `where`; its syntax problems, and paths
  // outside SPEC §2.1's roots (`connection`, `client_id`, ...), are appended.
  // `extra_root` is one more root this template may read (`id_token` in an
  // identity: only the identity is rendered with the token response's claims).
  std::optional<Template> template_value(const nlohmann::json& value, const std::string& where,
                                         std::string_view extra_root = {});
  std::optional<Template> template_member(const nlohmann::json& object, const std::string& where,
                                          std::string_view key);

  // An object whose values are template strings (headers, params, form,
  // merge). `names` selects the check applied to each name; header values
  // may not hold raw CR, LF or NUL.
  enum class Names { Any, HeaderToken };
  TemplateMap template_map(const nlohmann::json& value, const std::string& where, Names names);

  std::optional<JsonTemplate> json_template(const nlohmann::json& value, const std::string& where);

  // The step names templates may read as `steps.<name>` (SPEC §10) while a
  // step of `acquire` or `refresh` is read: the earlier steps' (and in its
  // mappings its own). Null elsewhere, where `steps` is not a path.
  void readable_steps(const std::vector<std::string>* names) { readable_steps_ = names; }

  // An RE2 pattern; its problems (quoting RE2's reason) are appended.
  std::shared_ptr<const Pattern> pattern(std::string_view source, std::string_view flags,
                                         const std::string& where);

 private:
  bool known_paths(const Template& t, const std::string& where, std::string_view extra_root = {});
  bool step_path(const std::string& path, const std::string& where);

  Problems& problems_;
  const std::vector<std::string>* readable_steps_ = nullptr;
};

// JSON type names for "must be ..." messages: "a string", "an object"...
std::string type_name(const nlohmann::json& value);

// `text` as a JSON string literal for messages: invalid UTF-8 replaced and
// anything past `limit` bytes elided, so untrusted input cannot bloat or
// break a message.
std::string in_quotes(std::string_view text, size_t limit = 64);

// RFC 9110 §5.6.2 token (header names, methods).
bool is_token(std::string_view text);

// The entry of `candidates` nearest to `word` by edit distance, or "" when
// none is close enough to be a likely typo.
std::string closest(std::string_view word, const KeyList& candidates);

// "a, b or c" (or "a, b, c" with last_separator ", ").
std::string join_list(const KeyList& items, std::string_view last_separator = " or ");
// "\"a\", \"b\" or \"c\""
std::string in_quotes_list(const KeyList& items);

// Nesting depth of a JSON value, measured without recursion.
size_t json_depth(const nlohmann::json& value);


}  // namespace connauth
