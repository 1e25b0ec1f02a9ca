// One-dimensional Perlin noise exactly as the Python `noise` package's pnoise1(x) computes it with
// its defaults (one octave, repeat 1024, base 0): single precision throughout, Ken Perlin's
// permutation. VisualAtom and RCDB perturb their contours with it.
//
//   float n = fdsl::pnoise1(1234.5678f);   // == noise.pnoise1(1234.5678)
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

namespace fdsl {

namespace detail {
/// Ken Perlin's reference permutation of 0..255.
extern const std::uint8_t kPerlinPermutation[256];
}  // namespace detail

/// noise.pnoise1(x) for a float x (Python rounds its argument to float first). Cell i = floor(x)
/// and i + 1, each taken mod 1024 and masked with 255 (the same as masking floor(x) with 255);
/// f = x - floor(x); fade = f^3 (f (6f - 15) + 10); gradient g = (h & 7) + 1, or -1 when h & 8;
/// result = lerp(fade, g(P[i]) f, g(P[i+1]) (f - 1)) * 0.4, all in float.
inline float pnoise1(float x) {
  const float fl = std::floor(x);
  const int cell = static_cast<int>(fl);
  const int h0 = detail::kPerlinPermutation[cell & 255];
  const int h1 = detail::kPerlinPermutation[(cell + 1) & 255];
  const float f = x - fl;
  const float fade = f * f * f * (f * (f * 6.0f - 15.0f) + 10.0f);
  const float g0 = (h0 & 8) ? -1.0f : static_cast<float>((h0 & 7) + 1);
  const float g1 = (h1 & 8) ? -1.0f : static_cast<float>((h1 & 7) + 1);
  const float a = g0 * f, b = g1 * (f - 1.0f);
  return (a + fade * (b - a)) * 0.4f;
}

/// out[i] = pnoise1(float(in[i])) for n inputs (vectorized where the CPU allows; same values).
void pnoise1(const double* in, float* out, std::size_t n);

}  // namespace fdsl
