// Classes of the noise families (spectral_noise, dead_leaves): the published recipes have one class
// of samples whose exponent is drawn from a range; `classes: K` splits that range into K equal bins,
// class k drawing its exponent inside bin k, so a classifier has something to learn.
#pragma once

#include <cstdint>
#include <string>

#include "fdsl/core/params.h"
#include "fdsl/core/rng.h"

namespace fdsl::detail {

struct ExponentClasses {
  double lo = 0, hi = 0;
  std::int64_t classes = 1;

  /// Reads `<key>_min`/`<key>_max`; refuses several classes over an empty range (they would be
  /// one distribution under several labels).
  void read(const Params& p, const std::string& key, std::int64_t count) {
    lo = p.get_float(key + "_min");
    hi = p.get_float(key + "_max");
    classes = count;
    if (classes > 1 && !(hi > lo))
      p.fail("classes", std::to_string(classes) + " classes split [" + key + "_min, " + key +
                            "_max] into bins, and that range is empty (" + p.value_text(key + "_min") + " to " +
                            p.value_text(key + "_max") + "): every class would be the same distribution; give " + key +
                            "_min < " + key + "_max or classes: 1");
  }
  double bin_lo(std::int64_t c) const { return lo + (hi - lo) * static_cast<double>(c) / static_cast<double>(classes); }
  double bin_hi(std::int64_t c) const {
    return c + 1 == classes ? hi : lo + (hi - lo) * static_cast<double>(c + 1) / static_cast<double>(classes);
  }
  double draw(std::int64_t c, Rng& rng) const { return rng.uniform(bin_lo(c), bin_hi(c)); }
};

}  // namespace fdsl::detail
