#include "connector_rules.h"

#include <algorithm>
#include <cstdint>
#include <utility>

namespace connauth {

using nlohmann::json;

namespace {

constexpr std::string_view kBasicKeys[] = {"username", "password"};
constexpr std::string_view kRuleKeys[] = {"when", "headers", "params", "payload", "basic", "sign"};
constexpr std::string_view kAwsSigV4Keys[] = {"service", "region"};
constexpr const char* kSignForms = "must be \"oauth1\" or {\"aws_sigv4\": {\"service\": \"...\", \"region\": \"...\"}}";
constexpr std::string_view kWhenKeys[] = {"url", "verb"};
constexpr std::string_view kUrlConditionKeys[] = {"prefix", "contains", "regex", "flags"};
constexpr std::string_view kRegexSignalKeys[] = {"regex", "flags"};

class RuleReader {
 public:
  explicit RuleReader(DefinitionReader& in) : in_(in) {}

  std::optional<BasicCredentials> basic(const json& value, const std::string& where);
  std::vector<ApplyRule> apply_rules(const json& value, const std::string& where);
  Signals signals(const json& value, const std::string& where);

 private:
  std::optional<ApplyRule> apply_rule(const json& value, const std::string& where);
  void when(const json& value, const std::string& where, ApplyRule& rule);
  std::optional<UrlCondition> url_condition(const json& value, const std::string& where);
  std::optional<Signer> signer(const json& value, const std::string& where);
  std::vector<std::string> verbs(const json& value, const std::string& where);
  bool valid_flags(const json& object, const std::string& where, std::string& flags);
  std::optional<Signal> signal(const json& value, const std::string& where);

