// "Check connection" (SPEC §2 `test`, §4): the connector's test request with
// the connection's credentials applied, and what its response says about the
// connection. Also the last step of connecting without a redirect (api_key,
// basic_auth, custom_auth: acquire if any, then the test).
#pragma once

#include "json.h"

#include <optional>
#include <string>

#include "connector.h"
#include "diagnosis.h"
#include "http.h"
#include "result.h"
#include "stamp.h"

namespace connauth {

// The test request, absolute and authorized by the apply rules (SPEC §2.4),
// or nothing when the connector has no test (then there is nothing to check
// and the connection counts as working). `stamp` for a signing rule
// (apply_rule.h sign_edits).
Result<std::optional<HttpRequest>> build_test_request(const Connector& connector, const Authorization& authorization,
                                                      const nlohmann::json& scope, const Stamp& stamp = {});

struct TestVerdict {
  enum class Outcome {
    Ok,       // 2xx with no detect_on match: the connection works
    Refresh,  // refresh (or re-acquire), then run the test once more
    Failed,   // the connection does not work, for `cause`
  } outcome = Outcome::Ok;
  std::optional<Cause> cause;
  std::string detail;  // for the history: status and the deciding signal; never the body
};

// Whether refreshing can help this authorization at all (oauth2 unless
// `refresh: false`, custom_auth with acquire or refresh).
bool can_refresh(const Authorization& authorization);

// Reads the test's response (SPEC §4 "how it is recognised"):
//   5xx, 429                    -> provider_unavailable (before any signal:
//                                  an outage must not be mistaken for a
//                                  rejected token);
//   classified ok               -> ok;
//   classified refresh, not yet refreshed and refreshing can help -> refresh;
//   401/403, or a refresh/detect_on signal that persists
//                               -> authorization_revoked (oauth2: rejected
//                                  even with a fresh token) or
//                                  credentials_rejected (other types);
//   any other status            -> connector_error (unexpected 4xx).
TestVerdict read_test_response(const Authorization& authorization, const HttpResponse& response, bool refreshed);

}  // namespace connauth
