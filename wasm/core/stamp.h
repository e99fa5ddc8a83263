// What a host injects into one operation so the core stays deterministic
// (sans-I/O): the clock and fresh random bytes. Templates read them as
// `now`, `now_iso` and `uuid` (SPEC §10); request signers take their
// timestamps and nonces from them.
#pragma once

#include "json.h"

#include "result.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace connauth {

// Random bytes a stamp carries: 16 for the uuid, 16 for a signer's nonce.
constexpr size_t kStampRandomBytes = 32;

struct Stamp {
  int64_t now = 0;     // epoch seconds
  std::string random;  // kStampRandomBytes from the host's CSPRNG (fewer: no uuid or nonce)
};

// The host's `context.stamp` = {"now": epoch seconds, "random": hex digits
// (kStampRandomBytes bytes)}: how the one-shot calls (engine.h apply, the
// flows' requests) receive the stamp. Absent: an empty stamp (now 0, no
// random bytes). A problem at /context/stamp when it is malformed.
Result<Stamp> stamp_from_context(const nlohmann::json& context);

// Sets the scope's `now` (epoch seconds), `now_iso` (RFC 3339, UTC, whole
// seconds: "2026-12-07T17:00:00Z") and, when the stamp has its 16 bytes,
// `uuid` (RFC 9562 §5.4 version 4, lowercase).
void stamp_scope(nlohmann::json& scope, const Stamp& stamp);

// Whether a template path reads the stamp (a rule reading it is rendered
// for each request, never once per bound connection).
bool reads_stamp(std::string_view path);

// The UTC calendar time of `now` as "YYYY-MM-DDTHH:MM:SSZ".
std::string rfc3339(int64_t now);
// The nonce of a signer: 32 hex digits from the stamp's last 16 bytes
// (empty when it has none).
std::string stamp_nonce(const Stamp& stamp);

}  // namespace connauth
