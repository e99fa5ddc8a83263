#include "connector_facts.h"

#include "connect_form.h"
#include "egress.h"
#include "engine.h"
#include "json_io.h"
#include "json_object.h"

namespace connauth {

using nlohmann::json;

namespace {

json fields_json(const std::vector<const Field*>& fields) {
  json out = json::array();
  for (const Field* field : fields) out.push_back(field_to_json(*field));
  return out;
}

json text_or_null(const std::string& text) { return text.empty() ? json(nullptr) : json(text); }

}  // namespace

json connect_form_json(const Connector& connector, const json& context) {
  ConnectForm form = connect_form(connector, context);
  json options = json::array();
  for (const ConnectOption& option : form.options) {
    json offered = json_object("key", option.key, "label", option.key, "type", to_string(option.authorization->type),
                               "fields", fields_json(option.fields));
    offered["noopener"] = option.authorization->oauth2.noopener;
    options.push_back(std::move(offered));
  }
  const Authorization* auth = form.authorization;
  json out = json_object("type", auth ? json(to_string(auth->type)) : json(nullptr), "option", text_or_null(form.option),
                         "choice_field", text_or_null(form.choice_field), "options", std::move(options));
  out["fields"] = fields_json(form.fields);
  out["noopener"] = auth && auth->oauth2.noopener;
  out["values"] = std::move(form.values);
  out["problems"] = std::move(error_envelope(form.problems)["errors"]);
  return ok_envelope(std::move(out));
}

json egress_json(const Connector& connector, const json& context) {
  Egress egress = derive_egress(connector, context);
  return ok_envelope(json_object("hosts", egress.hosts, "unresolved", egress.unresolved));
}

}  // namespace connauth
