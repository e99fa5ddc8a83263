#include "http.h"

#include <algorithm>

namespace connauth {

namespace {
char lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }
}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

std::string to_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
  return out;
}

const std::string* Headers::get(std::string_view name) const {
  for (const auto& e : entries_)
    if (iequals(e.first, name)) return &e.second;
  return nullptr;
}

void Headers::set(std::string_view name, std::string value) {
  auto first = std::find_if(entries_.begin(), entries_.end(),
                            [&](const Entry& e) { return iequals(e.first, name); });
  if (first == entries_.end()) {
    entries_.emplace_back(std::string(name), std::move(value));
    return;
  }
  first->second = std::move(value);
  entries_.erase(std::remove_if(first + 1, entries_.end(),
                                [&](const Entry& e) { return iequals(e.first, name); }),
                 entries_.end());
}

void Headers::add(std::string name, std::string value) {
  entries_.emplace_back(std::move(name), std::move(value));
}

void Headers::remove(std::string_view name) {
  entries_.erase(std::remove_if(entries_.begin(), entries_.end(),
                                [&](const Entry& e) { return iequals(e.first, name); }),
                 entries_.end());
}

const char* header_value_problem(std::string_view utf8) {
  for (size_t i = 0; i < utf8.size(); i++) {
    unsigned char c = static_cast<unsigned char>(utf8[i]);
    if (c == '\r' || c == '\n' || c == '\0') return "a line break or NUL character";
    if (c < 0x80) continue;
    // U+0080..U+00FF are the two-byte sequences C2 80 .. C3 BF.
    bool latin1 = (c == 0xC2 || c == 0xC3) && i + 1 < utf8.size() &&
                  (static_cast<unsigned char>(utf8[i + 1]) & 0xC0) == 0x80;
    if (!latin1) return "a character above U+00FF (encode it, e.g. with the urlencode or base64 filter)";
    i++;
  }
  return nullptr;
}

}  // namespace connauth
