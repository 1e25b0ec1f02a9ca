// The contour engine shared by VisualAtom and RCDB (their official scripts: render_VisualAtom.py, make_rcdb.py): closed
// polylines of q vertices pushed outward orbit after orbit by Perlin noise along the vertex directions. The random
// source is a template parameter: CPython's `random` replayed (compat: official) or fdsl's counter-based streams
// (faithful); the arithmetic is the same, in double, left to right as the official scripts write it (this layer is
// compiled with -ffp-contract=off).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

#include "fdsl/core/image.h"
#include "fdsl/core/py_random.h"
#include "fdsl/core/rng.h"
#include "fdsl/render/perlin.h"
#include "fdsl/render/polyline.h"

namespace fdsl::detail::contour {

/// The per-vertex terms a category's q fixes: cos and sin of step * v (step = 2 pi / q) and,
/// for VisualAtom, the two waves 0.5 sin(step v n1) and 0.5 sin(step v n2).
struct Tables {
  int q = 0;
  std::vector<double> cos_v, sin_v, wave1, wave2;

  void build(int vertices, bool waves, std::int64_t n1 = 0, std::int64_t n2 = 0) {
    q = vertices;
    const double step = (std::numbers::pi * 2) / q;
    cos_v.resize(q);
    sin_v.resize(q);
    for (int v = 0; v < q; ++v) {
      cos_v[v] = std::cos(step * v);
      sin_v[v] = std::sin(step * v);
    }
    wave1.assign(waves ? q : 0, 0.0);
    wave2.assign(waves ? q : 0, 0.0);
    for (int v = 0; waves && v < q; ++v) {
      wave1[v] = 0.5 * std::sin(step * v * static_cast<double>(n1));
      wave2[v] = 0.5 * std::sin(step * v * static_cast<double>(n2));
    }
  }
};

/// How one family perturbs a vertex: VisualAtom phi = p eta - eta - wave1 - wave2,
/// RCDB and SegRCDB phi = p eta 2 - eta. VisualAtom and SegRCDB add the centre to the start
/// vertices, RCDB when it draws (the sums round differently).
enum class Noise { VisualAtom, Rcdb, SegRcdb };

/// How the orbits are drawn.
struct Stroke {
  bool antialias = false;  ///< false: Pillow's 1 px lines (the official look)
  double width = 1.0;      ///< antialiased stroke width in pixels
};

/// Per-thread buffers.
struct Scratch {
  std::vector<double> x, y, u, dx, dy;
  std::vector<float> p;
  PolylineAA aa;
};

/// The random draws an orbit takes, from CPython's `random`.
struct PySource {
  PyRandom& r;
  std::int64_t gray(std::int64_t lo, std::int64_t hi) { return r.randint(lo, hi); }
  void random(double* out, std::size_t n) { r.random(out, n); }
};

/// The same draws from an fdsl stream.
struct RngSource {
  Rng& r;
  std::int64_t gray(std::int64_t lo, std::int64_t hi) { return r.uniform_int(lo, hi); }
  void random(double* out, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) out[i] = r.uniform();
  }
};

/// One instance's geometry.
struct Shape {
  Noise noise = Noise::VisualAtom;
  double eta = 0;           ///< Perlin amplitude
  double w = 0;             ///< line-width offset
  std::int64_t r0 = 0;      ///< start radius
  double ox = 1, oy = 1;    ///< oval factors
  double cx = 0, cy = 0;    ///< centre (VisualAtom: added to the start vertices; RCDB: at drawing)
  std::int64_t orbits = 1;  ///< K
  std::int64_t gray_lo = 0, gray_hi = 255;
};

/// Told of every orbit before it is drawn: its index, its q + 1 vertices (the last a copy of the
/// first) in canvas pixels and its ink; returns true when it drew the orbit onto the canvas itself
/// (Pillow lines only), false to leave it to render_orbits.
struct NoOrbitHook {
  bool operator()(std::int64_t, const double*, const double*, std::size_t, std::uint8_t) const { return false; }
};

