#include "diagnosis.h"

namespace connauth {

namespace {

struct CauseText {
  Cause cause;
  const char* code;
  const char* message;
  const char* action;
};

// SPEC §4, one row per cause. The connector_error action is completed with
// the version number in diagnose().
constexpr CauseText kCauses[] = {
    {Cause::ProviderUnavailable, "provider_unavailable",
     "The provider could not be reached or answered with a temporary error (maintenance or an outage).",
     "Wait: the connection recovers by itself once the provider is back. \"Check connection\" retries now."},
    {Cause::AuthorizationRevoked, "authorization_revoked",
     "The provider no longer accepts this connection's authorization: the account was removed, lost "
     "permissions or scope, or access was revoked.",
     "Reconnect with an account that has the needed permissions and scopes. Prefer a service account "
     "to a personal one, so that people leaving or changing roles do not break the connection."},
    {Cause::CredentialsRejected, "credentials_rejected",
     "The provider rejected the stored credentials: the key or password was revoked or changed.",
     "Enter new credentials for this connection."},
    {Cause::ClientMisconfigured, "client_misconfigured",
     "The provider rejected the application's client credentials.",
     "An administrator must fix the outbound application's client id and client secret, or the app settings its "
     "token requests send (a gateway's service token)."},
    {Cause::ConnectorError, "connector_error",
     "The connector definition is at fault: the provider's answer did not match it, or it needs a value "
     "it does not have.",
     "If the connector changed recently, restore the version under which this connection last worked"},
};

const CauseText& text_of(Cause cause) {
  for (const auto& t : kCauses)
    if (t.cause == cause) return t;
  return kCauses[4];  // unreachable: every enumerator has a row
}

}  // namespace

const char* to_string(Cause cause) { return text_of(cause).code; }

std::optional<Cause> cause_from_string(std::string_view code) {
  for (const auto& t : kCauses)
    if (code == t.code) return t.cause;
  return std::nullopt;
}

bool is_transient(Cause cause) { return cause == Cause::ProviderUnavailable; }

Diagnosis diagnose(Cause cause, std::optional<int64_t> last_working_version) {
  const CauseText& t = text_of(cause);
  std::string action = t.action;
  if (cause == Cause::ConnectorError) {
    // SPEC §4: the version is named, so the admin knows which one to restore.
    if (last_working_version) action += " (version " + std::to_string(*last_working_version) + ")";
    action += ", then \"Check connection\". Otherwise the connector's author must fix the definition.";
  }
  return Diagnosis{cause, t.code, t.message, std::move(action)};
}

}  // namespace connauth
