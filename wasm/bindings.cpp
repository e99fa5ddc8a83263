// The only file that knows about Emscripten (STYLE.md: manifold, zxing-cpp).
// Every call takes and returns JSON text in the Result envelope of
// core/json_io.h; wasm/connauth.mjs turns it into the JS API. No C++
// exception may reach JS (it would arrive as a bare number, TOOLCHAIN.md):
// `guarded` turns any that escapes the core into an error value.
#include <emscripten/bind.h>

#include <cstdint>
#include <memory>
#include <string>

#include "connector.h"
#include "consent_flow.h"
#include "engine.h"
#include "flow_api.h"
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

// JS numbers are doubles; the core counts whole epoch seconds.
int64_t seconds(double now) { return static_cast<int64_t>(now); }

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

  // ---- flows (core/flow_api.h); `now` is epoch seconds from the host ----

  std::string authorize_begin(const std::string& context, const std::string& random_hex, double now) const {
    return with_context(context, [&](const json& ctx) {
      return connauth::authorize_begin(*connector_, ctx, random_hex, seconds(now));
    });
  }
  std::string authorize_callback(const std::string& context, const std::string& pending,
                                 const std::string& params, double now) const {
    return with_context(context, [&](const json& ctx) {
      return with_json(pending, "/pending", [&](const json& pen) {
        return with_json(params, "/params", [&](const json& par) {
          return connauth::authorize_callback(*connector_, ctx, pen, par, seconds(now));
        });
      });
    });
  }
  std::string authorize_finish(const std::string& context, const std::string& response, double now) const {
    return with_response(context, response, [&](const json& ctx, const json& res) {
      return connauth::authorize_finish(*connector_, ctx, res, seconds(now));
    });
  }
  std::string refresh_begin(const std::string& context, double now) const {
    return with_context(context, [&](const json& ctx) { return connauth::refresh_begin(*connector_, ctx, seconds(now)); });
  }
  std::string refresh_finish(const std::string& context, const std::string& response, double now) const {
    return with_response(context, response, [&](const json& ctx, const json& res) {
      return connauth::refresh_finish(*connector_, ctx, res, seconds(now));
    });
  }
  std::string connect_begin(const std::string& context, double now) const {
    return with_context(context, [&](const json& ctx) { return connauth::connect_begin(*connector_, ctx, seconds(now)); });
  }
  std::string connect_finish(const std::string& context, const std::string& response, double now) const {
    return with_response(context, response, [&](const json& ctx, const json& res) {
      return connauth::connect_finish(*connector_, ctx, res, seconds(now));
    });
  }
  std::string test_begin(const std::string& context) const {
    return with_context(context, [&](const json& ctx) { return connauth::test_begin(*connector_, ctx); });
  }
  std::string test_finish(const std::string& context, const std::string& response, bool refreshed) const {
    return with_response(context, response, [&](const json& ctx, const json& res) {
      return connauth::test_finish(*connector_, ctx, res, refreshed);
    });
  }

 private:
  template <class F>
  static std::string with_context(const std::string& context, F&& f) {
    return guarded([&] { return with_json(context, "/context", f); });
  }
  template <class F>
  static std::string with_response(const std::string& context, const std::string& response, F&& f) {
    return guarded([&] {
      return with_json(context, "/context", [&](const json& ctx) {
        return with_json(response, "/response", [&](const json& res) { return f(ctx, res); });
      });
    });
  }

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

// ---- connection-level flow functions (no connector needed) ----

std::string refresh_needed(const std::string& context, double now) {
  return guarded([&] {
    return with_json(context, "/context", [&](const json& ctx) { return connauth::refresh_needed(ctx, seconds(now)); });
  });
}
std::string request_next_step(const std::string& classification, bool refreshed) {
  return guarded([&] { return connauth::request_next_step(classification, refreshed); });
}
std::string state_success(const std::string& state, double now, const std::string& version) {
  return guarded([&] {
    return with_json(state, "/state", [&](const json& st) {
      return with_json(version, "/version", [&](const json& v) { return connauth::state_success(st, seconds(now), v); });
    });
  });
}
std::string state_failure(const std::string& state, const std::string& cause, const std::string& detail,
                          double now, double random_fraction, const std::string& settings) {
  return guarded([&] {
    return with_json(state, "/state", [&](const json& st) {
      return with_json(settings, "/settings", [&](const json& set) {
        return connauth::state_failure(st, cause, detail, seconds(now), random_fraction, set);
      });
    });
  });
}
std::string state_disconnect(const std::string& state, double now, const std::string& detail) {
  return guarded([&] {
    return with_json(state, "/state", [&](const json& st) { return connauth::state_disconnect(st, seconds(now), detail); });
  });
}
std::string state_view(const std::string& state, bool app_enabled) {
  return guarded([&] {
    return with_json(state, "/state", [&](const json& st) { return connauth::state_view(st, app_enabled); });
  });
}

std::string validate(const std::string& definition_text) {
  return guarded([&] { return connauth::validate_connector(definition_text); });
}

}  // namespace

EMSCRIPTEN_BINDINGS(connauth) {
  emscripten::function("validate", &validate);
  emscripten::function("consentStep", &consent_step);
  emscripten::function("refreshNeeded", &refresh_needed);
  emscripten::function("requestNextStep", &request_next_step);
  emscripten::function("stateSuccess", &state_success);
  emscripten::function("stateFailure", &state_failure);
  emscripten::function("stateDisconnect", &state_disconnect);
  emscripten::function("stateView", &state_view);
  emscripten::class_<CompiledConnector>("CompiledConnector")
      .constructor<const std::string&>()
      .function("ok", &CompiledConnector::ok)
      .function("problems", &CompiledConnector::problems)
      .function("describe", &CompiledConnector::describe)
      .function("apply", &CompiledConnector::apply)
      .function("classify", &CompiledConnector::classify)
      .function("authorizeBegin", &CompiledConnector::authorize_begin)
      .function("authorizeCallback", &CompiledConnector::authorize_callback)
      .function("authorizeFinish", &CompiledConnector::authorize_finish)
      .function("refreshBegin", &CompiledConnector::refresh_begin)
      .function("refreshFinish", &CompiledConnector::refresh_finish)
      .function("connectBegin", &CompiledConnector::connect_begin)
      .function("connectFinish", &CompiledConnector::connect_finish)
      .function("testBegin", &CompiledConnector::test_begin)
      .function("testFinish", &CompiledConnector::test_finish);
}
