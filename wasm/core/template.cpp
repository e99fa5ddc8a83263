// Templates (SPEC §2.1). A source string is split once into literal text and
// expressions; each expression keeps its path pre-split into segments and its
// filters decoded, so rendering is a lookup and an append per piece.
//
// Grammar (whitespace allowed around every token inside the braces):
//   expression := "{{" path ( "|" filter )* "}}"
//   path       := segment ( "." segment )*        segment := [A-Za-z0-9_-]+
//   filter     := "default" ":" string | "base64" | "base64url" | "urlencode" | "hex"
//               | "sha256" | ("hmac_sha256" | "hmac_sha1") ":" (path | string)
//   string     := '"' ... '"' | "'" ... "'"       escapes: \" \' \\ only
// A digest filter (sha256, hmac_*) yields raw bytes: a base64, base64url or
// hex right after it encodes them, anything else (or the end) sees their
// lowercase hex (SPEC §10).
// A `}}` or single braces outside an expression are literal text; in "{{{"
// the first brace is literal (so `{"a":{{{x}}}}`-style JSON text still works).
#include "template.h"

#include <cmath>
#include <cstdint>
#include <optional>

#include "hmac.h"
#include "sha256.h"
#include "url.h"

namespace connauth {

using nlohmann::json;

namespace {

constexpr const char* kAllowedFilters =
    "default: \"text\", base64, base64url, urlencode, hex, sha256, hmac_sha256: <key>, hmac_sha1: <key>";

enum class FilterKind { Default, Base64, Base64Url, UrlEncode, Hex, Sha256, HmacSha256, HmacSha1 };

struct Segment {
  std::string key;
  // Set when the segment is all digits: it indexes arrays (objects still
  // look it up as a key).
  std::optional<size_t> index;
};

struct Filter {
  FilterKind kind = FilterKind::Default;
  std::string argument;        // Default: the text; hmac_*: a literal key
  std::string key_path;        // hmac_*: the key's path when not a literal
  std::vector<Segment> key;    // its segments
};

// The filters that take no argument, by name.
constexpr std::pair<const char*, FilterKind> kPlainFilters[] = {
    {"base64", FilterKind::Base64}, {"base64url", FilterKind::Base64Url}, {"urlencode", FilterKind::UrlEncode},
    {"hex", FilterKind::Hex},       {"sha256", FilterKind::Sha256}};

struct Expression {
  std::string path;  // dotted, as written (without spaces)
  std::vector<Segment> segments;
  std::vector<Filter> filters;
};

// One piece of a template: literal text, or an expression when `expression`
// is set.
struct Piece {
  std::string text;
  std::optional<Expression> expression;
};

bool is_segment_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

std::optional<size_t> array_index(std::string_view segment) {
  // Longer digit strings cannot index any array we could hold; they still
  // work as object keys.
  if (!all_digits(segment) || segment.size() > 9) return std::nullopt;
  size_t n = 0;
  for (char c : segment) n = n * 10 + size_t(c - '0');
  return n;
}

// Reads one expression from the text after "{{". `pos` ends just past "}}"
// on success. On failure the message explains the first problem found.
class ExpressionReader {
 public:
  ExpressionReader(std::string_view source, size_t start) : s_(source), pos_(start) {}

  // Returns an empty message on success.
  std::string read(Expression& out) {
    if (s_.find("}}", pos_) == std::string_view::npos) return unterminated();
    skip_spaces();
    if (at_close()) return "is empty; write a path such as {{connection.subdomain}}";
    std::string message = read_path(out);
    if (!message.empty()) return message;
    for (;;) {
      skip_spaces();
      if (pos_ >= s_.size()) return unterminated();
      if (at_close()) {
        pos_ += 2;
        return "";
      }
      if (s_[pos_] != '|')
        return "has unexpected text \"" + excerpt() + "\" after the path \"" + out.path +
               "\"; a path may be followed only by filters (| " + kAllowedFilters + ")";
      ++pos_;
      Filter filter;
      message = read_filter(filter);
      if (!message.empty()) return message;
      out.filters.push_back(std::move(filter));
    }
  }

