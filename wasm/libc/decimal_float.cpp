#include "decimal_float.h"

#include <cstring>

namespace connauth {
namespace {

// log10(2) is 0.30102999...: the bounds below round it the safe way.
constexpr int floor_log10_pow2_low(int n) { return int(std::int64_t(n) * 30102 / 100000); }
constexpr int floor_log10_pow2_high(int n) { return int(std::int64_t(n) * 30103 / 100000); }

template <int P, int EB>
struct Format {
  static constexpr int emax = (1 << (EB - 1)) - 1;
  static constexpr int emin = 1 - emax;
  // Significant digits that can decide the rounding: a number halfway
  // between two neighbours of the format has at most about this many (767
  // for binary64, 112 for binary32, 11,563 for binary128). Past them the
  // digits count only as zero or not (one sticky digit 1 stands for them).
  static constexpr int max_digits = P - emin - floor_log10_pow2_low(-emin - 1) + 2;
  // D × 10^E with k significant digits is infinite when k - 1 + E reaches
  // max_exp10 (10^max_exp10 > 2^(emax+1)), and rounds to zero when k + E is
  // below min_exp10 (10^(k+E) < 2^(emin-P), half the least subnormal).
  static constexpr int max_exp10 = floor_log10_pow2_high(emax + 1) + 1;
  static constexpr int min_exp10 = -floor_log10_pow2_low(P - emin);
};

// A non-negative integer in 32-bit limbs, least significant first, large
// enough for the numbers of one conversion (the bound is computed from the
// format by Limbs below).
template <int L>
struct Big {
  std::uint32_t w[L];
  int n = 0;  // limbs in use; the top one is not zero

  void mul_add(std::uint32_t m, std::uint32_t a) {
    std::uint64_t carry = a;
    for (int i = 0; i < n; ++i) {
      std::uint64_t t = std::uint64_t(w[i]) * m + carry;
      w[i] = std::uint32_t(t);
      carry = t >> 32;
    }
    if (carry) w[n++] = std::uint32_t(carry);
  }
  void mul_pow10(std::int64_t e) {
    static constexpr std::uint32_t kPow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
                                               100000000, 1000000000};
    for (; e >= 9; e -= 9) mul_add(kPow10[9], 0);
    mul_add(kPow10[e], 0);
  }
  int bits() const { return n == 0 ? 0 : 32 * n - __builtin_clz(w[n - 1]); }
  void shl(int s) {
    if (n == 0) return;
    int q = s >> 5, r = s & 31;
    std::uint32_t top = r ? w[n - 1] >> (32 - r) : 0;
    for (int i = n - 1; i >= 0; --i) w[i + q] = (w[i] << r) | (r && i > 0 ? w[i - 1] >> (32 - r) : 0);
    for (int i = 0; i < q; ++i) w[i] = 0;
    n += q;
    if (top) w[n++] = top;
  }
  bool at_least(const Big& o) const {
    if (n != o.n) return n > o.n;
    for (int i = n - 1; i >= 0; --i)
      if (w[i] != o.w[i]) return w[i] > o.w[i];
    return true;
  }
  void sub(const Big& o) {  // *this >= o
    std::uint64_t borrow = 0;
    for (int i = 0; i < n; ++i) {
      std::uint64_t t = std::uint64_t(w[i]) - (i < o.n ? o.w[i] : 0) - borrow;
      w[i] = std::uint32_t(t);
      borrow = (t >> 32) & 1;
    }
    while (n > 0 && w[n - 1] == 0) --n;
  }
};

// Limbs for D × 10^E within the format's bounds: D < 10^(max_digits + 1);
// for E >= 0 the product is below 10^max_exp10; for E < 0 the divisor
// 10^-E is at most 10^(max_digits + 1 - min_exp10) and is shifted by up to
// the word's bits (log2(10) < 3.322).
template <int W, class F>
constexpr int limbs() {
  int digits = F::max_digits + 2 - F::min_exp10;
  if (F::max_exp10 > digits) digits = F::max_exp10;
  return (digits * 3322 / 1000 + 2 * W + 2) / 32 + 2;
}

bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
char lower(char c) { return char(c | 0x20); }

// The characters of `word` (lower case) at `p`, in any case.
bool starts_with(const char* p, const char* word) {
  for (; *word; ++p, ++word)
    if (lower(*p) != *word) return false;
  return true;
}

}  // namespace

