// libFuzzer target for Pattern::compile and classify (SPEC §2.5). Both see
// attacker-controlled text at the edge: connector authors write the patterns,
// providers (or anyone between) write the bodies. Neither may crash, hang or
// leak, and classify must follow the rules of SPEC §2.5 whatever the input.
//
// Input layout:
//   byte 0     flags: bit 0 i, bit 1 m, bit 2 s, bit 3 an unknown flag 'x';
//              bits 4-7 pick the status (see kStatuses)
//   byte 1     < kPatterns.size(): a fixed pattern (known ReDoS shapes);
//              otherwise the next (byte 1 - 16) bytes are the pattern itself
//   byte 2     body limit: 0 = the default (1 MiB), else that many bytes
//   rest       the response body
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "pattern.h"
#include "signals.h"

namespace {

using connauth::Action;
using connauth::Classification;
using connauth::HttpResponse;
using connauth::Pattern;
using connauth::Signal;
using connauth::Signals;

constexpr std::array<const char*, 16> kPatterns = {
    "(a+)+$",    "(a|aa)+$",   "(.*a){20}",  "^(a|a?)+$",      "invalid_token", "(?i)expired",
    "^expired$", "error.*end", "\\bfail\\b", "[\\x00-\\xff]+", "\\pL+\\d*",     "",
    "(abc",      "(a)\\1",     "(?<=a)b",    "\\C+$"};

constexpr std::array<int, 16> kStatuses = {200, 201, 204, 299, 100, 101, 199, 300,
                                           302, 400, 401, 403, 429, 500, 0,   -1};

constexpr const char* kRegexWhere = "/authorization/refresh_on/0/regex";

std::string flags_from(uint8_t bits) {
  std::string flags;
  if (bits & 1) flags += 'i';
  if (bits & 2) flags += 'm';
  if (bits & 4) flags += 's';
  if (bits & 8) flags += 'x';
  return flags;
}

void require(bool condition) {
  if (!condition) __builtin_trap();
}

Signal regex_signal(std::shared_ptr<const Pattern> pattern, std::string where) {
  Signal s;
  s.kind = Signal::Kind::BodyRegex;
  s.pattern = std::move(pattern);
  s.where = std::move(where);
  return s;
}

Signal equals_signal(std::string body, std::string where) {
  Signal s;
  s.kind = Signal::Kind::BodyEquals;
  s.body = std::move(body);
  s.where = std::move(where);
  return s;
}

Signal status_signal(int status, std::string where) {
  Signal s;
  s.kind = Signal::Kind::Status;
  s.status = status;
  s.where = std::move(where);
  return s;
}

// SPEC §2.5 rules 1 and 2, restated as invariants on the outcome.
void check_rules(const Signals& refresh_on, const Signals& detect_on, const HttpResponse& response,
                 const Classification& c) {
  bool success = response.status >= 200 && response.status <= 299;
  require(!c.reason.empty());
  if (!success && refresh_on.empty()) require(c.action == Action::Refresh && c.matched.empty());
  if (c.action == Action::Ok) require(success && c.matched.empty());
  if (c.action == Action::Refresh && !c.matched.empty())
    require(c.matched.find("/refresh_on/") != std::string::npos);
  if (c.action == Action::Error && success)
    require(c.matched.find("/detect_on/") != std::string::npos);
  if (c.action == Action::Error && !success) require(c.matched.empty());
  if (success && detect_on.empty()) require(c.action == Action::Ok);
  std::string_view name = connauth::to_string(c.action);
  require(name == "ok" || name == "refresh" || name == "error");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  uint8_t control = data[0];
  uint8_t pattern_pick = data[1];
  uint8_t limit_pick = data[2];
  input.remove_prefix(3);

  std::string pattern;
  if (pattern_pick < kPatterns.size()) {
    pattern = kPatterns[pattern_pick];
  } else {
    size_t length = std::min<size_t>(pattern_pick - kPatterns.size(), input.size());
    pattern = std::string(input.substr(0, length));
    input.remove_prefix(length);
  }
  std::string flags = flags_from(control & 0x0f);

  auto compiled = Pattern::compile(pattern, flags, kRegexWhere);
  if (compiled.ok()) {
    require(compiled.errors.empty() && *compiled.value != nullptr);
    require((*compiled.value)->source() == pattern);
    require(flags.find('x') == std::string::npos);
  } else {
    require(compiled.errors.size() == 1 && compiled.errors[0].path == kRegexWhere &&
            !compiled.errors[0].message.empty());
  }

  HttpResponse response;
  response.status = kStatuses[control >> 4];
  response.body = std::string(input);
  size_t limit = limit_pick == 0 ? connauth::kDefaultBodyLimit : limit_pick;

  Signals refresh_on = {
      status_signal(401, "/authorization/refresh_on/1"),
      equals_signal(response.body.substr(0, limit_pick % 8), "/authorization/refresh_on/2")};
  Signals detect_on = {equals_signal("error", "/authorization/detect_on/0")};
  if (compiled.ok()) {
    refresh_on.insert(refresh_on.begin(),
                      regex_signal(*compiled.value, "/authorization/refresh_on/0"));
    detect_on.push_back(regex_signal(*compiled.value, "/authorization/detect_on/1"));
  }

  check_rules(refresh_on, detect_on, response,
              connauth::classify(refresh_on, detect_on, response, limit));
  check_rules({}, detect_on, response, connauth::classify({}, detect_on, response, limit));
  check_rules(refresh_on, {}, response, connauth::classify(refresh_on, {}, response, limit));
  return 0;
}