  size_t position() const { return pos_; }

 private:
  bool at_close() const { return s_.compare(pos_, 2, "}}") == 0; }

  void skip_spaces() {
    while (pos_ < s_.size() && is_space(s_[pos_])) ++pos_;
  }

  // A short piece of the source from the current position, for messages.
  std::string excerpt() const {
    size_t end = pos_;
    while (end < s_.size() && end - pos_ < 20 && s_.compare(end, 2, "}}") != 0) ++end;
    return std::string(s_.substr(pos_, end - pos_));
  }

  static std::string unterminated() { return "is not closed; add }} after the expression"; }

  std::string read_path(Expression& out) { return read_path(out.segments, out.path); }

  std::string read_path(std::vector<Segment>& segments, std::string& path) {
    size_t start = pos_;
    for (;;) {
      size_t segment_start = pos_;
      while (pos_ < s_.size() && is_segment_char(s_[pos_])) ++pos_;
      if (pos_ == segment_start) {
        if (pos_ >= s_.size()) return unterminated();
        std::string written(s_.substr(start, pos_ - start));
        return "has an invalid path \"" + written + excerpt() +
               "\"; a path is names of letters, digits, '_' or '-' joined by dots, such as "
               "connection.subdomain or response.items.0.id";
      }
      std::string key(s_.substr(segment_start, pos_ - segment_start));
      segments.push_back(Segment{key, array_index(key)});
      if (pos_ < s_.size() && s_[pos_] == '.') {
        ++pos_;
        continue;
      }
      break;
    }
    path = std::string(s_.substr(start, pos_ - start));
    return "";
  }

  std::string read_filter(Filter& out) {
    skip_spaces();
    size_t start = pos_;
    while (pos_ < s_.size() && is_segment_char(s_[pos_])) ++pos_;
    std::string name(s_.substr(start, pos_ - start));
    if (name.empty()) {
      if (pos_ >= s_.size()) return unterminated();
      return "has \"|\" without a filter name before \"" + excerpt() + "\"; allowed filters: " +
             kAllowedFilters;
    }
    skip_spaces();
    bool has_argument = pos_ < s_.size() && s_[pos_] == ':';
    if (name == "default") {
      out.kind = FilterKind::Default;
      if (!has_argument)
        return "uses the default filter without a value; write | default: \"text\"";
      ++pos_;
      skip_spaces();
      return read_string(out.argument, name);
    }
    if (name == "hmac_sha256" || name == "hmac_sha1") {
      out.kind = name == "hmac_sha256" ? FilterKind::HmacSha256 : FilterKind::HmacSha1;
      if (!has_argument)
        return "uses the " + name + " filter without a key; write | " + name +
               ": connection.secret (a path) or | " + name + ": \"key\"";
      ++pos_;
      skip_spaces();
      if (pos_ < s_.size() && (s_[pos_] == '"' || s_[pos_] == '\'')) return read_string(out.argument, name);
      return read_path(out.key, out.key_path);
    }
    for (const auto& [plain, kind] : kPlainFilters) {
      if (name != plain) continue;
      out.kind = kind;
      if (has_argument)
        return "gives the " + name + " filter an argument (\"" + excerpt() +
               "\"); it takes none: write | " + name;
      return "";
    }
    return "uses the unknown filter \"" + name + "\"; allowed filters: " + kAllowedFilters;
  }

  std::string read_string(std::string& out, const std::string& filter) {
    if (pos_ >= s_.size()) return unterminated();
    char quote = s_[pos_];
    if (quote != '"' && quote != '\'')
      return "gives the " + filter + " filter \"" + excerpt() + "\", which is not a quoted string; write | " +
             filter + ": \"text\" or | " + filter + ": 'text'";
    ++pos_;
    while (pos_ < s_.size()) {
      char c = s_[pos_++];
      if (c == quote) return "";
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= s_.size()) break;
      char escaped = s_[pos_++];
      if (escaped != '"' && escaped != '\'' && escaped != '\\')
        return std::string("uses the escape \\") + escaped + " in the " + filter +
               " value; only \\\", \\' and \\\\ are allowed";
      out += escaped;
    }
    return "has a " + filter + " value whose string is not closed; end it with " + std::string(1, quote);
  }

