// The consent popup's state machine (the admin console's), in the core so
// that every host drives the same transitions:
//
//   idle ──start──▶ prompting ──confirm──▶ awaiting_consent ──result ok──▶ exchanging ──▶ connected
//     ▲                │ cancel              │  opening → authorizing → consenting     │
//     └────────────────┘                     └──────────────▶ failed(reason) ◀─────────┘
//
// `awaiting_consent` has a `step`: `opening` (the host was told to open the
// popup inside the click, synchronously, so blockers allow it), `authorizing`
// (POST /api/apps/{id}/connect is in flight; the popup shows a waiting page),
// `consenting` (the popup is at the provider). `failed` has a `reason`:
// popup_blocked, closed_by_user, access_denied, timed_out, state_mismatch,
// server_error; with a `message` and an `action` for the user.
//
// The host owns every side effect; this function only decides. The host
// calls consent_step(state, event), stores the new state and carries out the
// effects in order. Effects that start something asynchronous tell the host
// which event to report back.
//
// Events ({"type": ..., ...}); `attempt` (optional) is the attempt number the
// host received with the effect that started the work; a stale one (a timer
// of an earlier attempt) is ignored:
//   start {app, prompt, origin, noopener?, timeout_ms?}  user clicked Connect / Reconnect.
//        `origin` is the exact origin (scheme://host[:port]) results may come from: the edge.
//   confirm                 user accepted the prompt (or clicked Try again): must be
//                           handled inside the click, the open_popup effect is synchronous
//   cancel                  user dismissed the prompt or stopped waiting
//   popup_opened / popup_blocked           what window.open answered
//   authorization_ready {authorization_url, state, noopener?, attempt}   the connect answer
//   authorization_failed {error, message, attempt}                        the connect failed
//   link_opened             the user followed the continue link offered after popup_blocked
//   popup_closed {attempt}  the host saw popup.closed
//   timeout {attempt}       the timer of start_timer fired
//   message {origin, data, channel: "window" | "broadcast"}   a MessageEvent's origin and
//        data; the callback page posts data {type: "connauth:oauth", state, ok, error}
//   connection_loaded {connection}  GET /api/apps/{id}/connection answered after a result
//   connection_failed {error, message}
//   reset                   forget everything (e.g. the element was removed)
//
// Effects ({"type": ...}):
//   show_prompt {prompt} · hide_prompt
//   open_popup {name}       call window.open NOW (still inside the click), then report
//                           popup_opened or popup_blocked
//   request_authorization {app, attempt}   POST connect; report authorization_ready/_failed
//   listen {state, origin}  accept window messages and BroadcastChannel("connauth:" + state)
//   stop_listening
//   navigate_popup {url, noopener}   noopener: cut popup.opener before navigating, so the
//                           provider's page has no opener (results come by BroadcastChannel)
//   watch_popup {attempt}   poll popup.closed; report popup_closed
//   start_timer {ms, attempt} · stop_timer
//   focus_popup · close_popup
//   offer_link {url}        popup_blocked: show a link the user can follow (a user click
//                           on a link is not blocked); report link_opened when followed
//   load_connection {app}   GET the connection; report connection_loaded / connection_failed
//   ignored {reason}        nothing changed; for logging (foreign_origin, wrong_state,
//                           not_ours, not_waiting, stale, busy)
//
// Security rules (why they are here, not in each host):
//  - a result is accepted only while listening, only from `origin`, and only
//    with the pending state, compared in constant time (SPEC §3); anything
//    else leaves the state unchanged. A wrong state from the right origin is
//    remembered, so that a popup closing without a valid result explains
//    itself as state_mismatch rather than closed_by_user;
//  - after popup_closed the machine keeps listening: a cross-origin-opener-
//    policy page makes the popup look closed to the opener while the user is
//    still consenting, and its result then arrives by BroadcastChannel;
//  - authorization URLs other than http(s) are refused (a javascript: URL
//    would run in the popup).
#pragma once

#include "json.h"

namespace connauth {

// One transition. `state` is the previous state (null or {} = idle), `event`
// what the host observed ({"type": ...}). Answers the Result envelope of
// json_io.h: {"ok":true,"value":{"state": {...}, "effects": [...]}} where
// effects tell the host what to do next (open the popup, navigate it, focus
// it, close it, show a message). Never throws. Malformed input (an unknown
// event type, a state that is not one this function wrote, a start without
// app or origin) answers {"ok":false,"errors":[{path, message}]} with paths
// under /state or /event.
nlohmann::json consent_step(const nlohmann::json& state, const nlohmann::json& event);

}  // namespace connauth
