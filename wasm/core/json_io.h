// How core values cross into JSON for the hosts (via wasm/bindings.cpp) and
// back. Every host-facing operation answers a Result envelope (STYLE.md,
// workers-oauth-provider): {"ok":true,"value":...} or
// {"ok":false,"errors":[{"path","message"}]}.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "http.h"
#include "result.h"

namespace connauth {

// Nesting limit for every untrusted JSON document (host arguments, response
// and request bodies). Copying and serialising a json value recurse, and the
// WebAssembly stack is small: a hostile `[[[[...` must be refused, not crash
// the module.
constexpr size_t kMaxJsonDepth = 128;

// Nesting depth of JSON text, by a linear scan that skips strings (no parse).
size_t json_text_depth(std::string_view text);

// The first syntax error of a JSON text: byte position and nlohmann's message.
struct JsonSyntaxError {
  size_t position = 0;
  std::string message;
};

// nlohmann's own DOM builder, the one Json::parse(..., nullptr, false) uses,
// which also keeps the first error. Every parse in the module goes through
// Json::sax_parse with this one type: Json::parse would instantiate the
// parser for its callback DOM builder as well, and the error report for
// parse_json_text used to parse a second time with a third SAX type. Two
// instantiations of the parser (one per Json type) instead of five made the
// module 20 KB smaller (issue 6); values, errors and messages are unchanged.
template <class Json>
class JsonDomBuilder : public nlohmann::detail::json_sax_dom_parser<Json> {
  using Base = nlohmann::detail::json_sax_dom_parser<Json>;

 public:
  JsonDomBuilder(Json& result, JsonSyntaxError* error) : Base(result, false), error_(error) {}

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

// Json::parse(text, nullptr, false) through JsonDomBuilder: the value, or a
// discarded one (is_discarded()) when the text is not JSON, and then `error`
// (if given) says where and why. No depth limit: see parse_json_body.
template <class Json>
Json parse_json_value(std::string_view text, JsonSyntaxError* error) {
  Json result;
  JsonDomBuilder<Json> builder(result, error);
  if (!Json::sax_parse(text.data(), text.data() + text.size(), &builder))
    return Json(Json::value_t::discarded);
  return result;
}

// Parses an untrusted body; discarded (is_discarded()) when it is not JSON
// or nests deeper than kMaxJsonDepth. Json = nlohmann::json or ordered_json.
template <class Json = nlohmann::json>
Json parse_json_body(std::string_view text) {
  if (json_text_depth(text) > kMaxJsonDepth) return Json(Json::value_t::discarded);
  return parse_json_value<Json>(text, nullptr);
}

nlohmann::json ok_envelope(nlohmann::json value);
nlohmann::json error_envelope(const Problems& problems);
nlohmann::json error_envelope(const std::string& path, const std::string& message);

// Parses JSON text. Invalid text yields one problem at `where` giving the
// byte position and the parser's reason, never echoing the input (it may
// hold a secret).
Result<nlohmann::json> parse_json_text(std::string_view text, const std::string& where);

// {"method","url","headers":{name: value} | [[name, value], ...],"body"}.
// A missing method means GET; body may be absent.
Result<HttpRequest> request_from_json(const nlohmann::json& j, const std::string& where);
nlohmann::json request_to_json(const HttpRequest& request);

// {"status", "headers", "body"}.
Result<HttpResponse> response_from_json(const nlohmann::json& j, const std::string& where);

// Serialises for a host. Invalid UTF-8 from an upstream body is replaced,
// never thrown on (nlohmann's dump() throws by default).
std::string to_text(const nlohmann::json& j);

}  // namespace connauth