  std::string_view s_;
  size_t pos_;
};

// The value an expression produces while its filters run: absent (no value),
// or a JSON value from the scope, or text produced by a filter.
const json* lookup(const json& scope, const std::vector<Segment>& segments) {
  const json* node = &scope;
  for (const Segment& segment : segments) {
    if (node->is_object()) {
      auto it = node->find(segment.key);
      if (it == node->end()) return nullptr;
      node = &*it;
    } else if (node->is_array() && segment.index) {
      if (*segment.index >= node->size()) return nullptr;
      node = &(*node)[*segment.index];
    } else {
      return nullptr;
    }
  }
  return node;
}

std::string number_text(const json& value) {
  if (value.is_number_integer()) {
    return value.is_number_unsigned() ? std::to_string(value.get_ref<const json::number_unsigned_t&>())
                                      : std::to_string(value.get_ref<const json::number_integer_t&>());
  }
  double d = value.get_ref<const json::number_float_t&>();
  // An integral float renders like an integer ("3600", not "3600.0"):
  // `expires_in` read back from some providers arrives as 3600.0.
  if (std::fabs(d) < 9007199254740992.0 && d == std::floor(d))
    return std::to_string(static_cast<int64_t>(d));
  return value.dump();  // shortest form that reads back to the same double
}

enum class ValueState { Absent, Text, NotSingle };

struct Value {
  ValueState state = ValueState::Absent;
  std::string text;
  bool digest = false;  // `text` holds a digest's raw bytes (see the grammar)
};

Value scalar_value(const json* node) {
  if (node == nullptr || node->is_null()) return {};
  switch (node->type()) {
    case json::value_t::string:
      return {ValueState::Text, node->get_ref<const std::string&>()};
    case json::value_t::boolean:
      return {ValueState::Text, node->get_ref<const json::boolean_t&>() ? "true" : "false"};
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return {ValueState::Text, number_text(*node)};
    case json::value_t::number_float:
      if (!std::isfinite(node->get_ref<const json::number_float_t&>())) return {};
      return {ValueState::Text, number_text(*node)};
    default:
      return {ValueState::NotSingle, ""};
  }
}

// Runs one filter. Answers a problem for an hmac key with no value (the
// value itself is checked by the caller once every filter ran).
std::optional<std::string> apply_filter(const Filter& filter, Value& value, const json& scope) {
  if (value.state != ValueState::Text) {
    // A default is the only filter that gives an absent value one.
    if (value.state == ValueState::NotSingle || filter.kind != FilterKind::Default) return std::nullopt;
  }
  bool encodes_digest =
      filter.kind == FilterKind::Base64 || filter.kind == FilterKind::Base64Url || filter.kind == FilterKind::Hex;
  if (value.digest && !encodes_digest) value.text = hex_encode(value.text);
  value.digest = false;
  std::string key = filter.argument;
  if ((filter.kind == FilterKind::HmacSha256 || filter.kind == FilterKind::HmacSha1) && !filter.key.empty()) {
    Value key_value = scalar_value(lookup(scope, filter.key));
    if (key_value.state != ValueState::Text)
      return "no value for `" + filter.key_path + "`, the key of the hmac filter; fill it in on the connection or app";
    key = std::move(key_value.text);
  }
  switch (filter.kind) {
    case FilterKind::Default:
      // SPEC §2.1: a default stands in for a value that is absent, null or
      // empty (Workato's `.presence || "..."`).
      if (value.state == ValueState::Absent || value.text.empty())
        value = {ValueState::Text, filter.argument};
      break;
    case FilterKind::Base64:
      value.text = base64_encode(value.text);
      break;
    case FilterKind::Base64Url:
      value.text = base64url_encode(value.text);
      break;
    case FilterKind::UrlEncode:
      value.text = percent_encode(value.text);
      break;
    case FilterKind::Hex:
      value.text = hex_encode(value.text);
      break;
    case FilterKind::Sha256:
      value = {ValueState::Text, sha256(value.text), true};
      break;
    case FilterKind::HmacSha256:
      value = {ValueState::Text, hmac_sha256(key, value.text), true};
      break;
    case FilterKind::HmacSha1:
      value = {ValueState::Text, hmac_sha1(key, value.text), true};
      break;
  }
  return std::nullopt;
}

}  // namespace

