#include "fdsl/generators/sigma_ifs.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace fdsl {

namespace {

/// rotation(theta) * diag(sx, sy), sx, sy in {-1, 1}.
void rotation_reflection(Rng& rng, double m[4]) {
  const double theta = rng.uniform(-std::numbers::pi, std::numbers::pi);
  const double sx = rng.uniform() < 0.5 ? -1.0 : 1.0;
  const double sy = rng.uniform() < 0.5 ? -1.0 : 1.0;
  const double c = std::cos(theta), s = std::sin(theta);
  m[0] = c * sx;
  m[1] = -s * sy;
  m[2] = s * sx;
  m[3] = c * sy;
}

double uniform_between(Rng& rng, double lo, double hi) {
  // Rounding can make lo exceed hi by an ulp at the feasible edge; the point is then forced.
  if (hi <= lo) return lo;
  return rng.uniform(lo, hi);
}

}  // namespace

SigmaIfs sample_sigma_ifs(Rng& rng, int n, double alpha) {
  SigmaIfs out;
  out.alpha = alpha;
  out.s1.resize(n);
  out.s2.resize(n);
  double p = alpha, q = alpha - 3.0 * n + 3.0;
  for (int i = 0; i < n - 1; ++i) {
    const double s1 = uniform_between(rng, std::max(0.0, q / 3.0), std::min(1.0, p));
    q -= s1;
    p -= s1;
    const double s2 = uniform_between(rng, std::max(0.0, q / 2.0), std::min(s1, p / 2.0));
    q = q - 2.0 * s2 + 3.0;
    p -= 2.0 * s2;
    out.s1[i] = s1;
    out.s2[i] = s2;
  }
  const double s2 = uniform_between(rng, std::max(0.0, (p - 1.0) / 2.0), p / 3.0);
  out.s2[n - 1] = s2;
  out.s1[n - 1] = p - 2.0 * s2;

  out.ifs.maps.resize(n);
  out.ifs.probs.resize(n);
  double total = 0;
  for (int i = 0; i < n; ++i) {
    double u[4], v[4];
    rotation_reflection(rng, u);
    rotation_reflection(rng, v);
    // A = U diag(s1, s2) V
    const double d0 = out.s1[i], d1 = out.s2[i];
    const double us[4] = {u[0] * d0, u[1] * d1, u[2] * d0, u[3] * d1};
    AffineMap2& m = out.ifs.maps[i];
    m.a = us[0] * v[0] + us[1] * v[2];
    m.b = us[0] * v[1] + us[1] * v[3];
    m.c = us[2] * v[0] + us[3] * v[2];
    m.d = us[2] * v[1] + us[3] * v[3];
    m.e = rng.uniform(-1.0, 1.0);
    m.f = rng.uniform(-1.0, 1.0);
    out.ifs.probs[i] = d0 * d1;
    total += d0 * d1;
  }
  for (double& pr : out.ifs.probs) pr = total > 0 ? pr / total : 1.0 / n;
  return out;
}

double max_singular_value(const AffineMap2& m) {
  // Singular values of [[a, b], [c, d]] from the eigenvalues of A^T A.
  const double p = m.a * m.a + m.c * m.c, r = m.b * m.b + m.d * m.d, q = m.a * m.b + m.c * m.d;
  const double mean = 0.5 * (p + r);
  const double disc = std::sqrt(std::max(0.0, 0.25 * (p - r) * (p - r) + q * q));
  return std::sqrt(mean + disc);
}

}  // namespace fdsl
