// libFuzzer target: the URL reader (url.h, RFC 3986) on any text.
//  - parse_url either answers a URL or says why not;
//  - a parsed URL written back (to_string) reads as the same URL, and
//    writing that again changes nothing (a fixed point);
//  - resolve_url of any reference against a parsed base either answers an
//    absolute URL that parses, or says why not;
//  - a plain base's shortcut (BaseUrl::resolve_plain) answers exactly what
//    resolve_url answers, whenever it answers;
//  - the query helpers keep every pair: parse_query of build_query gives
//    the pairs back.
// Input layout: base, a 0 byte, reference (no 0 byte: the reference is the base).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "url.h"

namespace {

bool same(const connauth::Url& a, const connauth::Url& b) {
  return a.scheme == b.scheme && a.userinfo == b.userinfo && a.host == b.host && a.port == b.port &&
         a.path == b.path && a.query == b.query && a.fragment == b.fragment;
}

void check_url(std::string_view text) {
  auto parsed = connauth::parse_url(text, "/fuzz");
  if (!parsed.ok()) {
    if (parsed.errors.empty()) __builtin_trap();
    return;
  }
  const std::string written = parsed.value->to_string();
  auto again = connauth::parse_url(written, "/fuzz");
  if (!again.ok() || !same(*parsed.value, *again.value)) __builtin_trap();
  if (again.value->to_string() != written) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t split = input.find('\0');
  const std::string_view base = input.substr(0, split);
  const std::string_view reference = split == std::string_view::npos ? base : input.substr(split + 1);

  check_url(base);
  auto resolved = connauth::resolve_url(base, reference, "/fuzz");
  if (resolved.ok()) {
    if (!connauth::parse_url(*resolved.value, "/fuzz").ok()) __builtin_trap();
    check_url(*resolved.value);
  } else if (resolved.errors.empty()) {
    __builtin_trap();
  }

  const auto prepared = connauth::BaseUrl::prepare(std::string(base));
  std::string shortcut;
  if (prepared.resolve_plain(reference, shortcut) && (!resolved.ok() || shortcut != *resolved.value)) __builtin_trap();

  const auto pairs = connauth::parse_query(reference);
  if (connauth::parse_query(connauth::build_query(pairs)) != pairs) __builtin_trap();
  return 0;
}
