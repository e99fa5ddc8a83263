// Apply rules (SPEC §2.4): how credentials are put on each outgoing request,
// chosen by the request's absolute URL (`current_url`) and verb
// (`current_verb`).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http.h"
#include "pattern.h"
#include "result.h"
#include "template.h"

namespace connauth {

struct UrlCondition {
  enum class Kind { Prefix, Contains, Regex };
  Kind kind = Kind::Contains;
  std::string value;                       // prefix / substring / regex source
  std::shared_ptr<const Pattern> pattern;  // Regex only
};

struct BasicCredentials {
  Template username;
  Template password;
};

struct ApplyRule {
  std::string where;                 // JSON pointer of the rule
  std::optional<UrlCondition> url;   // when.url
  std::vector<std::string> verbs;    // when.verb, upper case; empty = any
  TemplateMap headers;
  TemplateMap params;
  std::vector<std::pair<std::string, JsonTemplate>> payload;
  std::optional<BasicCredentials> basic;

  bool matches(const HttpRequest& request) const;
};

// Applies every matching rule in order to `request` (whose url is absolute).
// Later rules override earlier ones for the same header (case-insensitive),
// query param or payload key; a rule's param replaces a same-named param
// already in the URL, other params are kept. `payload` is merged only into
// POST/PUT/PATCH requests with a JSON object or form body. A template with no
// value fails the whole apply (the request must not be sent half-signed).
Result<HttpRequest> apply_rules(const std::vector<ApplyRule>& rules, HttpRequest request,
                                const nlohmann::json& scope);

}  // namespace connauth
