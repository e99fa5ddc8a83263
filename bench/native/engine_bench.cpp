// Native comparison for scripts/bench (apply and signal sections): the same
// core calls the WebAssembly binding makes, compiled natively with g++ -O2,
// timed with Google Benchmark. Cases come from a JSON file written by
// bench/apply.mjs (the connectors the WASM runs use), so both sides measure
// the same definitions:
//   [{"name", "kind": "apply"|"classify", "connector", "context", "input"}]
// For each case four benchmarks:
//   <name>/bound   the bound connection (core/bound_connection.h), bound once:
//                  the request or response in, the answer text out (what
//                  the binding's BoundConnection.apply / classify do)
//   <name>/text    text in, text out: parse context and input, run, serialise
//                  (what CompiledConnector::apply / classify do)
//   <name>/core    the core call on already parsed JSON values (no text)
//   <name>/parse   parsing the context and input text alone
// Usage: engine_bench CASES.json [google benchmark flags]
//        engine_bench CASES.json --repeat NAME N [text|bound]
//            runs NAME's text (default) or bound path N times and nothing
//            else (for callgrind)
#include <benchmark/benchmark.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <sstream>
#include <string>
#include <vector>

#include "answer_text.h"
#include "bound_connection.h"
#include "connector.h"
#include "engine.h"
#include "json_io.h"

namespace {

using nlohmann::json;

struct Case {
  std::string name;
  std::string kind;
  std::shared_ptr<connauth::Connector> connector;
  std::string context_text;
  std::string input_text;
};

json run_core(const Case& c, const json& context, const json& input) {
  return c.kind == "apply" ? connauth::apply_to_request(*c.connector, context, input)
                           : connauth::classify_response(*c.connector, context, input);
}

std::string run_text(const Case& c) {
  auto context = connauth::parse_json_text(c.context_text, "/context");
  auto input = connauth::parse_json_text(c.input_text, "/input");
  return connauth::to_text(run_core(c, *context.value, *input.value));
}

// The bound path of one case: bound once, then `run` per request or
// response, writing the answer as the binding does.
class BoundCase {
 public:
  explicit BoundCase(const Case& c) : bound_(bind(c)) {
    json input = json::parse(c.input_text);
    apply_ = c.kind == "apply";
    if (apply_) {
      auto request = connauth::request_from_json(input, "/request");
      request_ = std::move(*request.value);
      if (const std::string* type = request_.headers.get("Content-Type")) type_ = *type;
    } else {
      status_ = input.at("status").get<int>();
      body_ = input.value("body", "");
    }
  }

  const std::string& run() {
    if (apply_) connauth::write_edits(out_, bound_.apply(request_.method, request_.url, type_, request_.body));
    else connauth::write_classification(out_, bound_.classify(status_, body_));
    return out_;
  }

 private:
  static connauth::BoundConnection bind(const Case& c) {
    auto bound = connauth::BoundConnection::bind(*c.connector, json::parse(c.context_text));
    if (!bound.ok()) throw std::runtime_error("cannot bind case " + c.name);
    return std::move(*bound.value);
  }

  connauth::BoundConnection bound_;
  bool apply_ = true;
  connauth::HttpRequest request_;
  std::optional<std::string_view> type_;
  int status_ = 0;
  std::string body_;
  std::string out_;
};

void register_case(const Case& c) {
  benchmark::RegisterBenchmark((c.name + "/bound").c_str(), [c](benchmark::State& state) {
    BoundCase bound(c);
    for (auto _ : state) benchmark::DoNotOptimize(bound.run());
  });
  benchmark::RegisterBenchmark((c.name + "/text").c_str(), [c](benchmark::State& state) {
    for (auto _ : state) {
      std::string out = run_text(c);
      benchmark::DoNotOptimize(out);
    }
  });
  benchmark::RegisterBenchmark((c.name + "/core").c_str(), [c](benchmark::State& state) {
    json context = json::parse(c.context_text);
    json input = json::parse(c.input_text);
    for (auto _ : state) {
      json out = run_core(c, context, input);
      benchmark::DoNotOptimize(out);
    }
  });
  benchmark::RegisterBenchmark((c.name + "/parse").c_str(), [c](benchmark::State& state) {
    for (auto _ : state) {
      auto context = connauth::parse_json_text(c.context_text, "/context");
      auto input = connauth::parse_json_text(c.input_text, "/input");
      benchmark::DoNotOptimize(context);
      benchmark::DoNotOptimize(input);
    }
  });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: engine_bench CASES.json [benchmark flags]\n";
    return 2;
  }
  std::ifstream file(argv[1]);
  std::stringstream text;
  text << file.rdbuf();
  json cases = json::parse(text.str());
  for (const auto& j : cases) {
    auto parsed = connauth::parse_connector(j.at("connector").dump());
    if (!parsed.ok()) {
      std::cerr << "invalid connector in case " << j.at("name") << "\n";
      return 1;
    }
    register_case(Case{j.at("name"), j.at("kind"),
                       std::make_shared<connauth::Connector>(std::move(*parsed.value)),
                       j.at("context").dump(), j.at("input").dump()});
  }
  if ((argc == 5 || argc == 6) && std::string(argv[2]) == "--repeat") {
    bool bound_path = argc == 6 && std::string(argv[5]) == "bound";
    for (const auto& j : cases) {
      if (j.at("name") != argv[3]) continue;
      auto parsed = connauth::parse_connector(j.at("connector").dump());
      Case c{j.at("name"), j.at("kind"), std::make_shared<connauth::Connector>(std::move(*parsed.value)),
             j.at("context").dump(), j.at("input").dump()};
      BoundCase bound(c);  // bound in both runs, so that (I(n) - I(0)) / n leaves binding out
      for (long i = 0, n = std::stol(argv[4]); i < n; ++i) {
        if (bound_path) {
          benchmark::DoNotOptimize(bound.run());
        } else {
          std::string out = run_text(c);
          benchmark::DoNotOptimize(out);
        }
      }
      return 0;
    }
    std::cerr << "no case named " << argv[3] << "\n";
    return 1;
  }
  // Google Benchmark's own flags follow the cases file.
  argv[1] = argv[0];
  int rest = argc - 1;
  benchmark::Initialize(&rest, argv + 1);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