template <class Word, int P, int EB>
Word decimal_to_float(const char* text, const char** end, bool* range_error) {
  using F = Format<P, EB>;
  constexpr int W = int(sizeof(Word) * 8);
  constexpr int L = limbs<W, F>();
  const Word inf_bits = Word(2 * F::emax + 1) << (P - 1);

  const char* p = text;
  while (is_space(*p)) ++p;
  bool negative = false;
  if (*p == '+' || *p == '-') negative = *p++ == '-';
  const Word sign = Word(negative) << (P - 1 + EB);

  if (starts_with(p, "inf")) {
    *end = p + (starts_with(p, "infinity") ? 8 : 3);
    return sign | inf_bits;
  }
  if (starts_with(p, "nan")) {  // as musl: a quiet NaN, the sign ignored
    p += 3;
    if (*p == '(') {
      const char* q = p + 1;
      while ((*q >= '0' && *q <= '9') || (lower(*q) >= 'a' && lower(*q) <= 'z') || *q == '_') ++q;
      if (*q == ')') p = q + 1;
    }
    *end = p;
    return inf_bits | (Word(1) << (P - 2));
  }

  // The significant digits go into D (at most max_digits of them, then one
  // sticky digit), the value being D × 10^e10.
  Big<L> d;
  int kept = 0;
  std::uint64_t small = 0;  // D while it has at most 19 digits
  std::uint32_t chunk = 0;
  int chunk_digits = 0;
  std::int64_t e10 = 0;
  bool any_digit = false, point = false, sticky = false;
  for (;; ++p) {
    char c = *p;
    if (c == '.' && !point) {
      point = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    any_digit = true;
    if (kept == 0 && c == '0') {
      e10 -= point;
      continue;
    }
    if (kept < F::max_digits) {
      ++kept;
      e10 -= point;
      small = small * 10 + std::uint64_t(c - '0');
      chunk = chunk * 10 + std::uint32_t(c - '0');
      if (++chunk_digits == 9) {
        d.mul_add(1000000000, chunk);
        chunk = 0;
        chunk_digits = 0;
      }
    } else {
      sticky |= c != '0';
      e10 += !point;
    }
  }
  if (!any_digit) {
    *end = text;
    return 0;
  }
  if (lower(*p) == 'e') {
    const char* q = p + 1;
    bool exp_negative = false;
    if (*q == '+' || *q == '-') exp_negative = *q++ == '-';
    if (*q >= '0' && *q <= '9') {
      std::int64_t exp = 0;
      for (; *q >= '0' && *q <= '9'; ++q)
        if (exp < 100000000) exp = exp * 10 + (*q - '0');
      e10 += exp_negative ? -exp : exp;
      p = q;
    }
  }
  *end = p;
  if (kept == 0) return sign;

  if (P == 53 && W == 64 && kept <= 19 && !sticky && small <= (std::uint64_t(1) << 53) && e10 >= -22 &&
      e10 <= 22) {
    // Both D and 10^|e10| are exact doubles: one division or product rounds
    // correctly (Clinger's fast path).
    double scale = 1;
    for (std::int64_t i = e10 < 0 ? -e10 : e10; i > 0; --i) scale *= 10;
    double x = double(small);
    x = e10 < 0 ? x / scale : x * scale;
    std::uint64_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    return sign | Word(bits);
  }

  static constexpr std::uint32_t kPow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};
  d.mul_add(kPow10[chunk_digits], chunk);
  if (sticky) {
    d.mul_add(10, 1);
    ++kept;
    --e10;
  }
  if (kept - 1 + e10 >= F::max_exp10) {
    *range_error = true;
    return sign | inf_bits;
  }
  if (kept + e10 < F::min_exp10) {
    *range_error = true;
    return sign;
  }

  // q = floor(N / M) with N / M = D × 10^e10 × 2^s in [2^(W-2), 2^W), by
  // long division; the remainder says whether the value is exact.
  Big<L> m;
  m.w[0] = 1;
  m.n = 1;
  if (e10 >= 0)
    d.mul_pow10(e10);
  else
    m.mul_pow10(-e10);
  int s = W - 1 + m.bits() - d.bits();
  if (s >= 0)
    d.shl(s);
  else
    m.shl(-s);
  m.shl(W - 1);
  Word q = 0;
  for (int i = 0; i < W; ++i) {
    q <<= 1;
    if (d.at_least(m)) {
      d.sub(m);
      q |= 1;
    }
    d.shl(1);
  }
  const bool inexact_tail = d.n != 0;

  // The value is (q + tail) × 2^-s; its leading bit is 2^e.
  const int top = (q >> (W - 1)) ? W - 1 : W - 2;
  const int e = top - s;
  if (e > F::emax) {
    *range_error = true;
    return sign | inf_bits;
  }
  int drop = top + 1 - P + (e < F::emin ? F::emin - e : 0);
  if (drop > top + 1) {  // below half the least subnormal
    *range_error = true;
    return sign;
  }
  Word keep = drop == W ? 0 : q >> drop;
  Word rest = drop == W ? q : q & ((Word(1) << drop) - 1);
  Word half = Word(1) << (drop - 1);
  bool inexact = rest != 0 || inexact_tail;
  keep += rest > half || (rest == half && (inexact_tail || (keep & 1)));
  if (keep < (Word(1) << (P - 1)) && inexact) *range_error = true;  // zero or subnormal
  // The leading bit of keep lands in the exponent field: a mantissa that
  // rounded up to 2^P, or a subnormal to 2^(P-1), carries into it.
  Word bits = (e >= F::emin ? Word(e - F::emin) << (P - 1) : 0) + keep;
  if (bits >= inf_bits) {
    *range_error = true;
    return sign | inf_bits;
  }
  return sign | bits;
}

template std::uint64_t decimal_to_float<std::uint64_t, 24, 8>(const char*, const char**, bool*);
template std::uint64_t decimal_to_float<std::uint64_t, 53, 11>(const char*, const char**, bool*);
template uint128 decimal_to_float<uint128, 113, 15>(const char*, const char**, bool*);

}  // namespace connauth
