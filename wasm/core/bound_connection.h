// A connector bound to one connection's context: the edge's request path
// (SPEC §2.4 apply, §2.5 classify), compiled once and used for every request
// of that connection until its credentials change.
//
// Binding does once what the one-shot engine.h calls redo on every request:
// resolve the context (the `multi` option in force, field defaults, the
// template scope; context.h), render every apply rule's values (rules read
// only the scope, never the request: apply_rule.h) and the base_uri. A
// request then only matches rules and writes the rendered values in. A value
// that failed to render is kept with its problems and reported exactly when
// the one-shot apply would report it: when a request matches its rule (for
// a payload value, only when a payload applies to that request).
#pragma once

#include "json.h"

#include <optional>
#include <string_view>

#include "apply_rule.h"
#include "connector.h"
#include "connector_request.h"
#include "result.h"
#include "signals.h"

namespace connauth {

class BoundConnection {
 public:
  // `context` = {"connection", "app"} as resolve_context takes it. Fails as
  // the one-shot calls do when the context selects no authorization (a
  // `multi` option that does not exist). The bound connection points into
  // `connector`, which must outlive it.
  static Result<BoundConnection> bind(const Connector& connector, const nlohmann::json& context);

  // SPEC §2.4 for one request: `method` (any case), `url`
  // (absolute, or relative to base_uri), the request's Content-Type (none
  // when it has none) and body. Answers the edits (apply_rule.h): the
  // absolute URL, the headers to set (views into this bound connection,
  // valid while it lives) and the body if a payload rewrote it.
  // Problems are at /request/method and /request/url (the caller's request)
  // or at the connector's JSON pointers (a value that did not render).
  // `stamp` is the host's clock and randomness for this request, read only
  // when stamped(); then the matching rules are rendered for the request
  // and the edits view them until the next apply.
  Result<RequestEdits> apply(std::string_view method, std::string_view url,
                             std::optional<std::string_view> content_type, std::string_view body,
                             const Stamp& stamp = {}) const;

  // apply() as its answer text (answer_text.h) in `out`: exactly what
  // write_edits(out, apply(...)) writes. The usual request — a plain path
  // under a plain base_uri (url.h BaseUrl), matching rules with no payload
  // and nothing that failed to render — is written from the bound values
  // without building RequestEdits, its URL resolved and its rules matched
  // into buffers this bound connection keeps: in a proxied request every
  // cache is cold after the wait for the network, and building and copying
  // the edits is what a request would pay for.
  void write_apply(std::string& out, std::string_view method, std::string_view url,
                   std::optional<std::string_view> content_type, std::string_view body,
                   const Stamp& stamp = {}) const;

  // SPEC §2.5 for a response: its status (100-599, else a problem at
  // /response/status) and body; only the first kDefaultBodyLimit bytes are
  // matched.
  Result<Classification> classify(int status, std::string_view body) const;

  // Whether any signal looks at the body (a host can skip reading it);
  // `reads_body(status)` for a response with that status.
  bool reads_body() const;
  bool reads_body(int status) const;
  // Whether any apply rule has a payload or signs, i.e. apply may need the body.
  bool reads_request_body() const;
  // Whether any apply rule signs (SPEC §10): apply needs the exact body bytes.
  bool signs() const { return signs_; }
  // Whether any apply rule reads the stamp or signs: apply needs the host's
  // clock and random bytes for each request.
  bool stamped() const { return stamped_; }

  // A copy starts with no remembered rule edits (they point into the rules
  // they were made from); a move keeps them.
  BoundConnection(const BoundConnection& other);
  BoundConnection& operator=(const BoundConnection& other);
  BoundConnection(BoundConnection&&) = default;
  BoundConnection& operator=(BoundConnection&&) = default;

 private:
  BoundConnection() = default;
  const RuleEdits& rule_edits_for(const RuleMatches& matches) const;

  const Authorization* authorization_ = nullptr;  // in force; points into the connector
  RenderedBaseUri base_uri_;
  RenderedRules rules_;
  // Stamped connections only: the scope, kept to render the matching rules
  // for each request (with the request's stamp values set in it), and the
  // rules rendered for the latest request, which its edits view.
  bool stamped_ = false;
  bool signs_ = false;
  mutable nlohmann::json scope_;
  mutable RenderedRules per_request_;
  // rule_edits per set of matching rules (apply_rule.h): a connection's
  // requests fall into a few sets, so most requests only match rules. At
  // most kRememberedSets, the oldest replaced first. Not thread-safe, like
  // everything bound to one connection.
  static constexpr size_t kRememberedSets = 16;
  mutable std::vector<std::pair<RuleMatches, RuleEdits>> remembered_;
  mutable size_t next_replaced_ = 0;
  // Buffers reused from request to request: write_apply's resolved URL, and
  // the rule matches of write_apply and apply.
  mutable std::string url_;
  mutable RuleMatches matches_;
};

}  // namespace connauth
