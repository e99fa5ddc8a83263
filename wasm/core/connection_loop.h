// One connection at work, as a state machine every host drives the same way
// (the shape of consent_flow.h): the host calls
//
//   connection_step(connector, context, state, event, now) -> {state, effects}
//
// carries out the effects in order and reports what happened as the next
// event, until an effect ends the operation. The host does the I/O, the
// storage, the locking and the timing; every decision is made here. Five
// operations, each started by an event {"type": "start", "op": ...}:
//
//  use      one caller's request (SPEC §2.5, §3). start {op, due, expired, replayable?}: `due`
//           and `expired` are the engine's refresh deadline for the credentials (refresh_needed
//           with the app's buffer, and with 0); `replayable: false` when the request's body
//           streamed with the first attempt and cannot be sent again (then the renewed
//           credentials serve the next request and the first answer goes to the caller).
//             due ─▶ renew ─▶ send_caller(1) ─answered─▶ deliver
//                                   │ refresh signal
//                                   ▼
//                                 renew ─changed─▶ send_caller(2) ─answered─▶ deliver (final)
//                                   └─unchanged (nothing to refresh with, the test passes)─▶ deliver(1)
//           A renewal that fails while the token has not expired yet (the provider is down,
//           the connection degraded) still sends with the current token.
//           The `use` transitions read only the state and the event's type and
//           classification, never the connector or the context: a host may remember them.
//  renew    new credentials for a connection (SPEC §3), run by the host inside its single
//           flight (a Durable Object, a lock file) after it checked that nobody renewed
//           them meanwhile. start {op, force, connection_state}: while degraded and backing
//           off (connection_state.next_retry_at) no token request is sent unless `force`.
//           The refresh grant, the connector's `refresh` or custom_auth's `acquire` again;
//           a connection with nothing to refresh with (api_key, basic_auth, no refresh token)
//           runs the connector's test instead: credentials that still pass it are unchanged.
//  check    "Check connection" (SPEC §4): renew when due, run the test, renew and test once
//           more when the test asks for it; without a test, a renewal is the check.
//           start {op, due}.
//  connect  a connection made with fields (api_key, basic_auth, custom_auth): the connector's
//           `acquire` when it has one, then its test; only a passing test connects. start {op}.
//  exchange the oauth2 callback (SPEC §3): start {op, pending, params} checks it against the
//           pending authorization (state, expiry, iss, the provider's error), then the code is
//           exchanged; done {connection, identity?, warnings}.
//
// Events: start (above) · answered {classification: ok|refresh|error} (use: the caller's
// request was sent) · apply_failed {problems} (use: the connector could not authorize it) ·
// response {response} (the answer to a `send`: {status, headers, body} or {network_error}) ·
// renewed {changed} · renew_failed {error} · recorded {state} (the connection state the host
// stored after a `record` of a failure) · failed {error} (the host could not do what an effect
// asked, e.g. a host outside the egress list: ends the operation with that error).
//
// Effects: send {request} (the connector's own request: acquire, refresh, test; an acquire or
// refresh that is a list of steps (SPEC §10) sends once per step, each answered by its own
// response event, and keeps the run, earlier answers included, in the state: the host holds
// the state in memory for the operation only and never stores or logs it) ·
// send_caller {attempt} (the caller's request with the credentials applied; report answered or
// apply_failed) · renew {force, reason} (the host's single-flight renew operation; report
// renewed or renew_failed) · store {connection, scope?} (new credentials: write them; `scope`, the
// granted scope when an oauth2 refresh answered one: write it too, RFC 6749 §6) ·
// record {outcome: success|failure, cause?, detail?} (apply stateSuccess/stateFailure to the
// stored state; after a failure report recorded) · deliver {attempt} (use: answer the caller
// with that attempt's response) · done {value} · fail {error}.
//
// Every failure has one shape, the engine's: error {code, message, cause?, action?, detail?,
// problems?, lost?, retry_after?}.
#pragma once

#include "json.h"

#include <cstdint>

#include "connector.h"

namespace connauth {

// `connector` may be null for the `use` operation (it never reads it).
// Answers the Result envelope {ok, value: {state, effects}}; malformed input
// (an unknown event for the state, a state this function did not write) is
// {ok: false, errors: [{path, message}]} with paths under /state or /event.
nlohmann::json connection_step(const Connector* connector, const nlohmann::json& context,
                               const nlohmann::json& state, const nlohmann::json& event, int64_t now);

}  // namespace connauth
