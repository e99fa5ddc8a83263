// How core values cross into JSON for the hosts (via wasm/bindings.cpp) and
// back. Every host-facing operation answers a Result envelope:
// {"ok":true,"value":...} or, in the one failure
// shape, {"ok":false,"error":{"code","message","cause"?,"action"?,"detail"?,
// "problems"?}}. Input the engine cannot use is code "invalid_input" with its
// problems [{"path","message"}] (JSON pointers into the arguments), which
// also stand in "errors" beside "error".
#pragma once

#include "json.h"

#include <string>
#include <string_view>
#include <vector>

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

// Every parse in the module goes through parse_json_value (json_io.cpp
// says how it keeps the parser to one instantiation), except the bodies
// written back in their members' order (json_order.h).
//
// json::parse(text, nullptr, false): the value, or a discarded one
// (is_discarded()) when the text is not JSON, and then `error` (if given)
// says where and why. No depth limit: see parse_json_body.
nlohmann::json parse_json_value(std::string_view text, JsonSyntaxError* error);

// Parses an untrusted body; discarded (is_discarded()) when it is not JSON
// or nests deeper than kMaxJsonDepth.
nlohmann::json parse_json_body(std::string_view text);

nlohmann::json ok_envelope(nlohmann::json value);
nlohmann::json error_envelope(const Problems& problems);
nlohmann::json error_envelope(std::string_view path, std::string_view message);

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
