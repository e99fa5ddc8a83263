// Compares RE2's compact Unicode tables (gen_tables.py's unicode_groups.cc
// and unicode_casefold.cc, linked as they are) with the tables RE2's own
// generators wrote (upstream_unicode_groups.cc, upstream_unicode_casefold.cc),
// range by range. scripts/setup compiles and runs it natively before it
// builds RE2 for WebAssembly, and stops unless every range is identical.
// It compiles with -I for the patched RE2 source and for the folder holding
// upstream's tables, with the two compact files as separate sources.
#include <stdio.h>
#include <string.h>

#include "re2/unicode_casefold.h"
#include "re2/unicode_groups.h"

// Upstream's tables, in a namespace of their own: their files open
// `namespace re2 {`, which the macro renames, and their own #include of the
// header above does nothing the second time. (A header name in #include is
// not macro-expanded.)
namespace re2_upstream {
using re2::CaseFold;
using re2::EvenOdd;
using re2::EvenOddSkip;
using re2::OddEven;
using re2::OddEvenSkip;
using re2::UGroup;
using re2::URange16;
using re2::URange32;
}  // namespace re2_upstream
#define re2 re2_upstream
#include "upstream_unicode_casefold.cc"
#include "upstream_unicode_groups.cc"
#undef re2

static bool same_groups() {
  const re2::UGroup* a = re2_upstream::unicode_groups;
  const re2::UGroup* b = re2::UnicodeGroups();
  if (re2_upstream::num_unicode_groups != re2::num_unicode_groups) {
    fprintf(stderr, "%d unicode groups, upstream has %d\n", re2::num_unicode_groups,
            re2_upstream::num_unicode_groups);
    return false;
  }
  for (int i = 0; i < re2::num_unicode_groups; i++) {
    const re2::UGroup& x = a[i];
    const re2::UGroup& y = b[i];
    bool same = strcmp(x.name, y.name) == 0 && x.sign == y.sign && x.nr16 == y.nr16 &&
                x.nr32 == y.nr32 && (x.r16 == NULL) == (y.r16 == NULL) &&
                (x.r32 == NULL) == (y.r32 == NULL);
    for (int j = 0; same && j < x.nr16; j++)
      same = x.r16[j].lo == y.r16[j].lo && x.r16[j].hi == y.r16[j].hi;
    for (int j = 0; same && j < x.nr32; j++)
      same = x.r32[j].lo == y.r32[j].lo && x.r32[j].hi == y.r32[j].hi;
    if (!same) {
      fprintf(stderr, "unicode group %s differs from upstream's\n", x.name);
      return false;
    }
  }
  return true;
}

static bool same_case_folds() {
  const re2::CaseFold* a = re2_upstream::unicode_casefold;
  const re2::CaseFold* b = re2::UnicodeCaseFold();
  if (re2_upstream::num_unicode_casefold != re2::num_unicode_casefold ||
      re2_upstream::num_unicode_tolower != re2::num_unicode_tolower) {
    fprintf(stderr, "%d case folds, upstream has %d\n", re2::num_unicode_casefold,
            re2_upstream::num_unicode_casefold);
    return false;
  }
  for (int i = 0; i < re2::num_unicode_casefold; i++)
    if (a[i].lo != b[i].lo || a[i].hi != b[i].hi || a[i].delta != b[i].delta) {
      fprintf(stderr, "case fold %d (%d-%d) differs from upstream's\n", i, a[i].lo, a[i].hi);
      return false;
    }
  for (int i = 0; i < re2::num_unicode_tolower; i++)
    if (re2_upstream::unicode_tolower[i].lo != re2::unicode_tolower[i].lo ||
        re2_upstream::unicode_tolower[i].hi != re2::unicode_tolower[i].hi ||
        re2_upstream::unicode_tolower[i].delta != re2::unicode_tolower[i].delta) {
      fprintf(stderr, "lower-case fold %d differs from upstream's\n", i);
      return false;
    }
  return true;
}

int main() {
  if (!same_groups() || !same_case_folds()) return 1;
  printf("%d unicode groups and %d case folds identical to upstream's\n", re2::num_unicode_groups,
         re2::num_unicode_casefold);
  return 0;
}
