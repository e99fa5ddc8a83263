// The only file that knows about Emscripten: the core stays plain C++.
// Every call takes and returns JSON text in the Result envelope of
// core/json_io.h; wasm/connauth.mjs turns it into the JS API. No C++
// exception may reach JS (it would arrive as a bare number):
// `guarded` turns any that escapes the core into an error value.
#include <emscripten/bind.h>
#include <emscripten/em_macros.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "answer_text.h"
#include "bound_connection.h"
#include "connection_loop.h"
#include "connector.h"
#include "connector_facts.h"
#include "consent_flow.h"
#include "engine.h"
#include "flow_api.h"
#include "json_io.h"

namespace {

using connauth::error_envelope;
using connauth::to_text;
using nlohmann::json;

// A JSON argument of a binding: its text and the pointer its problems name.
struct JsonArg {
  const std::string& text;
  const char* where;
};
using GuardedBody = json (*)(const void* f, const json* args);

// Parses `args` in order — the first that is not JSON answers its problems
// and nothing else runs — then answers body(f, parsed), as text. No
// exception leaves it. Out of line, once for every binding: as templates
// (`guarded` and `with_json`), each binding had its own copy of the parsing
// and of the handlers.
[[gnu::noinline]] std::string guarded_call(std::initializer_list<JsonArg> args, GuardedBody body, const void* f) {
  try {
    std::vector<json> parsed;
    parsed.reserve(args.size());
    for (const JsonArg& arg : args) {
      auto result = connauth::parse_json_text(arg.text, arg.where);
      if (!result.ok()) return to_text(error_envelope(result.errors));
      parsed.push_back(std::move(*result.value));
    }
    return to_text(body(f, parsed.data()));
  } catch (const std::bad_alloc&) {
    return to_text(error_envelope("", "out of memory: the input is too large"));
  } catch (const std::exception& e) {
    return to_text(error_envelope("", std::string("internal error: ") + e.what()));
  } catch (...) {
    return to_text(error_envelope("", "internal error"));
  }
}

// guarded_call with `f(args)` as the body: only this thunk is per binding.
template <class F>
std::string guarded(std::initializer_list<JsonArg> args, const F& f) {
  return guarded_call(args, [](const void* p, const json* a) -> json { return (*static_cast<const F*>(p))(a); }, &f);
}

// JS numbers are doubles; the core counts whole epoch seconds.
int64_t seconds(double now) { return static_cast<int64_t>(now); }

// A parsed, validated connector kept inside the module so that the request
// path does not re-parse the definition (the JS wrapper caches these and
// frees them; callers never see a handle).
class CompiledConnector {
 public:
  explicit CompiledConnector(const std::string& definition_text) {
    try {
      auto parsed = connauth::parse_connector(definition_text);
      if (parsed.ok()) connector_ = std::make_shared<const connauth::Connector>(std::move(*parsed.value));
      else problems_ = std::move(parsed.errors);
    } catch (...) {
      problems_ = {{"", "internal error while parsing the connector"}};
    }
  }

  bool ok() const { return connector_ != nullptr; }
  std::string problems() const { return to_text(error_envelope(problems_)); }
  // Shared with the connections bound to it, which outlive an eviction.
  const std::shared_ptr<const connauth::Connector>& connector() const { return connector_; }

  std::string describe() const {
    return guarded({}, [&](const json*) { return connauth::ok_envelope(connauth::describe_connector(*connector_)); });
  }

  std::string apply(const std::string& context, const std::string& request) const {
    return guarded({{context, "/context"}, {request, "/request"}},
                   [&](const json* a) { return connauth::apply_to_request(*connector_, a[0], a[1]); });
  }

  std::string classify(const std::string& context, const std::string& response) const {
    return guarded({{context, "/context"}, {response, "/response"}},
                   [&](const json* a) { return connauth::classify_response(*connector_, a[0], a[1]); });
  }