struct Template::Impl {
  std::string source;
  std::string where;
  std::vector<Piece> pieces;
  bool literal = true;
};

namespace {

// The offending `{{ ... }}` for a message, shortened when it runs on (an
// unclosed expression would otherwise quote the rest of the string).
std::string quoted_expression(std::string_view source, size_t open, size_t close) {
  constexpr size_t kMaxQuoted = 60;
  size_t end = close == std::string_view::npos ? source.size() : close + 2;
  if (end - open <= kMaxQuoted) return std::string(source.substr(open, end - open));
  return std::string(source.substr(open, kMaxQuoted)) + "...";
}

const std::string& empty_string() {
  static const std::string empty;
  return empty;
}

}  // namespace

Result<Template> Template::parse(std::string_view source, const std::string& where) {
  auto impl = std::make_shared<Impl>();
  impl->source = std::string(source);
  impl->where = where;
  Problems problems;
  std::string text;
  size_t pos = 0;
  while (pos < source.size()) {
    size_t open = source.find("{{", pos);
    if (open == std::string_view::npos) break;
    // In "{{{" the first brace is literal text.
    while (open + 2 < source.size() && source[open + 2] == '{') ++open;
    text.append(source.substr(pos, open - pos));
    ExpressionReader reader(source, open + 2);
    Expression expression;
    std::string message = reader.read(expression);
    if (!message.empty()) {
      size_t close = source.find("}}", open + 2);
      add_problem(problems, where,
                  "the template expression " + quoted_expression(source, open, close) + " " + message);
      if (close == std::string_view::npos) break;
      pos = close + 2;
      continue;
    }
    if (!text.empty()) impl->pieces.push_back(Piece{std::move(text), std::nullopt});
    text.clear();
    impl->pieces.push_back(Piece{"", std::move(expression)});
    impl->literal = false;
    pos = reader.position();
  }
  if (!problems.empty()) return Result<Template>::failure(std::move(problems));
  if (pos < source.size()) text.append(source.substr(pos));
  if (!text.empty()) impl->pieces.push_back(Piece{std::move(text), std::nullopt});
  Template t;
  t.impl_ = std::move(impl);
  return Result<Template>::success(std::move(t));
}

Template Template::literal(std::string text, std::string where) {
  auto impl = std::make_shared<Impl>();
  impl->source = text;
  impl->where = std::move(where);
  if (!text.empty()) impl->pieces.push_back(Piece{std::move(text), std::nullopt});
  Template t;
  t.impl_ = std::move(impl);
  return t;
}

Result<std::string> Template::render(const json& scope) const {
  if (!impl_) return Result<std::string>::success("");
  std::string out;
  for (const Piece& piece : impl_->pieces) {
    if (!piece.expression) {
      out += piece.text;
      continue;
    }
    const Expression& e = *piece.expression;
    Value value = scalar_value(lookup(scope, e.segments));
    for (const Filter& filter : e.filters)
      if (std::optional<std::string> problem = apply_filter(filter, value, scope))
        return Result<std::string>::failure(impl_->where, std::move(*problem));
    if (value.digest) value.text = hex_encode(value.text);
    if (value.state == ValueState::Absent)
      return Result<std::string>::failure(
          impl_->where, "no value for `" + e.path +
                            "`; fill it in on the connection or app, or give the template a "
                            "fallback with | default: \"text\"");
    if (value.state == ValueState::NotSingle)
      return Result<std::string>::failure(
          impl_->where, "`" + e.path +
                            "` is an object or a list, not a single value; name one of its members, "
                            "such as `" + e.path + ".id` or `" + e.path + ".0`");
    out += value.text;
  }
  return Result<std::string>::success(std::move(out));
}

