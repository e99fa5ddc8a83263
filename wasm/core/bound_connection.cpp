#include "bound_connection.h"

#include "answer_text.h"
#include "context.h"

namespace connauth {

using nlohmann::json;

namespace {

// RFC 9110 §9.1: a method is a token (json_io.cpp checks the one-shot
// request the same way, at the same pointer).
bool is_method(std::string_view method) {
  if (method.empty()) return false;
  for (char c : method) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) return false;
  }
  return true;
}

bool is_body_signal(const Signal& signal) { return signal.kind != Signal::Kind::Status; }

bool any_body_signal(const Signals& signals) {
  for (const Signal& signal : signals)
    if (is_body_signal(signal)) return true;
  return false;
}

}  // namespace

Result<BoundConnection> BoundConnection::bind(const Connector& connector, const json& context) {
  auto resolved = resolve_context(connector, context);
  if (!resolved.ok()) return Result<BoundConnection>::failure(std::move(resolved.errors));
  BoundConnection bound;
  bound.authorization_ = resolved.value->authorization;
  const json& scope = resolved.value->scope;
  bound.base_uri_ = render_base_uri(connector.base_uri, scope);
  bound.rules_ = render_rules(bound.authorization_->apply, scope);
  for (const ApplyRule& rule : bound.authorization_->apply) {
    bound.stamped_ = bound.stamped_ || rule.stamped;
    bound.signs_ = bound.signs_ || rule.sign.has_value();
  }
  // Unless a rule is rendered per request, the scope (tokens, secrets) is
  // not kept: everything a request needs is rendered.
  if (bound.stamped_) bound.scope_ = scope;
  return Result<BoundConnection>::success(std::move(bound));
}

Result<RequestEdits> BoundConnection::apply(std::string_view method, std::string_view url,
                                            std::optional<std::string_view> content_type,
                                            std::string_view body, const Stamp& stamp) const {
  using R = Result<RequestEdits>;
  Problems problems;
  if (!is_method(method))
    add_problem(problems, "/request/method", "must be an HTTP method such as GET or POST");
  if (url.empty())
    add_problem(problems, "/request/url", "is required: the request URL (absolute, or relative to connection.base_uri)");
  if (!problems.empty()) return R::failure(std::move(problems));
  auto absolute = resolve_request_url(base_uri_, url, "/request/url");
  if (!absolute.ok()) return R::failure(std::move(absolute.errors));
  RequestView request{method, *absolute.value, content_type, body};
  matching_rules(authorization_->apply, request.method, request.url, matches_);
  if (!stamped_) return request_edits(rules_, matches_, rule_edits_for(matches_), request);
  stamp_scope(scope_, stamp);
  per_request_ = render_rules(authorization_->apply, scope_, &matches_, carries_payload(method));
  auto edits = request_edits(per_request_, matches_, rule_edits(per_request_, matches_), request);
  if (!edits.ok()) return edits;
  auto signed_request = sign_edits(authorization_->apply, matches_, request, scope_, stamp, *edits.value);
  if (!signed_request.ok()) return R::failure(std::move(signed_request.errors));
  return edits;
}

void BoundConnection::write_apply(std::string& out, std::string_view method, std::string_view url,
                                  std::optional<std::string_view> content_type, std::string_view body,
                                  const Stamp& stamp) const {
  // What apply() would do on this path: the method is valid, the URL is not
  // absolute (resolve_request_url tries that first) and resolves as a plain
  // path; the edits are the URL with the params set and the headers.
  const bool plain_base = base_uri_ && base_uri_->ok() && base_uri_->value->plain;
  if (plain_base && !stamped_ && is_method(method) && !has_scheme(url) && base_uri_->value->resolve_plain(url, url_)) {
    matching_rules(authorization_->apply, method, url_, matches_);
    const RuleEdits& edits = rule_edits_for(matches_);
    if (!edits.has_payload && !edits.problems) {
      if (!edits.params.empty()) url_ = set_url_query_params(url_, edits.params);
      return write_edits(out, url_, edits.headers, nullptr);
    }
  }
  write_edits(out, apply(method, url, content_type, body, stamp));
}

const RuleEdits& BoundConnection::rule_edits_for(const RuleMatches& matches) const {
  for (const auto& [remembered, edits] : remembered_)
    if (remembered == matches) return edits;
  if (remembered_.size() < kRememberedSets) {
    remembered_.emplace_back(matches, rule_edits(rules_, matches));
    return remembered_.back().second;
  }
  auto& replaced = remembered_[next_replaced_];
  next_replaced_ = (next_replaced_ + 1) % kRememberedSets;
  replaced = {matches, rule_edits(rules_, matches)};
  return replaced.second;
}

BoundConnection::BoundConnection(const BoundConnection& other)
    : authorization_(other.authorization_),
      base_uri_(other.base_uri_),
      rules_(other.rules_),
      stamped_(other.stamped_),
      signs_(other.signs_),
      scope_(other.scope_) {}

BoundConnection& BoundConnection::operator=(const BoundConnection& other) {
  if (this != &other) *this = BoundConnection(other);
  return *this;
}

Result<Classification> BoundConnection::classify(int status, std::string_view body) const {
  if (status < 100 || status > 599)
    return Result<Classification>::failure("/response/status", "must be an HTTP status code from 100 to 599");
  return Result<Classification>::success(
      connauth::classify(authorization_->refresh_on, authorization_->detect_on, status, body));
}

bool BoundConnection::reads_body() const {
  return any_body_signal(authorization_->refresh_on) || any_body_signal(authorization_->detect_on);
}

// SPEC §2.5: a 2xx is read by detect_on, and by refresh_on only once
// detect_on matched; any other status by refresh_on alone.
bool BoundConnection::reads_body(int status) const {
  const Authorization& auth = *authorization_;
  if (status >= 200 && status <= 299)
    return any_body_signal(auth.detect_on) || (!auth.detect_on.empty() && any_body_signal(auth.refresh_on));
  return any_body_signal(auth.refresh_on);
}

bool BoundConnection::reads_request_body() const {
  if (signs_) return true;
  for (const RenderedRule& rule : rules_)
    if (!rule.payload.empty()) return true;
  return false;
}

}  // namespace connauth