  // ---- what the connector means (core/connector_facts.h) ----

  std::string connect_form(const std::string& context) const {
    return guarded({{context, "/context"}}, [&](const json* a) { return connauth::connect_form_json(*connector_, a[0]); });
  }
  std::string egress(const std::string& context) const {
    return guarded({{context, "/context"}}, [&](const json* a) { return connauth::egress_json(*connector_, a[0]); });
  }
  std::string identity(const std::string& context) const {
    return guarded({{context, "/context"}},
                   [&](const json* a) { return connauth::connection_identity(*connector_, a[0]); });
  }

  // ---- flows (core/flow_api.h); `now` is epoch seconds from the host ----

  std::string authorize_begin(const std::string& context, const std::string& random_hex, double now) const {
    return guarded({{context, "/context"}}, [&](const json* a) {
      return connauth::authorize_begin(*connector_, a[0], random_hex, seconds(now));
    });
  }
  std::string authorize_callback(const std::string& context, const std::string& pending,
                                 const std::string& params, double now) const {
    return guarded({{context, "/context"}, {pending, "/pending"}, {params, "/params"}}, [&](const json* a) {
      return connauth::authorize_callback(*connector_, a[0], a[1], a[2], seconds(now));
    });
  }
  std::string authorize_finish(const std::string& context, const std::string& response, double now) const {
    return guarded({{context, "/context"}, {response, "/response"}},
                   [&](const json* a) { return connauth::authorize_finish(*connector_, a[0], a[1], seconds(now)); });
  }
  std::string refresh_begin(const std::string& context, double now) const {
    return guarded({{context, "/context"}},
                   [&](const json* a) { return connauth::refresh_begin(*connector_, a[0], seconds(now)); });
  }
  std::string refresh_finish(const std::string& context, const std::string& response, double now) const {
    return guarded({{context, "/context"}, {response, "/response"}},
                   [&](const json* a) { return connauth::refresh_finish(*connector_, a[0], a[1], seconds(now)); });
  }
  std::string connect_begin(const std::string& context, double now) const {
    return guarded({{context, "/context"}},
                   [&](const json* a) { return connauth::connect_begin(*connector_, a[0], seconds(now)); });
  }
  std::string connect_finish(const std::string& context, const std::string& response, double now) const {
    return guarded({{context, "/context"}, {response, "/response"}},
                   [&](const json* a) { return connauth::connect_finish(*connector_, a[0], a[1], seconds(now)); });
  }
  std::string test_begin(const std::string& context) const {
    return guarded({{context, "/context"}}, [&](const json* a) { return connauth::test_begin(*connector_, a[0]); });
  }
  std::string test_finish(const std::string& context, const std::string& response, bool refreshed) const {
    return guarded({{context, "/context"}, {response, "/response"}},
                   [&](const json* a) { return connauth::test_finish(*connector_, a[0], a[1], refreshed); });
  }
  std::string revoke_begin(const std::string& context) const {
    return guarded({{context, "/context"}}, [&](const json* a) { return connauth::revoke_begin(*connector_, a[0]); });
  }
  std::string connection_step(const std::string& context, const std::string& state, const std::string& event,
                              double now) const {
    return guarded({{context, "/context"}, {state, "/state"}, {event, "/event"}}, [&](const json* a) {
      return connauth::connection_step(connector_.get(), a[0], a[1], a[2], seconds(now));
    });
  }

 private:
  std::shared_ptr<const connauth::Connector> connector_;
  connauth::Problems problems_;
};

// One connection's context bound to a compiled connector
// (core/bound_connection.h): the edge's per-request calls. It keeps its
// connector alive, so the wrapper may evict the connector while the
// connection is still in use; the wrapper's caller deletes it.
//
// Nothing crosses Embind on the request path: apply and classify are plain
// exports (below), and Embind would also encode and decode every byte of a
// std::string in JavaScript (and copy a 1 MiB body byte by byte).
// The wrapper writes the request or response into an input buffer in wasm
// memory (with a loop, TextEncoder or a typed-array copy) — the one from
// `small_input` when it fits in kInputBytes, else one from `input(bytes)`,
// which lasts until the next call — calls with its address and the byte
// counts, and reads the answer (core/answer_text.h) at the returned address,
// its length at `answer_length_at`.
class BoundHandle {
 public:
  static constexpr size_t kInputBytes = 4096;

