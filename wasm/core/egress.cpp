#include "egress.h"

#include <algorithm>

#include "scope.h"
#include "url.h"

namespace connauth {

using nlohmann::json;

namespace {

// Every URL template the edge requests, in definition order.
void request_urls(const Authorization& auth, std::vector<const Template*>& out) {
  if (auth.oauth2.token_url) out.push_back(&*auth.oauth2.token_url);
  if (auth.oauth2.revocation_url) out.push_back(&*auth.oauth2.revocation_url);
  for (const Steps* steps : {&auth.acquire, &auth.refresh})
    for (const Step& step : *steps) out.push_back(&step.request.url);
  if (auth.identity_request) out.push_back(&auth.identity_request->url);
  for (const AuthOption& option : auth.options) request_urls(*option.authorization, out);
}

bool default_port(const Url& url) {
  return url.port.empty() || (url.scheme == "https" && url.port == "443") || (url.scheme == "http" && url.port == "80");
}

}  // namespace

Egress derive_egress(const Connector& connector, const json& context) {
  std::vector<const Template*> urls;
  if (connector.base_uri) urls.push_back(&*connector.base_uri);
  if (connector.test) urls.push_back(&connector.test->url);
  request_urls(connector.authorization, urls);

  json app_only = json::object();
  if (context.is_object() && context.contains("app")) app_only["app"] = context["app"];
  const json scope = make_scope(app_only);

  Egress out;
  for (const Template* url : urls) {
    auto rendered = url->render(scope);
    if (!rendered.ok()) {
      out.unresolved.push_back(url->where());
      continue;
    }
    // A literal relative URL ("me") is under base_uri, which is listed.
    if (url->is_literal() && !has_scheme(*rendered.value)) continue;
    auto parsed = parse_url(*rendered.value);
    if (!parsed.ok() || (parsed.value->scheme != "https" && parsed.value->scheme != "http")) {
      out.unresolved.push_back(url->where());
      continue;
    }
    std::string host = parsed.value->host;
    if (!default_port(*parsed.value)) host += ":" + parsed.value->port;
    if (std::find(out.hosts.begin(), out.hosts.end(), host) == out.hosts.end()) out.hosts.push_back(std::move(host));
  }
  return out;
}

}  // namespace connauth
