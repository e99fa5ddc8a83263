#include "diagnosis.h"

#include <gtest/gtest.h>

namespace connauth {
namespace {

TEST(Diagnosis, CodesAreStableAndRoundTrip) {
  const std::pair<Cause, const char*> table[] = {
      {Cause::ProviderUnavailable, "provider_unavailable"},
      {Cause::AuthorizationRevoked, "authorization_revoked"},
      {Cause::CredentialsRejected, "credentials_rejected"},
      {Cause::ClientMisconfigured, "client_misconfigured"},
      {Cause::ConnectorError, "connector_error"},
  };
  for (const auto& [cause, code] : table) {
    EXPECT_STREQ(to_string(cause), code);
    EXPECT_EQ(cause_from_string(code), cause);
    EXPECT_EQ(diagnose(cause).code, code);
    EXPECT_EQ(diagnose(cause).cause, cause);
  }
  EXPECT_EQ(cause_from_string("lost"), std::nullopt);
  EXPECT_EQ(cause_from_string(""), std::nullopt);
}

TEST(Diagnosis, OnlyProviderUnavailableIsTransient) {
  EXPECT_TRUE(is_transient(Cause::ProviderUnavailable));
  EXPECT_FALSE(is_transient(Cause::AuthorizationRevoked));
  EXPECT_FALSE(is_transient(Cause::CredentialsRejected));
  EXPECT_FALSE(is_transient(Cause::ClientMisconfigured));
  EXPECT_FALSE(is_transient(Cause::ConnectorError));
}

TEST(Diagnosis, ProviderUnavailableSaysWaitAndCheckConnection) {
  Diagnosis d = diagnose(Cause::ProviderUnavailable);
  EXPECT_EQ(d.action,
            "Wait: the connection recovers by itself once the provider is back. \"Check connection\" retries now.");
}

TEST(Diagnosis, AuthorizationRevokedSaysReconnectWithAServiceAccount) {
  Diagnosis d = diagnose(Cause::AuthorizationRevoked);
  EXPECT_EQ(d.message,
            "The provider no longer accepts this connection's authorization: the account was removed, lost "
            "permissions or scope, or access was revoked.");
  EXPECT_EQ(d.action,
            "Reconnect with an account that has the needed permissions and scopes. Prefer a service account "
            "to a personal one, so that people leaving or changing roles do not break the connection.");
}

TEST(Diagnosis, CredentialsRejectedAsksForNewCredentials) {
  EXPECT_EQ(diagnose(Cause::CredentialsRejected).action, "Enter new credentials for this connection.");
}

TEST(Diagnosis, ClientMisconfiguredIsForAnAdmin) {
  EXPECT_EQ(diagnose(Cause::ClientMisconfigured).action,
            "An administrator must fix the outbound application's client id and client secret, or the app settings "
            "its token requests send (a gateway's service token).");
}

TEST(Diagnosis, ConnectorErrorNamesTheLastWorkingVersion) {
  EXPECT_EQ(diagnose(Cause::ConnectorError, 7).action,
            "If the connector changed recently, restore the version under which this connection last worked "
            "(version 7), then \"Check connection\". Otherwise the connector's author must fix the definition.");
}

TEST(Diagnosis, ConnectorErrorWithoutAKnownVersion) {
  EXPECT_EQ(diagnose(Cause::ConnectorError).action,
            "If the connector changed recently, restore the version under which this connection last worked, "
            "then \"Check connection\". Otherwise the connector's author must fix the definition.");
}

TEST(Diagnosis, OtherCausesIgnoreTheVersion) {
  EXPECT_EQ(diagnose(Cause::CredentialsRejected, 7).action, diagnose(Cause::CredentialsRejected).action);
}

}  // namespace
}  // namespace connauth
