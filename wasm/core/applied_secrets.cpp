#include "applied_secrets.h"

#include <set>

namespace connauth {

namespace {

struct Finder {
  std::set<std::string> secret_fields;  // connection.<name> of every secret field
  std::vector<AppliedSecret> found;

  void read(const Template& t) {
    for (const std::string& path : t.paths()) {
      if (path == "client_secret") found.push_back({t.where(), "client_secret"});
      else if (secret_fields.count(path)) found.push_back({t.where(), path.substr(sizeof("connection.") - 1)});
    }
  }

  void read(const Authorization& auth) {
    for (const ApplyRule& rule : auth.apply) {
      for (const auto& [name, value] : rule.headers) read(value);
      for (const auto& [name, value] : rule.params) read(value);
      for (const auto& [name, value] : rule.payload)
        for (const auto& [pointer, t] : value.templates()) read(t);
      if (rule.basic) {
        read(rule.basic->username);
        read(rule.basic->password);
      }
    }
  }
};

}  // namespace

std::vector<AppliedSecret> applied_secrets(const Connector& connector) {
  Finder finder;
  auto note = [&](const std::vector<Field>& fields) {
    for (const Field& f : fields)
      if (f.secret) finder.secret_fields.insert("connection." + f.name);
  };
  note(connector.fields);
  for (const AuthOption& option : connector.authorization.options) note(option.authorization->fields);
  finder.read(connector.authorization);
  for (const AuthOption& option : connector.authorization.options) finder.read(*option.authorization);
  return std::move(finder.found);
}

}  // namespace connauth
