// Apply rules (SPEC §2.4). Every matching rule renders its values in order;
// params and payload keys are collected first (a later rule overrides an
// earlier one for the same name) and written into the URL and body once at
// the end, so the request is only changed when every template rendered.
#include "apply_rule.h"
#include "json_io.h"

#include "url.h"

namespace connauth {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

// "Application/JSON; charset=utf-8" -> "application/json" (RFC 9110 §8.3.1).
std::string media_type(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  size_t first = type.find_first_not_of(" \t");
  if (first == std::string_view::npos) return "";
  size_t last = type.find_last_not_of(" \t");
  return lower(type.substr(first, last - first + 1));
}

// The body a payload can be merged into (SPEC §2.4: only POST, PUT and
// PATCH with a JSON object or form body).
struct PayloadTarget {
  enum class Kind { None, Json, Form } kind = Kind::None;
  ordered_json object;  // Json: the parsed body, key order kept
};

PayloadTarget payload_target(const HttpRequest& request) {
  PayloadTarget target;
  if (!iequals(request.method, "POST") && !iequals(request.method, "PUT") && !iequals(request.method, "PATCH"))
    return target;
  const std::string* content_type = request.headers.get("Content-Type");
  std::string media = content_type ? media_type(*content_type) : "";
  bool json_type = media == "application/json" ||
                   (media.find('/') != std::string::npos && ends_with(media, "+json"));
  if (media == "application/x-www-form-urlencoded") {
    target.kind = PayloadTarget::Kind::Form;
    return target;
  }
  if (content_type && !json_type) return target;
  // A JSON request with no body yet gets one; without a Content-Type only a
  // body that is a JSON object is taken as JSON.
  if (json_type && request.body.empty()) {
    target.kind = PayloadTarget::Kind::Json;
    target.object = ordered_json::object();
    return target;
  }
  ordered_json parsed = parse_json_body<ordered_json>(request.body);
  if (parsed.is_discarded() || !parsed.is_object()) return target;
  target.kind = PayloadTarget::Kind::Json;
  target.object = std::move(parsed);
  return target;
}

template <class Value>
void set_collected(std::vector<std::pair<std::string, Value>>& collected, const std::string& name,
                   Value value) {
  for (auto& entry : collected)
    if (entry.first == name) {
      entry.second = std::move(value);
      return;
    }
  collected.emplace_back(name, std::move(value));
}

// RFC 9110 §5.5: CR, LF and NUL never appear in a field value; a rendered
// value carrying them would split the header (request smuggling).
bool is_header_safe(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

Problems header_problem(const Template& t, const std::string& name) {
  return {{t.where(), "renders to a value with a line break or NUL character, which cannot be sent in the " +
                          name + " header"}};
}

// RFC 7617 §2: `Authorization: Basic base64(user-id ":" password)`; a
// user-id cannot contain ':' because the server splits at the first one.
Result<std::string> basic_authorization(const BasicCredentials& basic, const json& scope) {
  auto username = basic.username.render(scope);
  if (!username.ok()) return username;
  auto password = basic.password.render(scope);
  if (!password.ok()) return password;
  if (username.value->find(':') != std::string::npos)
    return Result<std::string>::failure(
        basic.username.where(),
        "renders to a username containing ':', which Basic authentication cannot carry (RFC 7617 §2)");
  return Result<std::string>::success("Basic " + base64_encode(*username.value + ":" + *password.value));
}

// A form field holds text: strings as they are, other JSON values as JSON.
std::string form_value(const json& value) {
  if (value.is_string()) return value.get_ref<const std::string&>();
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string merged_body(PayloadTarget& target, const std::string& body,
                        const std::vector<std::pair<std::string, json>>& payload) {
  if (target.kind == PayloadTarget::Kind::Json) {
    for (const auto& [key, value] : payload) target.object[key] = ordered_json(value);
    return target.object.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
  }
  QueryParams fields;
  for (const auto& [key, value] : payload) fields.emplace_back(key, form_value(value));
  return set_query_params(body, fields);
}

}  // namespace

bool ApplyRule::matches(const HttpRequest& request) const {
  if (!verbs.empty()) {
    bool verb_matches = false;
    for (const std::string& verb : verbs) verb_matches = verb_matches || iequals(verb, request.method);
    if (!verb_matches) return false;
  }
  if (!url) return true;
  switch (url->kind) {
    case UrlCondition::Kind::Prefix:
      return starts_with(request.url, url->value);
    case UrlCondition::Kind::Contains:
      return request.url.find(url->value) != std::string::npos;
    case UrlCondition::Kind::Regex:
      return url->pattern && url->pattern->search(request.url);
  }
  return false;
}

Result<HttpRequest> apply_rules(const std::vector<ApplyRule>& rules, HttpRequest request, const json& scope) {
  using Failure = Result<HttpRequest>;
  PayloadTarget target = payload_target(request);
  QueryParams params;
  std::vector<std::pair<std::string, json>> payload;

  for (const ApplyRule& rule : rules) {
    if (!rule.matches(request)) continue;
    // `basic` first, so an explicit Authorization header in the same rule
    // is the more specific one and wins.
    if (rule.basic) {
      auto value = basic_authorization(*rule.basic, scope);
      if (!value.ok()) return Failure::failure(std::move(value.errors));
      request.headers.set("Authorization", std::move(*value.value));
    }
    for (const auto& [name, value_template] : rule.headers) {
      auto value = value_template.render(scope);
      if (!value.ok()) return Failure::failure(std::move(value.errors));
      if (!is_header_safe(*value.value)) return Failure::failure(header_problem(value_template, name));
      request.headers.set(name, std::move(*value.value));
    }
    for (const auto& [name, value_template] : rule.params) {
      auto value = value_template.render(scope);
      if (!value.ok()) return Failure::failure(std::move(value.errors));
      set_collected(params, name, std::move(*value.value));
    }
    // A payload that will not be sent is not rendered either: its missing
    // values must not fail a GET.
    if (target.kind == PayloadTarget::Kind::None) continue;
    for (const auto& [key, value_template] : rule.payload) {
      auto value = value_template.render(scope);
      if (!value.ok()) return Failure::failure(std::move(value.errors));
      set_collected(payload, key, std::move(*value.value));
    }
  }

  request.url = set_url_query_params(request.url, params);
  if (!payload.empty()) {
    request.body = merged_body(target, request.body, payload);
    if (request.headers.get("Content-Length")) request.headers.set("Content-Length", std::to_string(request.body.size()));
  }
  return Result<HttpRequest>::success(std::move(request));
}

}  // namespace connauth