/// Draws the K orbits of one instance onto `canvas` (1 channel), taking every draw from `src` in
/// the official order: per orbit the gray, then q noise inputs U(0, 10000) for x, then q for y.
template <class Source, class Hook = NoOrbitHook>
void render_orbits(const Shape& s, const Tables& t, Source& src, const Stroke& stroke, Image& canvas, Scratch& b,
                   Hook&& on_orbit = {}) {
  const int q = t.q;
  b.x.resize(static_cast<std::size_t>(q) + 1);
  b.y.resize(static_cast<std::size_t>(q) + 1);
  b.u.resize(2 * static_cast<std::size_t>(q));
  b.p.resize(2 * static_cast<std::size_t>(q));
  double* x = b.x.data();
  double* y = b.y.data();
  const double r0 = static_cast<double>(s.r0);
  const bool va = s.noise == Noise::VisualAtom;
  const bool centred = s.noise != Noise::Rcdb;  // the centre is in the start vertices
  for (int v = 0; v < q; ++v) {
    if (centred) {
      x[v] = t.cos_v[v] * r0 * s.ox + s.cx;
      y[v] = t.sin_v[v] * r0 * s.oy + s.cy;
    } else {
      x[v] = t.cos_v[v] * r0 * s.ox;
      y[v] = t.sin_v[v] * r0 * s.oy;
    }
  }
  x[q] = x[0];
  y[q] = y[0];
  const double eta = s.eta, w = s.w;
  for (std::int64_t k = 0; k < s.orbits; ++k) {
    const std::int64_t gray = src.gray(s.gray_lo, s.gray_hi);
    src.random(b.u.data(), b.u.size());
    // uniform(0, 10000) = 0 + (10000 - 0) * random(); pnoise1 rounds it to float.
    for (double& u : b.u) u = 0.0 + 10000.0 * u;
    pnoise1(b.u.data(), b.p.data(), b.u.size());
    const float* px = b.p.data();
    const float* py = b.p.data() + q;
    if (va) {
      for (int v = 0; v < q; ++v) {
        const double phi = static_cast<double>(px[v]) * eta - eta - t.wave1[v] - t.wave2[v];
        x[v] -= t.cos_v[v] * (phi - w);
      }
      for (int v = 0; v < q; ++v) {
        const double phi = static_cast<double>(py[v]) * eta - eta - t.wave1[v] - t.wave2[v];
        y[v] -= t.sin_v[v] * (phi - w);
      }
    } else {
      for (int v = 0; v < q; ++v) {
        const double phi = static_cast<double>(px[v]) * eta * 2 - eta;
        x[v] -= t.cos_v[v] * (phi - w);
      }
      for (int v = 0; v < q; ++v) {
        const double phi = static_cast<double>(py[v]) * eta * 2 - eta;
        y[v] -= t.sin_v[v] * (phi - w);
      }
    }
    x[q] = x[0];
    y[q] = y[0];
    // Pillow clips the ink to 0..255 (RCDB's gray reaches 256).
    const auto ink = static_cast<std::uint8_t>(std::clamp<std::int64_t>(gray, 0, 255));
    const double* dx = x;
    const double* dy = y;
    if (!centred) {
      b.dx.resize(static_cast<std::size_t>(q) + 1);
      b.dy.resize(static_cast<std::size_t>(q) + 1);
      for (int v = 0; v <= q; ++v) {
        b.dx[v] = x[v] + s.cx;
        b.dy[v] = y[v] + s.cy;
      }
      dx = b.dx.data();
      dy = b.dy.data();
    }
    if (on_orbit(k, dx, dy, static_cast<std::size_t>(q) + 1, ink)) continue;
    // The closing vertex is a copy of vertex 0: q + 1 points, open, are the q segments.
    if (stroke.antialias)
      b.aa.draw(canvas, dx, dy, static_cast<std::size_t>(q) + 1, false, ink, stroke.width);
    else
      draw_polyline_pillow(canvas, dx, dy, static_cast<std::size_t>(q) + 1, false, ink);
  }
}

/// Takes the draws render_orbits would take, without drawing: the grays (their rejection
/// sampling decides how many outputs they use) and 2q random() calls skipped per orbit.
inline void skip_orbits(std::int64_t orbits, int q, std::int64_t gray_lo, std::int64_t gray_hi, PyRandom& r) {
  for (std::int64_t k = 0; k < orbits; ++k) {
    r.randint(gray_lo, gray_hi);
    r.skip_random(2 * static_cast<std::uint64_t>(q));
  }
}

/// The classes worker t of W renders in the official scripts: [t C / W, (t + 1) C / W).
inline std::int64_t worker_of(std::int64_t category, std::int64_t classes, std::int64_t workers) {
  return category / (classes / workers);
}

}  // namespace fdsl::detail::contour
