#include "pattern.h"

#include <new>
#include <utility>

#include <re2/re2.h>

namespace connauth {

namespace {

// Longest pattern source accepted. Real signal and URL patterns are a few dozen
// bytes; the cap keeps compile time and the quoted error text small.
constexpr size_t kMaxPatternBytes = 4096;

// RE2's memory budget per compiled pattern (program plus DFA cache). RE2
// rejects a pattern whose program would not fit ("pattern too large"); at
// search time a DFA that outgrows its share falls back to the NFA, which is
// still linear in the subject. 8 MiB fits `.{1000}` but not `\pL{1000}`.
constexpr int64_t kMaxMemBytes = int64_t{8} << 20;

constexpr const char* kSyntaxHint = " — RE2 syntax, no backreferences or lookaround";

struct Flags {
  bool ignore_case = false;  // i
  bool multi_line = false;   // m
  bool dot_all = false;      // s
};

// Flags follow JavaScript's spelling (pattern.h): a subset of "ims", repeats allowed.
Result<Flags> parse_flags(std::string_view text, const std::string& where) {
  Flags flags;
  for (char c : text) {
    switch (c) {
      case 'i': flags.ignore_case = true; break;
      case 'm': flags.multi_line = true; break;
      case 's': flags.dot_all = true; break;
      default: {
        bool printable = c >= 0x20 && c < 0x7f;
        std::string shown = printable ? std::string(1, c) : "?";
        return Result<Flags>::failure(where,
                                      "unknown regex flag '" + shown + "'; allowed: i, m, s");
      }
    }
  }
  return Result<Flags>::success(flags);
}

RE2::Options re2_options(const Flags& flags) {
  RE2::Options options;
  options.set_encoding(RE2::Options::EncodingUTF8);
  options.set_log_errors(false);  // errors are returned as Problems, never logged
  options.set_max_mem(kMaxMemBytes);
  options.set_case_sensitive(!flags.ignore_case);
  options.set_dot_nl(flags.dot_all);
  return options;
}

std::string rejection(const RE2& re) {
  if (re.error_code() == RE2::ErrorPatternTooLarge)
    return "regex is too large for the " + std::to_string(kMaxMemBytes >> 20) +
           " MiB compile budget (RE2: " + re.error() +
           "); use smaller repetition counts or narrower character classes";
  return "invalid regex: " + re.error() + kSyntaxHint;
}

}  // namespace

struct Pattern::Impl {
  std::string source;
  std::unique_ptr<const RE2> re;
};

Pattern::Pattern(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Pattern::~Pattern() = default;

Result<std::shared_ptr<const Pattern>> Pattern::compile(std::string_view pattern,
                                                        std::string_view flags,
                                                        const std::string& where) {
  using Out = Result<std::shared_ptr<const Pattern>>;
  Result<Flags> parsed = parse_flags(flags, where);
  if (!parsed.ok()) return Out::failure(std::move(parsed.errors));
  if (pattern.size() > kMaxPatternBytes)
    return Out::failure(where, "regex is " + std::to_string(pattern.size()) +
                                   " bytes; the limit is " + std::to_string(kMaxPatternBytes) +
                                   " bytes — shorten it");
  try {
    RE2::Options options = re2_options(*parsed.value);
    re2::StringPiece text(pattern.data(), pattern.size());
    // Compiled as written first, so that RE2's error quotes only the author's
    // text. RE2 has no option for multi-line in Perl mode (`one_line` applies
    // to POSIX syntax only), hence the inline `(?m)` for flag m.
    auto re = std::make_unique<const RE2>(text, options);
    if (!re->ok()) return Out::failure(where, rejection(*re));
    if (parsed.value->multi_line) {
      re = std::make_unique<const RE2>("(?m)" + std::string(pattern), options);
      if (!re->ok()) return Out::failure(where, rejection(*re));
    }
    auto impl = std::make_unique<Impl>();
    impl->source = std::string(pattern);
    impl->re = std::move(re);
    return Out::success(std::shared_ptr<const Pattern>(new Pattern(std::move(impl))));
  } catch (const std::bad_alloc&) {
    return Out::failure(where, "regex could not be compiled: out of memory; simplify it");
  }
}

bool Pattern::search(std::string_view text) const {
  return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *impl_->re);
}

const std::string& Pattern::source() const { return impl_->source; }

}  // namespace connauth