const std::string& Template::source() const { return impl_ ? impl_->source : empty_string(); }

const std::string& Template::where() const { return impl_ ? impl_->where : empty_string(); }

bool Template::is_literal() const { return !impl_ || impl_->literal; }

std::vector<std::string> Template::paths() const {
  std::vector<std::string> out;
  if (!impl_) return out;
  for (const Piece& piece : impl_->pieces) {
    if (!piece.expression) continue;
    out.push_back(piece.expression->path);
    for (const Filter& filter : piece.expression->filters)
      if (!filter.key_path.empty()) out.push_back(filter.key_path);
  }
  return out;
}

std::optional<std::string> Template::sole_path() const {
  if (!impl_ || impl_->pieces.size() != 1 || !impl_->pieces.front().expression) return std::nullopt;
  const Expression& e = *impl_->pieces.front().expression;
  for (const Filter& filter : e.filters)
    if (filter.kind != FilterKind::Default) return std::nullopt;
  return e.path;
}

// ---- JsonTemplate -----------------------------------------------------------

namespace {

// JSON values nest at most this deep: parsing and rendering recurse, and a
// hostile definition must not exhaust the (small, in WASM) stack.
constexpr size_t kMaxJsonDepth = 64;

// Parses every string under `node` in depth-first order (the order render
// walks in), collecting all problems so an author sees them at once.
void collect_templates(const json& node, const std::string& pointer, const std::string& where, size_t depth,
                       std::vector<std::pair<std::string, Template>>& templates, Problems& problems) {
  if ((node.is_object() || node.is_array()) && depth >= kMaxJsonDepth) {
    add_problem(problems, where + pointer,
                "nests objects and lists deeper than " + std::to_string(kMaxJsonDepth) + " levels; flatten the value");
    return;
  }
  if (node.is_string()) {
    auto parsed = Template::parse(node.get_ref<const std::string&>(), where + pointer);
    if (parsed.ok()) {
      templates.emplace_back(pointer, std::move(*parsed.value));
    } else {
      append(problems, parsed.errors);
    }
  } else if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it)
      collect_templates(it.value(), pointer_append(pointer, it.key()), where, depth + 1, templates, problems);
  } else if (node.is_array()) {
    for (size_t i = 0; i < node.size(); ++i)
      collect_templates(node[i], pointer_append(pointer, i), where, depth + 1, templates, problems);
  }
}

// Rebuilds `node` with its strings replaced by the rendered templates, taken
// in the same depth-first order collect_templates recorded them.
json render_node(const json& node, const std::vector<std::pair<std::string, Template>>& templates,
                 size_t& next, const json& scope, Problems& problems) {
  if (node.is_string()) {
    const Template& t = templates[next++].second;
    if (t.is_literal()) return node;
    auto rendered = t.render(scope);
    if (!rendered.ok()) {
      append(problems, rendered.errors);
      return nullptr;
    }
    return std::move(*rendered.value);
  }
  if (node.is_object()) {
    json out = json::object();
    for (auto it = node.begin(); it != node.end(); ++it)
      out[it.key()] = render_node(it.value(), templates, next, scope, problems);
    return out;
  }
  if (node.is_array()) {
    json out = json::array();
    for (const json& item : node) out.push_back(render_node(item, templates, next, scope, problems));
    return out;
  }
  return node;
}

}  // namespace

Result<JsonTemplate> JsonTemplate::parse(const json& value, const std::string& where) {
  JsonTemplate out;
  Problems problems;
  collect_templates(value, "", where, 0, out.templates_, problems);
  if (!problems.empty()) return Result<JsonTemplate>::failure(std::move(problems));
  out.source_ = value;
  out.where_ = where;
  return Result<JsonTemplate>::success(std::move(out));
}

Result<json> JsonTemplate::render(const json& scope) const {
  if (templates_.empty()) return Result<json>::success(source_);
  size_t next = 0;
  Problems problems;
  json out = render_node(source_, templates_, next, scope, problems);
  if (!problems.empty()) return Result<json>::failure(std::move(problems));
  return Result<json>::success(std::move(out));
}

}  // namespace connauth
