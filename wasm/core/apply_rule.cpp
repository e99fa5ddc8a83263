// Apply rules (SPEC §2.4), in the steps apply_rule.h describes: rules are
// rendered against the scope (once per bound connection), matched against a
// request, and what the matching rules set — headers, params and payload
// keys, a later rule overriding an earlier one for the same name — is
// collected first and written into the URL and body once at the end, so
// nothing is changed unless every value the matching rules need rendered.
#include "apply_rule.h"

#include <cstring>

#include "json_io.h"
#include "json_order.h"
#include "url.h"

namespace connauth {

using nlohmann::json;

namespace {

bool matched(const RuleMatches& matches, size_t i) { return (matches[i / 64] >> (i % 64)) & 1; }

// memcmp rather than string_view::compare: these run for every rule of
// every request, and the module is built for size (-Oz), which leaves the
// string_view members as calls.
bool starts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && std::memcmp(s.data(), prefix.data(), prefix.size()) == 0;
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
  OrderedJsonObject object;  // Json: the parsed body, member order kept
};

PayloadTarget payload_target(const RequestView& request) {
  PayloadTarget target;
  if (!carries_payload(request.method)) return target;
  std::string media = request.content_type ? media_type(*request.content_type) : "";
  bool json_type = media == "application/json" ||
                   (media.find('/') != std::string::npos && ends_with(media, "+json"));
  if (media == "application/x-www-form-urlencoded") {
    target.kind = PayloadTarget::Kind::Form;
    return target;
  }
  if (request.content_type && !json_type) return target;
  // A JSON request with no body yet gets one; without a Content-Type only a
  // body that is a JSON object is taken as JSON.
  if (json_type && request.body.empty()) {
    target.kind = PayloadTarget::Kind::Json;
    return target;
  }
  std::optional<OrderedJsonObject> parsed = OrderedJsonObject::parse(request.body);
  if (!parsed) return target;
  target.kind = PayloadTarget::Kind::Json;
  target.object = std::move(*parsed);
  return target;
}

// A later rule's param or payload key replaces an earlier one's, in place.
void set_collected(std::vector<EncodedParam>& collected, std::string_view name, std::string_view pair) {
  for (auto& entry : collected)
    if (entry.name == name) {
      entry.pair = pair;
      return;
    }
  collected.push_back({name, pair});
}

void set_collected(JsonMembers& collected, std::string_view key,
                   const json* value) {
  for (auto& entry : collected)
    if (entry.first == key) {
      entry.second = value;
      return;
    }
  collected.emplace_back(key, value);
}

RenderedText header_value(const Template& value_template, const std::string& name, const json& scope) {
  RenderedText value = value_template.render(scope);
  if (!value.ok()) return value;
  if (const char* problem = header_value_problem(*value.value))
    return RenderedText::failure(value_template.where(), std::string("renders to a value with ") + problem +
                                                             ", which cannot be sent in the " + name + " header");
  return value;
}

// RFC 7617 §2: `Authorization: Basic base64(user-id ":" password)`; a
// user-id cannot contain ':' because the server splits at the first one.
RenderedText basic_authorization(const BasicCredentials& basic, const json& scope) {
  auto username = basic.username.render(scope);
  if (!username.ok()) return username;
  auto password = basic.password.render(scope);
  if (!password.ok()) return password;
  if (username.value->find(':') != std::string::npos)
    return RenderedText::failure(
        basic.username.where(),
        "renders to a username containing ':', which Basic authentication cannot carry (RFC 7617 §2)");
  return RenderedText::success("Basic " + base64_encode(*username.value + ":" + *password.value));
}

// A form field holds text: strings as they are, other JSON values as JSON.
std::string form_value(const json& value) {
  if (value.is_string()) return value.get_ref<const std::string&>();
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

using CollectedPayload = JsonMembers;  // distinct keys (set_collected)

std::string merged_body(const PayloadTarget& target, std::string_view body, const CollectedPayload& payload) {
  if (target.kind == PayloadTarget::Kind::Json) return target.object.dump_with(payload);
  QueryParams fields;
  for (const auto& [key, value] : payload) fields.emplace_back(std::string(key), form_value(*value));
  return set_query_params(body, fields);
}

// Headers::set on edits: a later rule's value for a name replaces an
// earlier one's in place (case-insensitively), keeping the first spelling.
void set_header(std::vector<std::pair<std::string_view, std::string_view>>& headers, std::string_view name,
                std::string_view value) {
  for (auto& [set_name, set_value] : headers)
    if (iequals(set_name, name)) {
      set_value = value;
      return;
    }
  headers.emplace_back(name, value);
}

void set_header(std::vector<std::pair<std::string_view, std::string_view>>& headers, const RenderedHeader& header) {
  set_header(headers, header.name, *header.value.value);
}

// `headers` with each of `edits` set (Headers::set, in order): a name the
// request has is replaced at its first place and its repeats dropped; the
// others are appended. Edit names are distinct, so one pass over the
// request's own headers does it.
Headers with_headers_set(const Headers& headers, const std::vector<std::pair<std::string_view, std::string_view>>& edits) {
  Headers out;
  std::vector<char> placed(edits.size(), 0);
  for (const auto& [name, value] : headers.entries()) {
    size_t i = 0;
    while (i < edits.size() && !iequals(edits[i].first, name)) ++i;
    if (i == edits.size()) {
      out.add(name, value);
    } else if (!placed[i]) {
      out.add(name, std::string(edits[i].second));
      placed[i] = 1;
    }
  }
  for (size_t i = 0; i < edits.size(); ++i)
    if (!placed[i]) out.add(std::string(edits[i].first), std::string(edits[i].second));
  return out;
}

}  // namespace

bool ApplyRule::matches(const HttpRequest& request) const { return matches(request.method, request.url); }

bool ApplyRule::matches(std::string_view method, std::string_view request_url) const {
  if (!verbs.empty()) {
    bool verb_matches = false;
    for (const std::string& verb : verbs) verb_matches = verb_matches || iequals(verb, method);
    if (!verb_matches) return false;
  }
  if (!url) return true;
  switch (url->kind) {
    case UrlCondition::Kind::Prefix:
      return starts_with(request_url, url->value);
    case UrlCondition::Kind::Contains:
      return request_url.find(url->value) != std::string_view::npos;
    case UrlCondition::Kind::Regex:
      return url->pattern && url->pattern->search(request_url);
  }
  return false;
}

bool carries_payload(std::string_view method) {
  return iequals(method, "POST") || iequals(method, "PUT") || iequals(method, "PATCH");
}

void matching_rules(const std::vector<ApplyRule>& rules, std::string_view method, std::string_view url,
                    RuleMatches& into) {
  into.assign((rules.size() + 63) / 64, 0);
  for (size_t i = 0; i < rules.size(); ++i)
    if (rules[i].matches(method, url)) into[i / 64] |= uint64_t{1} << (i % 64);
}

RenderedRules render_rules(const std::vector<ApplyRule>& rules, const json& scope, const RuleMatches* only,
                           bool payloads) {
  RenderedRules out;
  out.reserve(rules.size());
  for (size_t i = 0; i < rules.size(); ++i) {
    const ApplyRule& rule = rules[i];
    RenderedRule rendered;
    rendered.rule = &rule;
    if (only && !matched(*only, i)) {
      out.push_back(std::move(rendered));
      continue;
    }
    if (rule.basic) rendered.basic = RenderedHeader{"Authorization", basic_authorization(*rule.basic, scope)};
    for (const auto& [name, value] : rule.headers) rendered.headers.push_back({name, header_value(value, name, scope)});
    for (const auto& [name, value] : rule.params) {
      RenderedText text = value.render(scope);
      if (text.ok()) text.value = encoded_param(name, *text.value);
      rendered.params.push_back({name, std::move(text)});
    }
    if (payloads)
      for (const auto& [key, value] : rule.payload) rendered.payload.emplace_back(key, value.render(scope));
    out.push_back(std::move(rendered));
  }
  return out;
}

RuleEdits rule_edits(const RenderedRules& rules, const RuleMatches& matches) {
  RuleEdits edits;
  auto failed = [&](size_t rule, const Problems& problems) {
    edits.failed_rule = rule;
    edits.problems = &problems;
    return std::move(edits);
  };
  for (size_t i = 0; i < rules.size(); ++i) {
    if (!matched(matches, i)) continue;
    const RenderedRule& rendered = rules[i];
    // `basic` first, so an explicit Authorization header in the same rule
    // is the more specific one and wins.
    if (rendered.basic) {
      if (!rendered.basic->value.ok()) return failed(i, rendered.basic->value.errors);
      set_header(edits.headers, *rendered.basic);
    }
    for (const RenderedHeader& header : rendered.headers) {
      if (!header.value.ok()) return failed(i, header.value.errors);
      set_header(edits.headers, header);
    }
    for (const RenderedParam& param : rendered.params) {
      if (!param.pair.ok()) return failed(i, param.pair.errors);
      set_collected(edits.params, param.name, *param.pair.value);
    }
    edits.has_payload = edits.has_payload || !rendered.payload.empty();
  }
  return edits;
}

Result<RequestEdits> request_edits(const RenderedRules& rules, const RuleMatches& matches, const RuleEdits& collected,
                                   const RequestView& request) {
  using Failure = Result<RequestEdits>;
  CollectedPayload payload;
  PayloadTarget target;
  // The body is read (a JSON body parsed) only when a matching rule has a
  // payload. A payload that will not be sent does not fail the request: its
  // missing values must not fail a GET. Its problems come before those of
  // a later rule's headers and params, after those of its own rule's.
  if (collected.has_payload) target = payload_target(request);
  if (target.kind != PayloadTarget::Kind::None)
    for (size_t i = 0; i < rules.size() && i < collected.failed_rule; ++i) {
      if (!matched(matches, i)) continue;
      for (const auto& [key, value] : rules[i].payload) {
        if (!value.ok()) return Failure::failure(value.errors);
        set_collected(payload, key, &*value.value);
      }
    }
  if (collected.problems) return Failure::failure(*collected.problems);

  RequestEdits edits;
  edits.url = set_url_query_params(request.url, collected.params);
  edits.headers = collected.headers;
  if (!payload.empty()) {
    edits.body = merged_body(target, request.body, payload);
    for (auto& [name, value] : edits.headers)
      if (iequals(name, "Content-Length")) {
        edits.content_length = std::make_shared<const std::string>(std::to_string(edits.body->size()));
        value = *edits.content_length;
      }
  }
  return Result<RequestEdits>::success(std::move(edits));
}

Result<bool> sign_edits(const std::vector<ApplyRule>& rules, const RuleMatches& matches, const RequestView& request,
                        const json& scope, const Stamp& stamp, RequestEdits& edits) {
  const Signer* signer = nullptr;
  for (size_t i = 0; i < rules.size(); ++i)
    if (rules[i].sign && matched(matches, i)) signer = &*rules[i].sign;
  if (!signer) return Result<bool>::success(false);
  SignedRequestView view{request.method, edits.url, request.content_type, edits.body ? *edits.body : request.body};
  for (const auto& [name, value] : edits.headers)
    if (iequals(name, "Content-Type")) view.content_type = value;
  auto signed_headers = sign_request(*signer, view, scope, stamp);
  if (!signed_headers.ok()) return Result<bool>::failure(std::move(signed_headers.errors));
  edits.signed_headers = std::make_shared<const SignedHeaders>(std::move(*signed_headers.value));
  for (const auto& [name, value] : *edits.signed_headers) set_header(edits.headers, name, value);
  return Result<bool>::success(true);
}

Result<HttpRequest> apply_rules(const std::vector<ApplyRule>& rules, HttpRequest request, const json& scope,
                                const Stamp& stamp) {
  RuleMatches matches = matching_rules(rules, request.method, request.url);
  RenderedRules rendered = render_rules(rules, scope, &matches, carries_payload(request.method));
  RequestView view{request.method, request.url, std::nullopt, request.body};
  if (const std::string* content_type = request.headers.get("Content-Type")) view.content_type = *content_type;
  auto edits = request_edits(rendered, matches, rule_edits(rendered, matches), view);
  if (!edits.ok()) return Result<HttpRequest>::failure(std::move(edits.errors));
  auto signed_request = sign_edits(rules, matches, view, scope, stamp, *edits.value);
  if (!signed_request.ok()) return Result<HttpRequest>::failure(std::move(signed_request.errors));
  request.url = std::move(edits.value->url);
  request.headers = with_headers_set(request.headers, edits.value->headers);
  if (edits.value->body) {
    request.body = std::move(*edits.value->body);
    if (request.headers.get("Content-Length")) request.headers.set("Content-Length", std::to_string(request.body.size()));
  }
  return Result<HttpRequest>::success(std::move(request));
}

}  // namespace connauth
