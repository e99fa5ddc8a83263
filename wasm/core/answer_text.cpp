#include "answer_text.h"

#include <cstring>

namespace connauth {

namespace {

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Length of the well-formed UTF-8 sequence starting at text[i] (RFC 3629 §4),
// or 0 when it is not one.
size_t utf8_length(std::string_view text, size_t i) {
  auto at = [&](size_t k) -> unsigned char { return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0; };
  unsigned char c = at(0);
  if (c >= 0xC2 && c <= 0xDF) return is_continuation(at(1)) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    return at(1) >= lo && at(1) <= hi && is_continuation(at(2)) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    return at(1) >= lo && at(1) <= hi && is_continuation(at(2)) && is_continuation(at(3)) ? 4 : 0;
  }
  return 0;
}

bool is_plain(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

void append_escape(std::string& out, unsigned char c) {
  switch (c) {
    case '"': out += "\\\""; return;
    case '\\': out += "\\\\"; return;
    case '\b': out += "\\b"; return;
    case '\f': out += "\\f"; return;
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    default: {
      static const char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
}

void append_member(std::string& out, std::string_view name, std::string_view value) {
  out += '"';
  out += name;
  out += "\":";
  append_json_string(out, value);
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  size_t i = 0;
  while (i < text.size()) {
    size_t plain = i;
    while (plain < text.size() && is_plain(static_cast<unsigned char>(text[plain]))) ++plain;
    out.append(text.substr(i, plain - i));
    if (plain == text.size()) break;
    i = plain;
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      append_escape(out, c);
      ++i;
    } else if (size_t n = utf8_length(text, i)) {
      out.append(text.substr(i, n));
      i += n;
    } else {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      ++i;
    }
  }
  out += '"';
}

void write_problems(std::string& out, const Problems& problems) {
  out.assign("{\"ok\":false,\"errors\":[");
  for (size_t i = 0; i < problems.size(); ++i) {
    if (i) out += ',';
    out += '{';
    append_member(out, "path", problems[i].path);
    out += ',';
    append_member(out, "message", problems[i].message);
    out += '}';
  }
  out += "]}";
}

std::string problems_text(const Problems& problems) {
  std::string out;
  write_problems(out, problems);
  return out;
}

namespace {

// Writes pieces into `out` with one allocation and plain copies: this runs
// on every request, and the module is built for size (-Oz), which leaves
// std::string's appends as calls.
class Writer {
 public:
  Writer(std::string& out, size_t size) : out_(out) {
    out_.resize(size);
    at_ = &out_[0];
  }
  void put(std::string_view text) {
    std::memcpy(at_, text.data(), text.size());
    at_ += text.size();
  }
  void put(char c) { *at_++ = c; }
  void finish() { out_.resize(static_cast<size_t>(at_ - out_.data())); }

 private:
  std::string& out_;
  char* at_;
};

}  // namespace

void write_edits(std::string& out, const Result<RequestEdits>& edits) {
  if (!edits.ok()) return write_problems(out, edits.errors);
  const RequestEdits& e = *edits.value;
  std::string count = std::to_string(e.headers.size());
  size_t size = 3 + count.size() + e.url.size() + (e.body ? e.body->size() : 0);
  for (const auto& [name, value] : e.headers) size += name.size() + value.size() + 2;
  Writer w(out, size);
  w.put(e.body ? 'b' : 'n');
  w.put(count);
  w.put('\n');
  w.put(e.url);
  w.put('\n');
  for (const auto& [name, value] : e.headers) {
    w.put(name);
    w.put('\n');
    w.put(value);
    w.put('\n');
  }
  if (e.body) w.put(*e.body);
  w.finish();
}

void write_classification(std::string& out, const Result<Classification>& classification) {
  if (!classification.ok()) return write_problems(out, classification.errors);
  const Classification& c = *classification.value;
  out.assign(to_string(c.action));
  out += '\n';
  out += c.reason;
  out += '\n';
  out += c.matched;
}

}  // namespace connauth
