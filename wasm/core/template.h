// Templates (SPEC §2.1): `{{ path | filter: "arg" | filter }}` inside strings.
// A template is parsed once (syntax errors are validation problems at the
// string's JSON pointer) and rendered many times against a scope. Templates
// never evaluate code: a path is looked up in the scope, filters are a fixed
// list (default, base64, base64url, urlencode, hex, sha256, hmac_sha256,
// hmac_sha1; SPEC §2.1, §10).
#pragma once

#include "json.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "result.h"

namespace connauth {

class Template {
 public:
  // Parses `source`. Problems carry `where` (the JSON pointer of the string).
  static Result<Template> parse(std::string_view source, const std::string& where);
  // A template that renders `text` as is (no expressions).
  static Template literal(std::string text, std::string where = "");

  // Renders against `scope`, a JSON object (see scope.h for its keys). A path
  // with no value (absent or null) and no `default` filter is an error naming
  // the path at `where()`; the result is then never an empty string.
  Result<std::string> render(const nlohmann::json& scope) const;

  const std::string& source() const;
  const std::string& where() const;
  bool is_literal() const;
  // Every dotted path the template reads, in order, an hmac filter's key
  // after its expression's path (for analysis and docs).
  std::vector<std::string> paths() const;
  // The path when the whole template is one expression whose filters are all
  // `default` (`{{connection.mode}}`): its value is then that path's value.
  std::optional<std::string> sole_path() const;

  struct Impl;

 private:
  std::shared_ptr<const Impl> impl_;  // immutable, cheap to copy
};

// A JSON value whose strings are templates (request `json` bodies, payloads,
// merge maps). Non-string scalars render as themselves.
class JsonTemplate {
 public:
  static Result<JsonTemplate> parse(const nlohmann::json& value, const std::string& where);
  Result<nlohmann::json> render(const nlohmann::json& scope) const;
  const nlohmann::json& source() const { return source_; }
  // Every string template in it, with its pointer within source() (for analysis).
  const std::vector<std::pair<std::string, Template>>& templates() const { return templates_; }

 private:
  nlohmann::json source_;
  std::vector<std::pair<std::string, Template>> templates_;  // pointer within source_ -> template
  std::string where_;
};

// An ordered list of name -> template pairs (headers, params, form fields).
using TemplateMap = std::vector<std::pair<std::string, Template>>;

}  // namespace connauth
