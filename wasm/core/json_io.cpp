#include "json_io.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "json_object.h"

namespace connauth {

using nlohmann::json;

json ok_envelope(json value) { return json_object("ok", true, "value", std::move(value)); }

json error_envelope(const Problems& problems) {
  json errors = json::array();
  for (const auto& p : problems) errors.push_back(json_object("path", p.path, "message", p.message));
  // The one failure shape (json_io.h); `errors` repeats the problems for callers that read them there.
  std::string message = problems.empty() ? "the input is not valid"
                                         : (problems.front().path.empty() ? "" : problems.front().path + ": ") +
                                               problems.front().message;
  json error = json_object("code", "invalid_input", "message", std::move(message), "problems", errors);
  return json_object("ok", false, "error", std::move(error), "errors", std::move(errors));
}

json error_envelope(std::string_view path, std::string_view message) {
  return error_envelope(one_problem(path, message));
}

namespace {

// nlohmann's message is "[json.exception.parse_error.101] parse error at
// line L, column C: <reason>; last read: '<input>'; expected <token>".
// The input excerpt may hold part of a secret: drop it, keep the rest.
std::string without_input(std::string message) {
  size_t start = message.find("] ");
  if (start != std::string::npos) message.erase(0, start + 2);
  size_t excerpt = message.find("; last read: '");
  if (excerpt == std::string::npos) return message;
  std::string tail;
  size_t expected = message.rfind("; expected ");
  static const std::vector<std::string> kTokenNames = {
      "true literal", "false literal", "null literal", "string literal", "number literal",
      "'['", "'{'", "']'", "'}'", "':'", "','", "end of input", "'[', '{', or a literal"};
  if (expected != std::string::npos && expected > excerpt) {
    std::string name = message.substr(expected + 11);
    if (std::find(kTokenNames.begin(), kTokenNames.end(), name) != kTokenNames.end())
      tail = "; expected " + name;
  }
  return message.substr(0, excerpt) + tail;
}

}  // namespace

size_t json_text_depth(std::string_view text) {
  size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

namespace {

// nlohmann's own DOM builder, the one json::parse(..., nullptr, false) uses,
// which also keeps the first error (json_io.h). Every parse of a
// nlohmann::json goes through json::sax_parse with this one type, so the
// parser is compiled once for it: json::parse would compile it for its
// callback DOM builder as well, and a SAX type of its own for error reports
// would be a third copy (each is several KB of WebAssembly).
class JsonDomBuilder : public nlohmann::detail::json_sax_dom_parser<json> {
  using Base = nlohmann::detail::json_sax_dom_parser<json>;

 public:
  JsonDomBuilder(json& result, JsonSyntaxError* error) : Base(result, false), error_(error) {}

  template <class Exception>
  bool parse_error(std::size_t position, const std::string& last_token, const Exception& ex) {
    if (error_) {
      error_->position = position;
      error_->message = ex.what();
    }
    return Base::parse_error(position, last_token, ex);  // false: stop, no throw
  }

 private:
  JsonSyntaxError* error_;
};

}  // namespace

json parse_json_value(std::string_view text, JsonSyntaxError* error) {
  json result;
  JsonDomBuilder builder(result, error);
  if (!json::sax_parse(text.data(), text.data() + text.size(), &builder)) return json(json::value_t::discarded);
  return result;
}

json parse_json_body(std::string_view text) {
  if (json_text_depth(text) > kMaxJsonDepth) return json(json::value_t::discarded);
  return parse_json_value(text, nullptr);
}

Result<json> parse_json_text(std::string_view text, const std::string& where) {
  if (json_text_depth(text) > kMaxJsonDepth)
    return Result<json>::failure(where, "nests deeper than " + std::to_string(kMaxJsonDepth) +
                                            " levels; flatten it");
  JsonSyntaxError error;
  json parsed = parse_json_value(text, &error);
  if (!parsed.is_discarded()) return Result<json>::success(std::move(parsed));
  std::string reason = without_input(error.message);
  if (reason.empty()) reason = "not valid JSON";
  return Result<json>::failure(where, "invalid JSON at byte " + std::to_string(error.position) +
                                          ": " + reason);
}

namespace {

bool is_token_char(char c) {
  // RFC 9110 §5.6.2 tchar.
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_token_char(c)) return false;
  return true;
}

bool is_field_value(const std::string& s) {
  // RFC 9110 §5.5: no CR, LF or NUL (header injection).
  return s.find_first_of(std::string("\r\n\0", 3)) == std::string::npos;
}

Result<Headers> headers_from_json(const json& j, const std::string& where) {
  Headers headers;
  Problems problems;
  auto add = [&](const std::string& name, const json& value, const std::string& at) {
    if (!is_token(name)) {
      add_problem(problems, at, "header name \"" + name + "\" is not a valid HTTP token");
    } else if (!value.is_string()) {
      add_problem(problems, at, "header value must be a string");
    } else if (!is_field_value(value.get_ref<const std::string&>())) {
      add_problem(problems, at, "header value must not contain CR, LF or NUL");
    } else {
      headers.add(name, value.get<std::string>());
    }
  };
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it)
      add(it.key(), it.value(), pointer_append(where, it.key()));
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) {
      const json& e = j[i];
      if (!e.is_array() || e.size() != 2 || !e[0].is_string())
        add_problem(problems, pointer_append(where, i), "must be a [name, value] pair of strings");
      else
        add(e[0].get<std::string>(), e[1], pointer_append(where, i));
    }
  } else if (!j.is_null()) {
    add_problem(problems, where, "must be an object of header names to values");
  }
  if (!problems.empty()) return Result<Headers>::failure(std::move(problems));
  return Result<Headers>::success(std::move(headers));
}