  BoundHandle(const CompiledConnector& compiled, const std::string& context)
      : connector_(compiled.connector()), small_(new char[kInputBytes]) {
    if (!connector_) {
      problems_ = {{"", "the connector is not valid"}};
      return;
    }
    try {
      auto parsed = connauth::parse_json_text(context, "/context");
      if (!parsed.ok()) {
        problems_ = std::move(parsed.errors);
        return;
      }
      auto bound = connauth::BoundConnection::bind(*connector_, *parsed.value);
      if (bound.ok()) bound_ = std::move(*bound.value);
      else problems_ = std::move(bound.errors);
    } catch (const std::bad_alloc&) {
      problems_ = {{"", "out of memory: the input is too large"}};
    } catch (...) {
      problems_ = {{"", "internal error while binding the connection"}};
    }
  }

  bool ok() const { return bound_.has_value(); }
  std::string problems() const { return connauth::problems_text(problems_); }

  uintptr_t small_input() const { return reinterpret_cast<uintptr_t>(small_.get()); }

  // A buffer of `bytes` for one call; 0 when out of memory.
  uintptr_t input(size_t bytes) {
    large_.reset(new (std::nothrow) char[std::max<size_t>(bytes, 1)]);
    large_bytes_ = large_ ? bytes : 0;
    return reinterpret_cast<uintptr_t>(large_.get());
  }

  uintptr_t answer_length_at() const { return reinterpret_cast<uintptr_t>(&answer_length_); }

  // Where this handle lives, for the plain exports below.
  uintptr_t address() const { return reinterpret_cast<uintptr_t>(this); }

  // The input at `at` holds method, url, Content-Type (type_bytes < 0:
  // none), body and the stamp's random bytes, one after the other; `now`
  // is the stamp's clock (both read only for a stamped connection).
  uintptr_t apply(uintptr_t at, int method_bytes, int url_bytes, int type_bytes, int body_bytes, double now,
                  int random_bytes) {
    return answer([&] {
      std::string_view in =
          input_view(at, {method_bytes, url_bytes, std::max(type_bytes, 0), body_bytes, random_bytes});
      std::string_view method = in.substr(0, method_bytes);
      std::string_view url = in.substr(method_bytes, url_bytes);
      size_t next = method_bytes + url_bytes;
      std::optional<std::string_view> type;
      if (type_bytes >= 0) type = in.substr(next, type_bytes);
      next += std::max(type_bytes, 0);
      std::string_view body = in.substr(next, body_bytes);
      connauth::Stamp stamp;
      if (bound_->stamped()) stamp = {seconds(now), std::string(in.substr(next + body_bytes, random_bytes))};
      bound_->write_apply(answer_, method, url, type, body, stamp);
    });
  }

  // The input at `at` holds the body.
  uintptr_t classify(uintptr_t at, int status, int body_bytes) {
    return answer([&] {
      std::string_view body = input_view(at, {body_bytes});
      connauth::write_classification(answer_, bound_->classify(status, body));
    });
  }

  bool reads_body() const { return bound_ && bound_->reads_body(); }
  bool reads_body_for(int status) const { return bound_ && bound_->reads_body(status); }
  bool reads_request_body() const { return bound_ && bound_->reads_request_body(); }
  bool signs() const { return bound_ && bound_->signs(); }
  bool stamped() const { return bound_ && bound_->stamped(); }

 private:
  // An answer larger than this is freed at the next call: a cached
  // connection must not hold a large body's memory.
  static constexpr size_t kKeptAnswerBytes = 64 << 10;

