#include "connector_reader.h"

#include <algorithm>
#include <iterator>
#include <utility>

namespace connauth {

using nlohmann::json;

// Views, not strings: most callers pass a literal and a pointer, and a
// std::string parameter costs each call site a construction, a destruction
// and its exception cleanup (module size).
void DefinitionReader::problem(std::string_view path, std::string_view message) {
  add_problem(problems_, path, message);
}

const json* DefinitionReader::member(const json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(std::string(key));
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

bool DefinitionReader::expect_object(const json& value, const std::string& where) {
  if (value.is_object()) return true;
  problem(where, "must be an object, not " + type_name(value));
  return false;
}

const json* DefinitionReader::required(const json& object, const std::string& where,
                                       std::string_view key, std::string_view message) {
  if (const json* value = member(object, key)) return value;
  if (message.empty()) problem(where, "missing required key " + in_quotes(key));
  else problem(where, message);
  return nullptr;
}

void DefinitionReader::reject_unknown_keys(const json& object, const std::string& where,
                                           const KeyList& known) {
  if (!object.is_object()) return;
  for (const auto& item : object.items()) {
    if (std::find(known.begin(), known.end(), item.key()) == known.end())
      unknown_key(item.key(), where, known);
  }
}

void DefinitionReader::unknown_key(const std::string& key, const std::string& where,
                                   const KeyList& known) {
  std::string message = "unknown key " + in_quotes(key);
  std::string suggestion = closest(key, known);
  if (!suggestion.empty()) message += "; did you mean " + in_quotes(suggestion) + "?";
  problem(pointer_append(where, key), message);
}

std::optional<std::string> DefinitionReader::string(const json& object, const std::string& where,
                                                    std::string_view key) {
  const json* value = member(object, key);
  if (!value) return std::nullopt;
  if (!value->is_string()) {
    problem(pointer_append(where, key), "must be a string, not " + type_name(*value));
    return std::nullopt;
  }
  return value->get_ref<const std::string&>();
}

std::optional<bool> DefinitionReader::boolean(const json& object, const std::string& where,
                                              std::string_view key) {
  const json* value = member(object, key);
  if (!value) return std::nullopt;
  if (!value->is_boolean()) {
    problem(pointer_append(where, key),
            "must be a boolean (true or false), not " + type_name(*value));
    return std::nullopt;
  }
  return value->get<bool>();
}

std::optional<std::string> DefinitionReader::choice(const json& object, const std::string& where,
                                                    std::string_view key, const KeyList& allowed) {
  std::optional<std::string> value = string(object, where, key);
  if (!value) return std::nullopt;
  if (std::find(allowed.begin(), allowed.end(), *value) != allowed.end()) return value;
  problem(pointer_append(where, key),
          "must be " + in_quotes_list(allowed) + ", not " + in_quotes(*value));
  return std::nullopt;
}

std::optional<std::vector<std::string>> DefinitionReader::string_list(const json& object,
                                                                      const std::string& where,
                                                                      std::string_view key) {
  const json* value = member(object, key);
  if (!value) return std::nullopt;
  std::string at = pointer_append(where, key);
  if (!value->is_array()) {
    problem(at, "must be an array of strings, not " + type_name(*value));
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (size_t i = 0; i < value->size(); ++i) {
    const json& item = (*value)[i];
    if (!item.is_string()) {
      problem(pointer_append(at, i), "must be a string, not " + type_name(item));
      ok = false;
      continue;
    }
    out.push_back(item.get_ref<const std::string&>());
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<Template> DefinitionReader::template_value(const json& value, const std::string& where,
                                                         std::string_view extra_root) {
  if (!value.is_string()) {
    problem(where, "must be a string (a template), not " + type_name(value));
    return std::nullopt;
  }
  Result<Template> parsed = Template::parse(value.get_ref<const std::string&>(), where);
  if (!parsed.ok()) {
    append(problems_, parsed.errors);
    return std::nullopt;
  }
  if (!known_paths(*parsed.value, where, extra_root)) return std::nullopt;
  return std::move(*parsed.value);
}

// SPEC §2.1 lists every path a template may read; a typo such as
// `{{conection.user}}` is caught here instead of at the first request.
bool DefinitionReader::known_paths(const Template& t, const std::string& where, std::string_view extra_root) {
  static constexpr std::string_view kRoots[] = {
      "connection", "client_id", "client_secret", "scopes", "access_token", "refresh_token",
      "redirect_uri", "code", "verifier", "state", "callback", "response", "response_headers", "status",
      "now", "now_iso", "uuid"};
  bool ok = true;
  for (const std::string& path : t.paths()) {
    std::string root = path.substr(0, path.find('.'));
    if (std::find(std::begin(kRoots), std::end(kRoots), root) != std::end(kRoots)) continue;
    if (!extra_root.empty() && root == extra_root) continue;
    if (root == "steps") {
      ok = step_path(path, where) && ok;
      continue;
    }
    std::string message = "unknown template path " + in_quotes(path);
    std::string suggestion = closest(root, kRoots);
    if (!suggestion.empty()) message += "; did you mean " + in_quotes(suggestion) + "?";
    else message += "; paths start with " + join_list(kRoots, ", ");
    problem(where, message);
    ok = false;
  }
  return ok;
}

// SPEC §10: steps.<name>.response[.<path>] or steps.<name>.response_headers.<name>
// of an earlier step; header names as response_scope keys them, lower case.
bool DefinitionReader::step_path(const std::string& path, const std::string& where) {
  if (!readable_steps_) {
    problem(where, "reads " + path + ", but only the steps of acquire and refresh can read steps.<name>");
    return false;
  }
  size_t name_end = path.find('.', 6);
  std::string name = path.size() > 6 ? path.substr(6, name_end == std::string::npos ? std::string::npos : name_end - 6) : "";
  if (std::find(readable_steps_->begin(), readable_steps_->end(), name) == readable_steps_->end()) {
    std::string message = "reads steps." + name + ", which is not an earlier step";
    if (!readable_steps_->empty()) {
      std::vector<std::string_view> names(readable_steps_->begin(), readable_steps_->end());
      message += " (readable here: " + join_list(names, ", ") + ")";
    }
    problem(where, message);
    return false;
  }
  std::string rest = name_end == std::string::npos ? "" : path.substr(name_end + 1);
  const std::string headers = "response_headers.";
  bool header = rest.compare(0, headers.size(), headers) == 0 && rest.size() > headers.size();
  if (!header && rest != "response" && rest.compare(0, 9, "response.") != 0) {
    problem(where, "reads " + path + "; a step's answer is steps." + name + ".response.<path> or steps." + name +
                       ".response_headers.<header>");
    return false;
  }
  if (header && std::any_of(rest.begin(), rest.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    problem(where, "reads " + path + "; header names are lower case there");
    return false;
  }
  return true;
}

std::optional<Template> DefinitionReader::template_member(const json& object,
                                                          const std::string& where,
                                                          std::string_view key) {
  const json* value = member(object, key);
  if (!value) return std::nullopt;
  return template_value(*value, pointer_append(where, key));
}

TemplateMap DefinitionReader::template_map(const json& value, const std::string& where,
                                           Names names) {
  TemplateMap out;
  if (!expect_object(value, where)) return out;
  for (const auto& item : value.items()) {
    const std::string& name = item.key();
    std::string at = pointer_append(where, name);
    if (name.empty()) {
      problem(at, "name must not be empty");
      continue;
    }
    if (names == Names::HeaderToken && !is_token(name)) {
      // RFC 9110 §5.1: a field name is a token.
      problem(at, "header name " + in_quotes(name) +
                      " is not a valid token (RFC 9110 §5.1): use letters, digits and !#$%&'*+-.^_`|~");
      continue;
    }
    if (names == Names::HeaderToken && item.value().is_string()) {
      // Raw CR/LF/NUL in a header value would split or truncate the request.
      const std::string& text = item.value().get_ref<const std::string&>();
      if (text.find_first_of(std::string("\r\n\0", 3)) != std::string::npos) {
        problem(at, "header value must not contain CR, LF or NUL characters");
        continue;
      }
    }
    if (std::optional<Template> t = template_value(item.value(), at))
      out.emplace_back(name, std::move(*t));
  }
  return out;
}

std::optional<JsonTemplate> DefinitionReader::json_template(const json& value,
                                                            const std::string& where) {
  Result<JsonTemplate> parsed = JsonTemplate::parse(value, where);
  if (!parsed.ok()) {
    append(problems_, parsed.errors);
    return std::nullopt;
  }
  bool ok = true;
  for (const auto& [pointer, item] : parsed.value->templates()) ok = known_paths(item, item.where()) && ok;
  if (!ok) return std::nullopt;
  return std::move(*parsed.value);
}

std::shared_ptr<const Pattern> DefinitionReader::pattern(std::string_view source,
                                                         std::string_view flags,
                                                         const std::string& where) {
  Result<std::shared_ptr<const Pattern>> compiled = Pattern::compile(source, flags, where);
  if (!compiled.ok()) {
    append(problems_, compiled.errors);
    return nullptr;
  }
  return *compiled.value;
}

std::string type_name(const json& value) {
  switch (value.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return "a number";
    default: return "an unsupported value";
  }
}

std::string in_quotes(std::string_view text, size_t limit) {
  bool elided = text.size() > limit;
  std::string out = json(std::string(text.substr(0, limit)))
                        .dump(-1, ' ', false, json::error_handler_t::replace);
  if (elided) out.insert(out.size() - 1, "...");
  return out;
}

bool is_token(std::string_view text) {
  if (text.empty()) return false;
  for (unsigned char c : text) {
    bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(char(c)) == std::string_view::npos)
      return false;
  }
  return true;
}

namespace {

// Edit distance counting a swap of neighbours as one edit ("tset" -> "test"),
// the optimal-string-alignment variant of Damerau-Levenshtein. Inputs are
// short keys.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::string closest(std::string_view word, const KeyList& candidates) {
  constexpr size_t kLongestKey = 64;  // longer input is not a typo of a key
  if (word.empty() || word.size() > kLongestKey) return "";
  std::string best;
  size_t best_distance = 0;
  for (std::string_view candidate : candidates) {
    size_t d = edit_distance(word, candidate);
    // Close enough: at most 2 edits, and fewer than half the characters.
    if (d > 2 || d * 2 >= std::max(word.size(), candidate.size())) continue;
    if (best.empty() || d < best_distance) {
      best = std::string(candidate);
      best_distance = d;
    }
  }
  return best;
}

std::string in_quotes_list(const KeyList& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += (i + 1 == items.size()) ? " or " : ", ";
    out += in_quotes(items[i]);
  }
  return out;
}

std::string join_list(const KeyList& items, std::string_view last_separator) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += (i + 1 == items.size()) ? std::string(last_separator) : std::string(", ");
    out += items[i];
  }
  return out;
}

size_t json_depth(const json& value) {
  size_t deepest = 0;
  std::vector<std::pair<const json*, size_t>> pending{{&value, 1}};
  while (!pending.empty()) {
    auto [node, depth] = pending.back();
    pending.pop_back();
    deepest = std::max(deepest, depth);
    if (node->is_structured())
      for (const json& child : *node) pending.emplace_back(&child, depth + 1);
  }
  return deepest;
}

}  // namespace connauth
