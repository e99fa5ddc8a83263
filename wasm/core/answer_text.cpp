#include "answer_text.h"

#include <cstring>

#include "json_io.h"

namespace connauth {

// A failure is rare and small: nlohmann writes it, as for the other calls.
void write_problems(std::string& out, const Problems& problems) { out = to_text(error_envelope(problems)); }

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
  write_edits(out, e.url, e.headers, e.body ? &*e.body : nullptr);
}

void write_edits(std::string& out, std::string_view url,
                 const std::vector<std::pair<std::string_view, std::string_view>>& headers, const std::string* body) {
  std::string count = std::to_string(headers.size());
  size_t size = 3 + count.size() + url.size() + (body ? body->size() : 0);
  for (const auto& [name, value] : headers) size += name.size() + value.size() + 2;
  Writer w(out, size);
  w.put(body ? 'b' : 'n');
  w.put(count);
  w.put('\n');
  w.put(url);
  w.put('\n');
  for (const auto& [name, value] : headers) {
    w.put(name);
    w.put('\n');
    w.put(value);
    w.put('\n');
  }
  if (body) w.put(*body);
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