  // The first sum(parts) bytes of the input buffer at `at`; throws when it
  // is not one of ours or the parts overrun it (never from the wrapper).
  std::string_view input_view(uintptr_t at, std::initializer_list<int> parts) const {
    size_t total = 0;
    for (int part : parts) {
      if (part < 0) throw std::out_of_range("input");
      total += static_cast<size_t>(part);
    }
    if (at == small_input() && total <= kInputBytes) return std::string_view(small_.get(), total);
    if (large_ && at == reinterpret_cast<uintptr_t>(large_.get()) && total <= large_bytes_)
      return std::string_view(large_.get(), total);
    throw std::out_of_range("input");
  }

  // Runs `f`, which writes answer_, and answers where the answer is. The
  // handlers exist once: `answer` passes its lambda through a plain function
  // pointer (as flow_api.cpp's `guarded` does, for size).
  template <class F>
  uintptr_t answer(const F& f) {
    return answer_with([](const void* p) { (*static_cast<const F*>(p))(); }, &f);
  }

  [[gnu::noinline]] uintptr_t answer_with(void (*thunk)(const void*), const void* f) {
    if (answer_.capacity() > kKeptAnswerBytes) std::string().swap(answer_);
    try {
      if (!bound_) connauth::write_problems(answer_, {{"", "this connection is not bound"}});
      else thunk(f);
    } catch (const std::bad_alloc&) {
      connauth::write_problems(answer_, {{"", "out of memory: the input is too large"}});
    } catch (const std::exception& e) {
      connauth::write_problems(answer_, {{"", std::string("internal error: ") + e.what()}});
    } catch (...) {
      connauth::write_problems(answer_, {{"", "internal error"}});
    }
    large_.reset();
    large_bytes_ = 0;
    answer_length_ = static_cast<uint32_t>(answer_.size());
    return reinterpret_cast<uintptr_t>(answer_.data());
  }

  std::shared_ptr<const connauth::Connector> connector_;
  std::optional<connauth::BoundConnection> bound_;
  connauth::Problems problems_;
  std::unique_ptr<char[]> small_;
  std::unique_ptr<char[]> large_;
  size_t large_bytes_ = 0;
  std::string answer_;
  uint32_t answer_length_ = 0;
};

// The `use` operation of the connection loop reads no connector.
std::string use_step(const std::string& state, const std::string& event) {
  return guarded({{state, "/state"}, {event, "/event"}},
                 [](const json* a) { return connauth::connection_step(nullptr, json::object(), a[0], a[1], 0); });
}

std::string consent_step(const std::string& state, const std::string& event) {
  return guarded({{state, "/state"}, {event, "/event"}},
                 [](const json* a) { return connauth::consent_step(a[0], a[1]); });
}

// ---- connection-level flow functions (no connector needed) ----

std::string refresh_needed(const std::string& context, double now) {
  return guarded({{context, "/context"}}, [&](const json* a) { return connauth::refresh_needed(a[0], seconds(now)); });
}
std::string refresh_deadline(const std::string& context) {
  return guarded({{context, "/context"}}, [&](const json* a) { return connauth::refresh_deadline(a[0]); });
}
std::string request_next_step(const std::string& classification, bool refreshed) {
  return guarded({}, [&](const json*) { return connauth::request_next_step(classification, refreshed); });
}
std::string state_success(const std::string& state, double now, const std::string& version) {
  return guarded({{state, "/state"}, {version, "/version"}},
                 [&](const json* a) { return connauth::state_success(a[0], seconds(now), a[1]); });
}
std::string state_failure(const std::string& state, const std::string& cause, const std::string& detail,
                          double now, double random_fraction, const std::string& settings) {
  return guarded({{state, "/state"}, {settings, "/settings"}}, [&](const json* a) {
    return connauth::state_failure(a[0], cause, detail, seconds(now), random_fraction, a[1]);
  });
}
std::string state_disconnect(const std::string& state, double now, const std::string& detail) {
  return guarded({{state, "/state"}},
                 [&](const json* a) { return connauth::state_disconnect(a[0], seconds(now), detail); });
}
std::string state_view(const std::string& state, bool app_enabled) {
  return guarded({{state, "/state"}}, [&](const json* a) { return connauth::state_view(a[0], app_enabled); });
}

std::string validate(const std::string& definition_text) {
  return guarded({}, [&](const json*) { return connauth::validate_connector(definition_text); });
}

}  // namespace

