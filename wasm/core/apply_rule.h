// Apply rules (SPEC §2.4): how credentials are put on each outgoing request,
// chosen by the request's absolute URL (`current_url`) and verb
// (`current_verb`).
#pragma once

#include "json.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http.h"
#include "pattern.h"
#include "request_signer.h"
#include "result.h"
#include "stamp.h"
#include "template.h"
#include "url.h"

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
  std::optional<Signer> sign;  // SPEC §10
  // Whether a value reads the stamp (`now`, `now_iso`, `uuid`) or the rule
  // signs: then it is rendered for each request, never once per binding.
  bool stamped = false;

  bool matches(const HttpRequest& request) const;
  bool matches(std::string_view method, std::string_view url) const;
};

// Apply works in steps so that a connection bound once (bound_connection.h)
// and the one-shot apply share one implementation of SPEC §2.4:
//   render_rules     renders every value of every rule against the scope.
//                    Templates read only the scope, never the request, so the
//                    result holds for every request of the connection. A
//                    value that fails to render keeps its problems, which are
//                    reported only when its rule matches (render_rules itself
//                    never fails: a GET must not fail on a payload value).
//   matching_rules   which rules match one request (its verb and URL);
//                    the one-shot apply renders only those;
//   rule_edits       what those rules set: headers, params, or the first
//                    problem. It depends on the set of matching rules alone,
//                    so a bound connection keeps it per set;
//   request_edits    what that makes of the request: its URL with the
//                    params, the payload merged into its body;
//   sign_edits       the signer of the last matching rule that has one
//                    signs the request as the edits leave it (SPEC §10).

// A value rendered for one connection: the text (or JSON) or the problems
// that a request matching its rule would fail with.
using RenderedText = Result<std::string>;
using RenderedJson = Result<nlohmann::json>;

// Names are views of the rule's own (ApplyRule).

// A header value; a value with CR, LF or NUL is a problem.
struct RenderedHeader {
  std::string_view name;
  RenderedText value;
};

// A query param: `pair` is "name=value" form-encoded (url.h EncodedParam).
struct RenderedParam {
  std::string_view name;
  RenderedText pair;
};

struct RenderedRule {
  const ApplyRule* rule = nullptr;       // its conditions; points into the rule list rendered
  std::optional<RenderedHeader> basic;   // Authorization: Basic …
  std::vector<RenderedHeader> headers;
  std::vector<RenderedParam> params;
  std::vector<std::pair<std::string_view, RenderedJson>> payload;
};

// Which rules match a request, as a bit set in rule order.
using RuleMatches = std::vector<uint64_t>;
// `into` is resized and overwritten (a bound connection reuses one).
void matching_rules(const std::vector<ApplyRule>& rules, std::string_view method, std::string_view url,
                    RuleMatches& into);
inline RuleMatches matching_rules(const std::vector<ApplyRule>& rules, std::string_view method, std::string_view url) {
  RuleMatches matches;
  matching_rules(rules, method, url, matches);
  return matches;
}

// Renders every rule (a bound connection) or, with `only`, the rules it
// marks (the one-shot apply renders what its one request needs); payload
// values only with `payloads`. Rendered rules point into `rules`, which
// must outlive them.
using RenderedRules = std::vector<RenderedRule>;
RenderedRules render_rules(const std::vector<ApplyRule>& rules, const nlohmann::json& scope,
                           const RuleMatches* only = nullptr, bool payloads = true);

// SPEC §2.4: only POST, PUT and PATCH carry a payload.
bool carries_payload(std::string_view method);

// The request as apply reads it: verb, absolute URL, Content-Type
// (none: the request has none; an empty one is not none) and body. Headers other than
// Content-Type never decide anything.
struct RequestView {
  std::string_view method;
  std::string_view url;
  std::optional<std::string_view> content_type;
  std::string_view body;
};

// What the matching rules change on a request:
//   url      the absolute URL with the rules' params set;
//   headers  to set, each replacing every same-named header of the request
//            (case-insensitively), in the order the rules first set them:
//            the first spelling, the last value. Views into the rendered
//            rules, which must outlive the edits;
//   body     only when a payload rule rewrote it. A Content-Length among
//            `headers` already holds its length (in `content_length`); one
//            the request carried must be updated by whoever applies the
//            edits.
struct RequestEdits {
  std::string url;
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  std::optional<std::string> body;
  std::shared_ptr<const std::string> content_length;
  std::shared_ptr<const SignedHeaders> signed_headers;  // what `headers` views for a signer's
};

// What a set of matching rules sets, in rule order: headers (deduplicated as
// in RequestEdits) and params (a later rule's param replaces an earlier
// one's of the same name), or the problems of the first basic, header or
// param value that failed to render and the index of its rule. Views into
// the rendered rules.
struct RuleEdits {
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  std::vector<EncodedParam> params;
  bool has_payload = false;  // a matching rule has payload keys
  size_t failed_rule = SIZE_MAX;
  const Problems* problems = nullptr;
};
RuleEdits rule_edits(const RenderedRules& rules, const RuleMatches& matches);

// SPEC §2.4 for one request: every matching rule in order; later rules
// override earlier ones for the same header (case-insensitive), query param
// or payload key; a rule's param replaces a same-named param already in the
// URL, other params are kept. `payload` is merged only into POST/PUT/PATCH
// requests with a JSON object or form body. A value that failed to render
// fails the whole apply (the request must not be sent half-signed), with
// the first such value's problems in rule order (within a rule: basic,
// headers, params, payload).
Result<RequestEdits> request_edits(const RenderedRules& rules, const RuleMatches& matches,
                                   const RuleEdits& edits, const RequestView& request);

// SPEC §10: when a matching rule signs, the last such rule's signer signs
// the request as `edits` leave it (URL, body, a Content-Type a rule set)
// and its headers are set on `edits`. The scope holds the credentials;
// `stamp` gives the signer its timestamp and nonce.
Result<bool> sign_edits(const std::vector<ApplyRule>& rules, const RuleMatches& matches, const RequestView& request,
                        const nlohmann::json& scope, const Stamp& stamp, RequestEdits& edits);

// The one-shot path: every step for `request` (whose url is absolute), the
// edits applied to it. `scope` has the stamp's values (context.h).
Result<HttpRequest> apply_rules(const std::vector<ApplyRule>& rules, HttpRequest request,
                                const nlohmann::json& scope, const Stamp& stamp = {});

}  // namespace connauth
