#include "request_signer.h"

#include "aws_sigv4.h"
#include "http.h"
#include "oauth1.h"
#include "sha256.h"
#include "url.h"

namespace connauth {

using nlohmann::json;

namespace {

using R = Result<SignedHeaders>;

// A credential from the scope: a non-empty string, else none.
const std::string* credential(const json& scope, const char* root, const char* key = nullptr) {
  const json* node = &scope;
  for (const char* name : {root, key}) {
    if (!name) break;
    auto it = node->is_object() ? node->find(name) : node->end();
    if (!node->is_object() || it == node->end()) return nullptr;
    node = &*it;
  }
  if (!node->is_string() || node->get_ref<const std::string&>().empty()) return nullptr;
  return &node->get_ref<const std::string&>();
}

R missing(const Signer& signer, const std::string& what) {
  return R::failure(signer.where, "cannot sign the request: no value for " + what);
}

bool is_form(const SignedRequestView& request) {
  if (!request.content_type) return false;
  std::string_view type = request.content_type->substr(0, request.content_type->find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  return iequals(type, "application/x-www-form-urlencoded");
}

R sign_oauth1(const Signer& signer, const SignedRequestView& request, const json& scope, const Stamp& stamp) {
  auto consumer_key = credential(scope, "client_id");
  if (!consumer_key) return missing(signer, "`client_id` (the app's client ID is the OAuth 1.0a consumer key)");
  auto consumer_secret = credential(scope, "client_secret");
  if (!consumer_secret)
    return missing(signer, "`client_secret` (the app's client secret is the OAuth 1.0a consumer secret)");
  auto token = credential(scope, "connection", "oauth_token");
  auto token_secret = credential(scope, "connection", "oauth_token_secret");
  QueryParams oauth;
  oauth.emplace_back("oauth_consumer_key", *consumer_key);
  oauth.emplace_back("oauth_nonce", stamp_nonce(stamp));
  oauth.emplace_back("oauth_signature_method", "HMAC-SHA1");
  oauth.emplace_back("oauth_timestamp", std::to_string(stamp.now));
  if (token) oauth.emplace_back("oauth_token", *token);
  oauth.emplace_back("oauth_version", "1.0");
  // RFC 5849 §3.4.1.3.1: a form body's parameters are signed too.
  auto base = oauth1_base_string(request.method, request.url, is_form(request) ? request.body : "", oauth);
  if (!base) return R::failure("/request/url", "must be an absolute http(s) URL to be signed");
  oauth.emplace_back("oauth_signature", oauth1_signature(*base, *consumer_secret, token_secret ? *token_secret : ""));
  return R::success(SignedHeaders{{"Authorization", oauth1_header(oauth)}});
}

// "20150830T123600Z" (ISO 8601 basic format, UTC).
std::string amz_date(int64_t now) {
  std::string iso = rfc3339(now);
  std::string out;
  for (char c : iso)
    if (c != '-' && c != ':') out += c;
  return out;
}

R sign_aws(const Signer& signer, const SignedRequestView& request, const json& scope, const Stamp& stamp) {
  auto access_key = credential(scope, "connection", "access_key_id");
  if (!access_key) return missing(signer, "`connection.access_key_id`; fill it in on the connection");
  auto secret_key = credential(scope, "connection", "secret_access_key");
  if (!secret_key) return missing(signer, "`connection.secret_access_key`; fill it in on the connection");
  auto session_token = credential(scope, "connection", "session_token");
  auto url = parse_url(request.url);
  if (!url.ok()) return R::failure("/request/url", "must be an absolute http(s) URL to be signed");
  std::string date = amz_date(stamp.now);
  std::string payload_hash = sha256_hex(request.body);
  // Signed: the headers set here and host (last, as it is not set here).
  SigV4Request signed_request{request.method, request.url, {}, payload_hash, date};
  SignedHeaders& headers = signed_request.headers;
  headers.emplace_back("X-Amz-Date", date);
  headers.emplace_back("X-Amz-Content-Sha256", payload_hash);
  if (session_token) headers.emplace_back("X-Amz-Security-Token", *session_token);
  headers.emplace_back("host", url.value->host_header());
  std::string authorization =
      sigv4_authorization(signed_request, {*access_key, *secret_key}, {signer.region, signer.service});
  headers.back() = {"Authorization", std::move(authorization)};
  return R::success(std::move(headers));
}

}  // namespace

Result<SignedHeaders> sign_request(const Signer& signer, const SignedRequestView& request, const json& scope,
                                   const Stamp& stamp) {
  // The timestamp and nonce must be the host's: a signature without them
  // would be refused by the provider or, worse, be replayable.
  if (stamp.random.size() < kStampRandomBytes)
    return R::failure(signer.where, "cannot sign the request: the host passed no clock and random bytes (the stamp)");
  return signer.kind == Signer::Kind::OAuth1 ? sign_oauth1(signer, request, scope, stamp)
                                              : sign_aws(signer, request, scope, stamp);
}

}  // namespace connauth
