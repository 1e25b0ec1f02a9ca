#include "fdsl/render/perlin.h"

#include <algorithm>

namespace fdsl {

namespace detail {
const std::uint8_t kPerlinPermutation[256] = {
    151, 160, 137, 91,  90,  15,  131, 13,  201, 95,  96,  53,  194, 233, 7,   225, 140, 36,  103, 30,  69,  142,
    8,   99,  37,  240, 21,  10,  23,  190, 6,   148, 247, 120, 234, 75,  0,   26,  197, 62,  94,  252, 219, 203,
    117, 35,  11,  32,  57,  177, 33,  88,  237, 149, 56,  87,  174, 20,  125, 136, 171, 168, 68,  175, 74,  165,
    71,  134, 139, 48,  27,  166, 77,  146, 158, 231, 83,  111, 229, 122, 60,  211, 133, 230, 220, 105, 92,  41,
    55,  46,  245, 40,  244, 102, 143, 54,  65,  25,  63,  161, 1,   216, 80,  73,  209, 76,  132, 187, 208, 89,
    18,  169, 200, 196, 135, 130, 116, 188, 159, 86,  164, 100, 109, 198, 173, 186, 3,   64,  52,  217, 226, 250,
    124, 123, 5,   202, 38,  147, 118, 126, 255, 82,  85,  212, 207, 206, 59,  227, 47,  16,  58,  17,  182, 189,
    28,  42,  223, 183, 170, 213, 119, 248, 152, 2,   44,  154, 163, 70,  221, 153, 101, 155, 167, 43,  172, 9,
    129, 22,  39,  253, 19,  98,  108, 110, 79,  113, 224, 232, 178, 185, 112, 104, 218, 246, 97,  228, 251, 34,
    242, 193, 238, 210, 144, 12,  191, 179, 162, 241, 81,  51,  145, 235, 249, 14,  239, 107, 49,  192, 214, 31,
    181, 199, 106, 157, 184, 84,  204, 176, 115, 121, 50,  45,  127, 4,   150, 254, 138, 236, 205, 93,  222, 114,
    67,  29,  24,  72,  243, 141, 128, 195, 78,  66,  215, 61,  156, 180};
}  // namespace detail

namespace {

/// Gradient factor per permutation entry: (h & 7) + 1, or -1 when h & 8, looked up by cell.
struct GradientTable {
  float g[256];
  GradientTable() {
    for (int i = 0; i < 256; ++i) {
      const int h = detail::kPerlinPermutation[i];
      g[i] = (h & 8) ? -1.0f : static_cast<float>((h & 7) + 1);
    }
  }
};
const GradientTable kGradients;

__attribute__((target_clones("avx2", "default"))) void pnoise1_block(const double* __restrict in, float* __restrict out,
                                                                     std::size_t n, const float* __restrict grad) {
  for (std::size_t i = 0; i < n; ++i) {
    // floor() as truncation and a correction, which vectorizes. From 2^24 on every float is an
    // integer, f is 0 and the cell does not change the result (0): the clamp only keeps the
    // conversion to int defined.
    const float x = static_cast<float>(in[i]);
    const float xc = std::min(std::max(x, -16777216.0f), 16777216.0f);
    const int t = static_cast<int>(xc);
    const float ft = static_cast<float>(t);
    const int below = ft > xc;  // negative non-integers truncate upward
    const int cell = t - below;
    const float fl = ft - static_cast<float>(below);
    const float f = xc - fl;
    const float fade = f * f * f * (f * (f * 6.0f - 15.0f) + 10.0f);
    const float a = grad[cell & 255] * f, b = grad[(cell + 1) & 255] * (f - 1.0f);
    out[i] = (a + fade * (b - a)) * 0.4f;
  }
}

}  // namespace

void pnoise1(const double* in, float* out, std::size_t n) { pnoise1_block(in, out, n, kGradients.g); }

}  // namespace fdsl
