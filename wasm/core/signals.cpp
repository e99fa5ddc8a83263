#include "signals.h"

namespace connauth {

namespace {

bool is_success(int status) { return status >= 200 && status <= 299; }

// SPEC §2.5: bodies are matched up to a size limit. Past it only the first
// `limit` bytes are searched, so a response body can never cost more than
// `limit` bytes of (linear-time) regex work per signal.
std::string_view matched_part(std::string_view body, size_t limit) {
  return body.substr(0, limit);
}

// The first entry, in definition order, that matches; its `where` is what a
// Classification reports, so authors see which entry decided.
const Signal* first_match(const Signals& signals, int status, std::string_view body, bool cut) {
  for (const Signal& signal : signals)
    if (signal.matches(status, body, cut)) return &signal;
  return nullptr;
}

// Every reason is a literal: a view spares each caller a std::string.
Classification decided(Action action, std::string_view reason, const Signal* by) {
  Classification out;
  out.action = action;
  out.reason = reason;
  if (by != nullptr) out.matched = by->where;
  return out;
}

// SPEC §2.5 rule 1: a 2xx is ok unless detect_on recognises it as a failure
// in disguise; refresh_on then says whether new tokens would cure it.
Classification classify_success(const Signals& refresh_on, const Signals& detect_on, int status,
                                std::string_view body, bool cut) {
  const Signal* detected = first_match(detect_on, status, body, cut);
  if (detected == nullptr)
    return decided(Action::Ok,
                   "2xx response and no detect_on entry matched: ok (SPEC §2.5 rule 1)", nullptr);
  if (const Signal* refresh = first_match(refresh_on, status, body, cut))
    return decided(Action::Refresh,
                   "2xx response matched detect_on and refresh_on: refresh and retry once "
                   "(SPEC §2.5 rule 1)",
                   refresh);
  return decided(Action::Error,
                 "2xx response matched detect_on but no refresh_on entry: error "
                 "(SPEC §2.5 rule 1)",
                 detected);
}

// SPEC §2.5 rule 2: without refresh_on every failure may be an expired token;
// with it, only the listed ones are, and the rest go back to the caller as is.
Classification classify_failure(const Signals& refresh_on, int status, std::string_view body, bool cut) {
  if (refresh_on.empty())
    return decided(Action::Refresh,
                   "non-2xx response and refresh_on is empty: refresh and retry once "
                   "(SPEC §2.5 rule 2)",
                   nullptr);
  if (const Signal* refresh = first_match(refresh_on, status, body, cut))
    return decided(Action::Refresh,
                   "non-2xx response matched refresh_on: refresh and retry once "
                   "(SPEC §2.5 rule 2)",
                   refresh);
  return decided(Action::Error,
                 "non-2xx response matched no refresh_on entry: error returned as is "
                 "(SPEC §2.5 rule 2)",
                 nullptr);
}

}  // namespace

// `body` is response.body or its first body_limit bytes (classify). A string
// signal must equal the WHOLE body (SPEC §2.5), so a truncated body, whose
// end was never seen, equals no string.
bool Signal::matches(const HttpResponse& response, std::string_view body) const {
  return matches(response.status, body, body.size() != response.body.size());
}

bool Signal::matches(int response_status, std::string_view body, bool cut) const {
  switch (kind) {
    case Kind::Status: return response_status == status;
    case Kind::BodyEquals: return !cut && body == this->body;
    case Kind::BodyRegex: return pattern != nullptr && pattern->search(body);
  }
  return false;
}

const char* to_string(Action a) {
  switch (a) {
    case Action::Ok: return "ok";
    case Action::Refresh: return "refresh";
    case Action::Error: return "error";
  }
  return "error";
}

Classification classify(const Signals& refresh_on, const Signals& detect_on,
                        const HttpResponse& response, size_t body_limit) {
  return classify(refresh_on, detect_on, response.status, response.body, body_limit);
}

Classification classify(const Signals& refresh_on, const Signals& detect_on, int status,
                        std::string_view whole_body, size_t body_limit) {
  std::string_view body = matched_part(whole_body, body_limit);
  bool cut = body.size() != whole_body.size();
  if (is_success(status)) return classify_success(refresh_on, detect_on, status, body, cut);
  return classify_failure(refresh_on, status, body, cut);
}

}  // namespace connauth
