// The only file that knows about Emscripten (STYLE.md: manifold, zxing-cpp).
// Every call takes and returns JSON text in the Result envelope of
// core/json_io.h; wasm/connauth.mjs turns it into the JS API. No C++
// exception may reach JS (it would arrive as a bare number, TOOLCHAIN.md):
// `guarded` turns any that escapes the core into an error value.
#include <emscripten/bind.h>

#include <memory>
#include <string>

#include "connector.h"
#include "consent_flow.h"
#include "engine.h"
#include "json_io.h"

namespace {

using connauth::error_envelope;
using connauth::to_text;
using nlohmann::json;

template <class F>
std::string guarded(F&& f) {
  try {
    return to_text(f());
  } catch (const std::bad_alloc&) {
    return to_text(error_envelope("", "out of memory: the input is too large"));
  } catch (const std::exception& e) {
    return to_text(error_envelope("", std::string("internal error: ") + e.what()));
  } catch (...) {
    return to_text(error_envelope("", "internal error"));
  }
}

// Parses a JSON argument; on failure `f` is not called.
template <class F>
json with_json(const std::string& text, const char* where, F&& f) {
  auto parsed = connauth::parse_json_text(text, where);
  if (!parsed.ok()) return error_envelope(parsed.errors);
  return f(*parsed.value);
}

// A parsed, validated connector kept inside the module so that the request
// path does not re-parse the definition (the JS wrapper caches these and
// frees them; callers never see a handle).
class CompiledConnector {
 public:
  explicit CompiledConnector(const std::string& definition_text) {
    try {
      auto parsed = connauth::parse_connector(definition_text);
      if (parsed.ok()) connector_ = std::make_unique<connauth::Connector>(std::move(*parsed.value));
      else problems_ = std::move(parsed.errors);
    } catch (...) {
      problems_ = {{"", "internal error while parsing the connector"}};
    }
  }

  bool ok() const { return connector_ != nullptr; }
  std::string problems() const { return to_text(error_envelope(problems_)); }

  std::string describe() const {
    return guarded([&] { return connauth::ok_envelope(connauth::describe_connector(*connector_)); });
  }

  std::string apply(const std::string& context, const std::string& request) const {
    return guarded([&] {
      return with_json(context, "/context", [&](const json& ctx) {
        return with_json(request, "/request", [&](const json& req) {
          return connauth::apply_to_request(*connector_, ctx, req);
        });
      });
    });
  }

  std::string classify(const std::string& context, const std::string& response) const {
    return guarded([&] {
      return with_json(context, "/context", [&](const json& ctx) {
        return with_json(response, "/response", [&](const json& res) {
          return connauth::classify_response(*connector_, ctx, res);
        });
      });
    });
  }

 private:
  std::unique_ptr<connauth::Connector> connector_;
  connauth::Problems problems_;
};

std::string consent_step(const std::string& state, const std::string& event) {
  return guarded([&] {
    return with_json(state, "/state", [&](const json& st) {
      return with_json(event, "/event", [&](const json& ev) { return connauth::consent_step(st, ev); });
    });
  });
}

std::string validate(const std::string& definition_text) {
  return guarded([&] { return connauth::validate_connector(definition_text); });
}

}  // namespace

EMSCRIPTEN_BINDINGS(connauth) {
  emscripten::function("validate", &validate);
  emscripten::function("consentStep", &consent_step);
  emscripten::class_<CompiledConnector>("CompiledConnector")
      .constructor<const std::string&>()
      .function("ok", &CompiledConnector::ok)
      .function("problems", &CompiledConnector::problems)
      .function("describe", &CompiledConnector::describe)
      .function("apply", &CompiledConnector::apply)
      .function("classify", &CompiledConnector::classify);
}