  DefinitionReader& in_;
};

std::optional<BasicCredentials> RuleReader::basic(const json& value,
                                                      const std::string& where) {
  if (!in_.expect_object(value, where)) return std::nullopt;
  in_.reject_unknown_keys(value, where, kBasicKeys);
  const json* username = in_.required(value, where, "username");
  const json* password = in_.required(value, where, "password");
  std::optional<Template> user = username ? in_.template_value(*username, where + "/username")
                                          : std::nullopt;
  std::optional<Template> pass = password ? in_.template_value(*password, where + "/password")
                                          : std::nullopt;
  if (!user || !pass) return std::nullopt;
  return BasicCredentials{std::move(*user), std::move(*pass)};
}

// ---- apply rules (SPEC §2.4) --------------------------------------------------

std::vector<ApplyRule> RuleReader::apply_rules(const json& value, const std::string& where) {
  std::vector<ApplyRule> out;
  if (!value.is_array()) {
    in_.problem(where, "must be an array of apply rules, not " + type_name(value));
    return out;
  }
  if (value.empty()) in_.problem(where, "must list at least one rule");
  for (size_t i = 0; i < value.size(); ++i)
    if (std::optional<ApplyRule> rule = apply_rule(value[i], pointer_append(where, i)))
      out.push_back(std::move(*rule));
  return out;
}

std::optional<ApplyRule> RuleReader::apply_rule(const json& value, const std::string& where) {
  if (!in_.expect_object(value, where)) return std::nullopt;
  in_.reject_unknown_keys(value, where, kRuleKeys);
  ApplyRule out;
  out.where = where;
  if (const json* w = DefinitionReader::member(value, "when")) when(*w, where + "/when", out);
  if (const json* headers = DefinitionReader::member(value, "headers"))
    out.headers = in_.template_map(*headers, where + "/headers", DefinitionReader::Names::HeaderToken);
  if (const json* params = DefinitionReader::member(value, "params"))
    out.params = in_.template_map(*params, where + "/params", DefinitionReader::Names::Any);
  if (const json* payload = DefinitionReader::member(value, "payload")) {
    std::string at = where + "/payload";
    if (in_.expect_object(*payload, at))
      for (const auto& item : payload->items())
        if (auto t = in_.json_template(item.value(), pointer_append(at, item.key())))
          out.payload.emplace_back(item.key(), std::move(*t));
  }
  if (const json* credentials = DefinitionReader::member(value, "basic")) {
    out.basic = this->basic(*credentials, where + "/basic");
    if (has_header(out.headers, "Authorization"))
      in_.problem(where, "give either basic or an Authorization header, not both");
  }
  if (const json* sign = DefinitionReader::member(value, "sign")) {
    out.sign = signer(*sign, where + "/sign");
    if (out.basic || has_header(out.headers, "Authorization"))
      in_.problem(where, "a signing rule sets the Authorization header itself; remove basic or the Authorization header");
  }
  bool acts = false;
  for (const char* key : {"headers", "params", "payload", "basic", "sign"})
    acts = acts || DefinitionReader::member(value, key);
  if (!acts) in_.problem(where, "rule does nothing; give headers, params, payload, basic or sign");
  // A rule that reads the stamp or signs is rendered per request (apply_rule.h).
  auto stamped = [](const Template& t) {
    for (const std::string& path : t.paths())
      if (reads_stamp(path)) return true;
    return false;
  };
  out.stamped = out.sign.has_value() || (out.basic && (stamped(out.basic->username) || stamped(out.basic->password)));
  for (const TemplateMap* map : {&out.headers, &out.params})
    for (const auto& entry : *map) out.stamped = out.stamped || stamped(entry.second);
  for (const auto& entry : out.payload)
    for (const auto& item : entry.second.templates()) out.stamped = out.stamped || stamped(item.second);
  return out;
}

// SPEC §10: "oauth1", or {"aws_sigv4": {"service", "region"}} (non-empty strings).
std::optional<Signer> RuleReader::signer(const json& value, const std::string& where) {
  Signer out;
  out.where = where;
  if (value.is_string() && value.get_ref<const std::string&>() == "oauth1") return out;
  const json* aws = value.is_object() && value.size() == 1 ? DefinitionReader::member(value, "aws_sigv4") : nullptr;
  if (!aws) {
    in_.problem(where, kSignForms);
    return std::nullopt;
  }
  std::string at = where + "/aws_sigv4";
  if (!in_.expect_object(*aws, at)) return std::nullopt;
  in_.reject_unknown_keys(*aws, at, kAwsSigV4Keys);
  out.kind = Signer::Kind::AwsSigV4;
  for (auto [key, into] : {std::pair{"service", &out.service}, std::pair{"region", &out.region}}) {
    if (!in_.required(*aws, at, key)) return std::nullopt;
    std::optional<std::string> text = in_.string(*aws, at, key);
    if (!text) return std::nullopt;
    if (text->empty()) {
      in_.problem(at + "/" + key, std::string("must not be empty: the AWS ") + key + ", such as " +
                                      (std::string_view(key) == "service" ? "execute-api or s3" : "us-east-1"));
      return std::nullopt;
    }
    *into = std::move(*text);
  }
  return out;
}

void RuleReader::when(const json& value, const std::string& where, ApplyRule& rule) {
  if (!in_.expect_object(value, where)) return;
  in_.reject_unknown_keys(value, where, kWhenKeys);
  if (const json* url = DefinitionReader::member(value, "url"))
    rule.url = url_condition(*url, where + "/url");
  if (const json* verb = DefinitionReader::member(value, "verb"))
    rule.verbs = verbs(*verb, where + "/verb");
}

std::optional<UrlCondition> RuleReader::url_condition(const json& value,
                                                          const std::string& where) {
  UrlCondition out;
  if (value.is_string()) {  // a plain string means "contains" (SPEC §2.4)
    out.value = value.get_ref<const std::string&>();
    return out;
  }
  if (!value.is_object()) {
    in_.problem(where, "must be a string (contained in the URL) or an object with prefix, "
                       "contains or regex, not " + type_name(value));
    return std::nullopt;
  }
  in_.reject_unknown_keys(value, where, kUrlConditionKeys);
  const std::pair<const char*, UrlCondition::Kind> kinds[] = {
      {"prefix", UrlCondition::Kind::Prefix},
      {"contains", UrlCondition::Kind::Contains},
      {"regex", UrlCondition::Kind::Regex}};
  int given = 0;
  for (const auto& [key, kind] : kinds) {
    if (!DefinitionReader::member(value, key)) continue;
    ++given;
    if (std::optional<std::string> text = in_.string(value, where, key)) {
      out.kind = kind;
      out.value = *text;
    } else {
      return std::nullopt;
    }
  }
  if (given != 1) {
    in_.problem(where, "give exactly one of prefix, contains or regex");
    return std::nullopt;
  }
  std::string flags;
  if (out.kind != UrlCondition::Kind::Regex) {
    if (DefinitionReader::member(value, "flags"))
      in_.problem(where + "/flags", "flags apply only to regex; remove it");
    return out;
  }
  if (!valid_flags(value, where, flags)) return std::nullopt;
  out.pattern = in_.pattern(out.value, flags, where + "/regex");
  if (!out.pattern) return std::nullopt;
  return out;
}

std::vector<std::string> RuleReader::verbs(const json& value, const std::string& where) {
  std::vector<std::string> out;
  auto add = [&](const json& verb, const std::string& at) {
    if (!verb.is_string()) {
      in_.problem(at, "must be a string, not " + type_name(verb));
    } else if (!is_token(verb.get_ref<const std::string&>())) {
      in_.problem(at, "must be an HTTP method such as GET or POST");
    } else {
      out.push_back(to_upper(verb.get_ref<const std::string&>()));
    }
  };
  if (value.is_string()) {
    add(value, where);
  } else if (!value.is_array()) {
    in_.problem(where, "must be a string or an array of strings, not " + type_name(value));
  } else if (value.empty()) {
    in_.problem(where, "must not be empty; remove verb to match every method");
  } else {
    for (size_t i = 0; i < value.size(); ++i) add(value[i], pointer_append(where, i));
  }
  return out;
}

// Pattern flags (pattern.h): a subset of "ims". Checked here so an unknown
// flag is reported at `/flags` rather than at the regex.
bool RuleReader::valid_flags(const json& object, const std::string& where,
                                  std::string& flags) {
  if (!DefinitionReader::member(object, "flags")) return true;
  std::optional<std::string> text = in_.string(object, where, "flags");
  if (!text) return false;
  for (char c : *text) {
    if (c != 'i' && c != 'm' && c != 's') {
      in_.problem(where + "/flags", "unknown flag " + in_quotes(std::string_view(&c, 1)) +
                                        "; use i (ignore case), m (multi-line), s (dot matches newline)");
      return false;
    }
  }
  flags = *text;
  return true;
}

// ---- signals (SPEC §2.5) ------------------------------------------------------

Signals RuleReader::signals(const json& value, const std::string& where) {
  Signals out;
  if (!value.is_array()) {
    in_.problem(where, "must be an array of signals (status codes such as 401, whole-body "
                       "strings, or {\"regex\": ...} objects), not " + type_name(value));
    return out;
  }
  for (size_t i = 0; i < value.size(); ++i)
    if (std::optional<Signal> s = signal(value[i], pointer_append(where, i)))
      out.push_back(std::move(*s));
  return out;
}

std::optional<Signal> RuleReader::signal(const json& value, const std::string& where) {
  Signal out;
  out.where = where;
  if (value.is_number()) {
    bool in_range = (value.is_number_unsigned() && value.get<std::uint64_t>() >= 100 &&
                     value.get<std::uint64_t>() <= 599) ||
                    (value.is_number_integer() && value.get<std::int64_t>() >= 100 &&
                     value.get<std::int64_t>() <= 599);
    if (!in_range) {
      in_.problem(where, "must be an HTTP status code, an integer from 100 to 599");
      return std::nullopt;
    }
    out.kind = Signal::Kind::Status;
    out.status = static_cast<int>(value.get<std::int64_t>());
    return out;
  }
  if (value.is_string()) {
    out.kind = Signal::Kind::BodyEquals;
    out.body = value.get_ref<const std::string&>();
    return out;
  }
  if (!value.is_object()) {
    in_.problem(where, "must be an HTTP status code (e.g. 401), a string equal to the whole "
                       "body, or {\"regex\": \"...\", \"flags\": \"i\"}, not " + type_name(value));
    return std::nullopt;
  }
  in_.reject_unknown_keys(value, where, kRegexSignalKeys);
  std::string flags;
  bool flags_ok = valid_flags(value, where, flags);
  if (!in_.required(value, where, "regex")) return std::nullopt;
  std::optional<std::string> source = in_.string(value, where, "regex");
  if (!source || !flags_ok) return std::nullopt;
  out.kind = Signal::Kind::BodyRegex;
  out.pattern = in_.pattern(*source, flags, where + "/regex");
  if (!out.pattern) return std::nullopt;
  return out;
}
}  // namespace

std::vector<ApplyRule> read_apply_rules(DefinitionReader& in, const json& value,
                                        const std::string& where) {
  return RuleReader(in).apply_rules(value, where);
}

Signals read_signals(DefinitionReader& in, const json& value, const std::string& where) {
  return RuleReader(in).signals(value, where);
}

std::optional<BasicCredentials> read_basic(DefinitionReader& in, const json& value,
                                           const std::string& where) {
  return RuleReader(in).basic(value, where);
}

bool has_header(const TemplateMap& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return iequals(h.first, name); });
}

}  // namespace connauth