// The bound path's per-request calls as plain exports, called by the
// wrapper (connauth.mjs) with the handle's address(). Through Embind each
// call would pay its invoker, which -sDYNAMIC_EXECUTION=0 (workerd forbids
// eval) leaves generic: an argument array, a closure and a toWireType call
// per argument on every call. In workerd that costs more than the call's own
// work. The wrapper never calls them on a disposed handle.
extern "C" {
EMSCRIPTEN_KEEPALIVE uintptr_t connauth_bound_apply(uintptr_t handle, uintptr_t at, int method_bytes, int url_bytes,
                                                    int type_bytes, int body_bytes, double now, int random_bytes) {
  return reinterpret_cast<BoundHandle*>(handle)->apply(at, method_bytes, url_bytes, type_bytes, body_bytes, now,
                                                       random_bytes);
}
EMSCRIPTEN_KEEPALIVE uintptr_t connauth_bound_classify(uintptr_t handle, uintptr_t at, int status, int body_bytes) {
  return reinterpret_cast<BoundHandle*>(handle)->classify(at, status, body_bytes);
}
}

EMSCRIPTEN_BINDINGS(connauth) {
  emscripten::function("validate", &validate);
  emscripten::function("consentStep", &consent_step);
  emscripten::function("useStep", &use_step);
  emscripten::function("refreshNeeded", &refresh_needed);
  emscripten::function("refreshDeadline", &refresh_deadline);
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
      .function("connectForm", &CompiledConnector::connect_form)
      .function("egress", &CompiledConnector::egress)
      .function("identity", &CompiledConnector::identity)
      .function("authorizeBegin", &CompiledConnector::authorize_begin)
      .function("authorizeCallback", &CompiledConnector::authorize_callback)
      .function("authorizeFinish", &CompiledConnector::authorize_finish)
      .function("refreshBegin", &CompiledConnector::refresh_begin)
      .function("refreshFinish", &CompiledConnector::refresh_finish)
      .function("connectBegin", &CompiledConnector::connect_begin)
      .function("connectFinish", &CompiledConnector::connect_finish)
      .function("testBegin", &CompiledConnector::test_begin)
      .function("testFinish", &CompiledConnector::test_finish)
      .function("revokeBegin", &CompiledConnector::revoke_begin)
      .function("connectionStep", &CompiledConnector::connection_step);
  emscripten::constant("bodyLimit", static_cast<unsigned>(connauth::kDefaultBodyLimit));
  emscripten::constant("boundInputBytes", static_cast<unsigned>(BoundHandle::kInputBytes));
  emscripten::class_<BoundHandle>("BoundConnection")
      .constructor<const CompiledConnector&, const std::string&>()
      .function("ok", &BoundHandle::ok)
      .function("problems", &BoundHandle::problems)
      .function("smallInput", &BoundHandle::small_input)
      .function("input", &BoundHandle::input)
      .function("answerLengthAt", &BoundHandle::answer_length_at)
      .function("address", &BoundHandle::address)
      .function("readsBody", &BoundHandle::reads_body)
      .function("readsBodyFor", &BoundHandle::reads_body_for)
      .function("readsRequestBody", &BoundHandle::reads_request_body)
      .function("signs", &BoundHandle::signs)
      .function("stamped", &BoundHandle::stamped);
}
