// libFuzzer target: any text, parsed as a template (SPEC §2.1) and rendered
// against a fixed scope, must give a value or problems, never a crash,
// exception or sanitizer report. Connector definitions are admin input and
// reach the edge, so the parser sees hostile strings.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "template.h"

namespace {

const nlohmann::json& fixed_scope() {
  static const nlohmann::json scope = nlohmann::json::parse(R"({
    "connection": {"subdomain": "acme", "user": "ann", "pass": "p:w", "empty": "", "none": null,
                   "n": 42, "f": 0.5, "b": true, "list": ["a", {"id": 1}], "obj": {"k": "v"},
                   "0": "zero", "unicode": "Zürich ✓"},
    "client_id": "cid", "client_secret": "cs", "scopes": "read write",
    "access_token": "tok", "refresh_token": "rt",
    "response": {"items": [{"id": 7}], "nested": {"a": {"b": {"c": "deep"}}}}
  })");
  return scope;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view source(reinterpret_cast<const char*>(data), size);
  auto parsed = connauth::Template::parse(source, "/fuzz");
  if (!parsed.ok()) {
    // A failed parse always says why.
    if (parsed.errors.empty()) __builtin_trap();
    return 0;
  }
  const connauth::Template& t = *parsed.value;
  (void)t.paths();
  auto rendered = t.render(fixed_scope());
  if (!rendered.ok() && rendered.errors.empty()) __builtin_trap();
  // Text without expressions renders to itself.
  if (t.is_literal() && rendered.ok() && *rendered.value != source) __builtin_trap();

  // The same text as a string inside a JSON value (payloads, merge maps).
  nlohmann::json value = {{"a", std::string(source)}, {"b", {1, std::string(source)}}};
  auto json_template = connauth::JsonTemplate::parse(value, "/fuzz/json");
  if (json_template.ok()) (void)json_template.value->render(fixed_scope());
  return 0;
}
