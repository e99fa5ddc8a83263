#include "stamp.h"

#include <cmath>

#include "url.h"

namespace connauth {

namespace {

constexpr size_t kUuidBytes = 16;

// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
// civil_from_days, public domain): valid for every int64 second count we
// can be given, negative included.
void civil_from_days(int64_t days, int64_t& year, unsigned& month, unsigned& day) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = unsigned(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = int64_t(yoe) + era * 400 + (month <= 2);
}

void append_digits(std::string& out, int64_t value, int width) {
  std::string digits = std::to_string(value);
  if (digits.size() < size_t(width)) out.append(size_t(width) - digits.size(), '0');
  out += digits;
}

// RFC 9562 §5.4: 122 random bits, version 4 in the high nibble of byte 6,
// variant 10 in the high bits of byte 8, printed 8-4-4-4-12.
std::string uuid_v4(std::string_view random) {
  std::string bytes(random.substr(0, kUuidBytes));
  bytes[6] = char((bytes[6] & 0x0f) | 0x40);
  bytes[8] = char((bytes[8] & 0x3f) | 0x80);
  std::string hex = hex_encode(bytes);
  return hex.substr(0, 8) + '-' + hex.substr(8, 4) + '-' + hex.substr(12, 4) + '-' + hex.substr(16, 4) + '-' +
         hex.substr(20);
}

}  // namespace

std::string rfc3339(int64_t now) {
  int64_t days = now >= 0 ? now / 86400 : (now - 86399) / 86400;
  int64_t seconds = now - days * 86400;
  int64_t year;
  unsigned month, day;
  civil_from_days(days, year, month, day);
  std::string out;
  append_digits(out, year, 4);
  out += '-';
  append_digits(out, month, 2);
  out += '-';
  append_digits(out, day, 2);
  out += 'T';
  append_digits(out, seconds / 3600, 2);
  out += ':';
  append_digits(out, seconds / 60 % 60, 2);
  out += ':';
  append_digits(out, seconds % 60, 2);
  out += 'Z';
  return out;
}

void stamp_scope(nlohmann::json& scope, const Stamp& stamp) {
  scope["now"] = stamp.now;
  scope["now_iso"] = rfc3339(stamp.now);
  if (stamp.random.size() >= kUuidBytes) scope["uuid"] = uuid_v4(stamp.random);
}

Result<Stamp> stamp_from_context(const nlohmann::json& context) {
  Stamp stamp;
  auto it = context.is_object() ? context.find("stamp") : context.end();
  if (it == context.end() || it->is_null()) return Result<Stamp>::success(std::move(stamp));
  const char* problem = nullptr;
  auto now = it->is_object() ? it->find("now") : it->end();
  auto random = it->is_object() ? it->find("random") : it->end();
  if (now == it->end() || !now->is_number() || !std::isfinite(now->get<double>()))
    problem = "must be {\"now\": epoch seconds, \"random\": hex digits from the host's CSPRNG}";
  else if (random != it->end()) {
    std::optional<std::string> bytes;
    if (random->is_string()) bytes = hex_decode(random->get_ref<const std::string&>());
    if (!bytes) problem = "has a `random` that is not hex digits (two per byte)";
    else stamp.random = std::move(*bytes);
  }
  if (problem) return Result<Stamp>::failure("/context/stamp", problem);
  stamp.now = static_cast<int64_t>(now->get<double>());
  return Result<Stamp>::success(std::move(stamp));
}

bool reads_stamp(std::string_view path) {
  std::string_view root = path.substr(0, path.find('.'));
  return root == "now" || root == "now_iso" || root == "uuid";
}

std::string stamp_nonce(const Stamp& stamp) {
  if (stamp.random.size() < 2 * kUuidBytes) return "";
  return hex_encode(std::string_view(stamp.random).substr(kUuidBytes, kUuidBytes));
}

}  // namespace connauth