json headers_to_json(const Headers& headers) {
  // An object is what callers expect; repeated names (rare on requests) are
  // joined per RFC 9110 §5.3.
  json out = json::object();
  for (const auto& [name, value] : headers.entries()) {
    // Names compare case-insensitively (RFC 9110 §5.1): the first spelling wins.
    auto same = out.end();
    for (auto it = out.begin(); it != out.end() && same == out.end(); ++it)
      if (iequals(it.key(), name)) same = it;
    if (same == out.end()) out[name] = value;
    else *same = same->get<std::string>() + ", " + value;
  }
  return out;
}

}  // namespace

Result<HttpRequest> request_from_json(const json& j, const std::string& where) {
  if (!j.is_object()) return Result<HttpRequest>::failure(where, "must be an object {method, url, headers, body}");
  HttpRequest request;
  Problems problems;
  if (auto it = j.find("method"); it == j.end() || it->is_null()) {
    request.method = "GET";
  } else if (!it->is_string() || !is_token(it->get<std::string>())) {
    add_problem(problems, pointer_append(where, "method"), "must be an HTTP method such as GET or POST");
  } else {
    request.method = to_upper(it->get<std::string>());
  }
  if (auto it = j.find("url"); it == j.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    add_problem(problems, pointer_append(where, "url"), "is required: the request URL (absolute, or relative to connection.base_uri)");
  } else {
    request.url = it->get<std::string>();
  }
  if (auto it = j.find("headers"); it != j.end()) {
    auto headers = headers_from_json(*it, pointer_append(where, "headers"));
    if (headers.ok()) request.headers = std::move(*headers.value);
    else append(problems, headers.errors);
  }
  if (auto it = j.find("body"); it != j.end() && !it->is_null()) {
    if (it->is_string()) request.body = it->get<std::string>();
    else add_problem(problems, pointer_append(where, "body"), "must be a string (serialise JSON bodies first)");
  }
  if (!problems.empty()) return Result<HttpRequest>::failure(std::move(problems));
  return Result<HttpRequest>::success(std::move(request));
}

json request_to_json(const HttpRequest& request) {
  json out = json_object("method", request.method,
                         "url", request.url,
                         "headers", headers_to_json(request.headers),
                         "body", request.body);
  if (request.jwts.empty()) return out;
  // The host signs each before sending (jwt.h, wasm/jwt_sign.mjs).
  json jwts = json::array();
  for (const JwtToSign& jwt : request.jwts)
    jwts.push_back(json_object("signing_input", jwt.signing_input, "alg", jwt.alg, "key", jwt.key,
                               "key_source", jwt.key_source));
  out["jwts"] = std::move(jwts);
  return out;
}

Result<HttpResponse> response_from_json(const json& j, const std::string& where) {
  if (!j.is_object()) return Result<HttpResponse>::failure(where, "must be an object {status, headers, body}");
  HttpResponse response;
  Problems problems;
  auto status = j.find("status");
  if (status == j.end() || !status->is_number_integer() || status->get<long long>() < 100 ||
      status->get<long long>() > 599) {
    add_problem(problems, pointer_append(where, "status"), "must be an HTTP status code from 100 to 599");
  } else {
    response.status = status->get<int>();
  }
  if (auto it = j.find("headers"); it != j.end()) {
    auto headers = headers_from_json(*it, pointer_append(where, "headers"));
    if (headers.ok()) response.headers = std::move(*headers.value);
    else append(problems, headers.errors);
  }
  if (auto it = j.find("body"); it != j.end() && !it->is_null()) {
    if (it->is_string()) response.body = it->get<std::string>();
    else add_problem(problems, pointer_append(where, "body"), "must be a string");
  }
  if (!problems.empty()) return Result<HttpResponse>::failure(std::move(problems));
  return Result<HttpResponse>::success(std::move(response));
}

std::string to_text(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace connauth
