// spectral_noise and dead_leaves: samples are pure functions of their indices, classes split the
// exponent range, and the drawn distributions are the published ones (the measured spectral slope;
// the dead-leaves radius law, measured on rendered discs).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <map>
#include <numeric>
#include <set>
#include <string>

#include "fdsl/core/error.h"
#include "fdsl/core/rng.h"
#include "fdsl/dataset/spec.h"
#include "fdsl/generators/dead_leaves.h"
#include "fdsl/render/spectral.h"
#include "fdsl/render/statistical.h"
#include "test_support.h"

namespace fdsl {
namespace {

DatasetSpec spec_from(const std::string& yaml, int threads = 0) {
  test::TempDir dir("noise_families");
  SpecOptions o;
  o.threads = threads;
  return make_dataset_spec(parse_config_text(yaml, "cfg.yaml"), o, dir.path());
}

void expect_pure(const std::string& yaml, int channels) {
  const DatasetSpec a = spec_from(yaml, 1), b = spec_from(yaml, 2);
  const Generator& g = *a.generator;
  ASSERT_EQ(g.image_shape()->channels, channels) << yaml;
  const Sample s0 = g.make(0, 0), s1 = g.make(0, 1);
  EXPECT_EQ(s0.image.channels, channels);
  EXPECT_EQ(s0.image.pixels, b.generator->make(0, 0).image.pixels) << "the same sample from another generator";
  EXPECT_EQ(s0.image.pixels, g.make(0, 0).image.pixels) << "the same sample twice";
  EXPECT_NE(s0.image.pixels, s1.image.pixels) << "two instances";
  std::vector<std::uint8_t> into(s1.image.pixels.size(), 7);
  g.make_image_into(0, 1, into.data(), s1.image.width, s1.image.height, channels);
  EXPECT_EQ(into, s1.image.pixels) << "make_image_into draws make()'s pixels";
  const auto redraw = g.redrawn(1);
  ASSERT_TRUE(redraw);
  EXPECT_NE(redraw->make(0, 0).image.pixels, s0.image.pixels);
}

TEST(SpectralNoise, SamplesArePureAndUseTheFullRange) {
  expect_pure("generator: spectral_noise\ninstances: 4\nsize: 64\n", 3);
  expect_pure("generator: spectral_noise\ninstances: 4\nsize: 48\nchannels: 1\n", 1);
  expect_pure("generator: spectral_noise\ninstances: 4\nsize: 32\ncolor_model: independent\n", 3);
  const DatasetSpec spec = spec_from("generator: spectral_noise\ninstances: 3\nsize: 64\n");
  EXPECT_EQ(spec.generator->num_classes(), 1);
  for (int i = 0; i < 3; ++i) {
    const auto& px = spec.generator->make(0, i).image.pixels;
    const auto [lo, hi] = std::minmax_element(px.begin(), px.end());
    EXPECT_EQ(*lo, 0);
    EXPECT_GE(*hi, 254);  // min-max scaled, then truncated
  }
}

// A gray image made with slope s (no anisotropy) measures s within 0.05 on the frequencies above the
// lowest few and below where 8-bit rounding's white floor takes over.
TEST(SpectralNoise, MeasuredSlopeOfTheImagesIsTheSlope) {
  for (double s : {0.5, 1.0, 1.5, 2.0}) {
    char yaml[200];
    std::snprintf(yaml, sizeof yaml,
                  "generator: spectral_noise\ninstances: 6\nsize: 256\nchannels: 1\nslope_min: %g\nslope_max: %g\n"
                  "anisotropy: 0\n",
                  s, s);
    const DatasetSpec spec = spec_from(yaml);
    double sum = 0;
    for (int i = 0; i < 6; ++i) {
      const Sample smp = spec.generator->make(0, i);
      std::vector<float> f(smp.image.pixels.begin(), smp.image.pixels.end());
      sum += measured_spectral_slope(f.data(), 256, 4, 24);
    }
    EXPECT_NEAR(sum / 6, s, 0.05) << "slope " << s;
  }
}

TEST(SpectralNoise, ClassesSplitTheSlopeRange) {
  const DatasetSpec spec = spec_from("generator: spectral_noise\nclasses: 3\ninstances: 2\nsize: 32\n");
  const Generator& g = *spec.generator;
  ASSERT_EQ(g.num_classes(), 3);
  EXPECT_DOUBLE_EQ(g.category_json(0)["slope_min"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(g.category_json(1)["slope_min"].get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(g.category_json(2)["slope_max"].get<double>(), 3.5);
  // Steeper classes make smoother images: fewer large steps between neighbours.
  auto roughness = [&](std::int64_t c) {
    double r = 0;
    for (int i = 0; i < 2; ++i) {
      const Sample s = g.make(c, i);
      for (std::size_t k = 3; k < s.image.pixels.size(); ++k)
        r += std::abs(static_cast<int>(s.image.pixels[k]) - static_cast<int>(s.image.pixels[k - 3]));
    }
    return r;
  };
  EXPECT_GT(roughness(0), roughness(1));
  EXPECT_GT(roughness(1), roughness(2));
  try {
    spec_from("generator: spectral_noise\nclasses: 4\nslope_min: 2\nslope_max: 2\n");
    FAIL() << "classes over an empty slope range were accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("classes"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("slope_min"), std::string::npos) << e.what();
  }
  EXPECT_THROW(spec_from("generator: spectral_noise\nchannels: 1\ncolor_model: independent\n"), Error);
  EXPECT_THROW(spec_from("generator: spectral_noise\nslope_min: 3\nslope_max: 1\n"), Error);
}

// The iterative models (spectrum_color, wmm, spectrum_color_wmm): pure samples at sizes that are
// and are not powers of two, gray for wmm, and each model's own mark on the images.
TEST(SpectralNoise, IterativeModelsArePure) {
  expect_pure("generator: spectral_noise\ninstances: 3\nsize: 32\nmodel: spectrum_color\niterations: 3\n", 3);
  expect_pure("generator: spectral_noise\ninstances: 3\nsize: 24\nmodel: wmm\niterations: 2\n", 3);
  expect_pure("generator: spectral_noise\ninstances: 3\nsize: 32\nmodel: wmm\nchannels: 1\n", 1);
  expect_pure(
      "generator: spectral_noise\ninstances: 3\nsize: 16\nmodel: spectrum_color_wmm\ncolor_model: independent\n", 3);
}

// Kurtosis of the finest band (the highpass residual) of gray images: the WMM matches every band
// to a heavy-tailed marginal (r in [0.4, 0.8]), random phases leave it Gaussian (3).
double highpass_kurtosis(const Sample& s) {
  const int n = s.image.width;
  const SteerablePyramid pyr(n, wmm_levels(n));
  std::vector<float> x(s.image.pixels.begin(), s.image.pixels.end()), bands(pyr.total());
  SteerablePyramid::Work w;
  pyr.build(x.data(), bands.data(), w);
  double mean = 0, m2 = 0, m4 = 0;
  const std::size_t count = pyr.band_offset(1);
  for (std::size_t i = 0; i < count; ++i) mean += bands[i];
  mean /= static_cast<double>(count);
  for (std::size_t i = 0; i < count; ++i) {
    const double d = bands[i] - mean;
    m2 += d * d;
    m4 += d * d * d * d;
  }
  return m4 * static_cast<double>(count) / (m2 * m2);
}

TEST(SpectralNoise, WmmImagesHaveHeavyTailedSubbands) {
  const DatasetSpec wmm = spec_from("generator: spectral_noise\ninstances: 6\nsize: 128\nchannels: 1\nmodel: wmm\n");
  const DatasetSpec plain = spec_from("generator: spectral_noise\ninstances: 6\nsize: 128\nchannels: 1\n");
  for (int i = 0; i < 6; ++i) {
    EXPECT_GT(highpass_kurtosis(wmm.generator->make(0, i)), 5.0) << "wmm instance " << i;
    EXPECT_LT(highpass_kurtosis(plain.generator->make(0, i)), 4.0) << "spectrum instance " << i;
  }
}

// The colour model matches each channel to a palette image's histogram: a few values (the palette's
// 3-22 colours and the blur between them) hold most pixels. Without the rotation back (independent)
// the output channels are those channels, scaled.
TEST(SpectralNoise, ColourModelPosterizesTheChannels) {
  auto top_share = [](const DatasetSpec& spec) {
    double sum = 0;
    for (int i = 0; i < 12; ++i) {
      const Sample s = spec.generator->make(0, i);
      for (int c = 0; c < 3; ++c) {
        std::array<int, 256> count{};
        for (std::size_t k = static_cast<std::size_t>(c); k < s.image.pixels.size(); k += 3) ++count[s.image.pixels[k]];
        std::sort(count.begin(), count.end(), std::greater<int>());
        sum += static_cast<double>(std::accumulate(count.begin(), count.begin() + 22, 0)) /
               static_cast<double>(s.image.pixels.size() / 3);
      }
    }
    return sum / 36;
  };
  const std::string base = "generator: spectral_noise\ninstances: 12\nsize: 128\ncolor_model: independent\n";
  EXPECT_GT(top_share(spec_from(base + "model: spectrum_color\n")), 0.5);
  EXPECT_LT(top_share(spec_from(base)), 0.35);
}

TEST(SpectralNoise, IterativeModelsRefuseWhatTheyCannotMake) {
  auto refused = [](const std::string& yaml, const std::string& key) {
    try {
      spec_from("generator: spectral_noise\n" + yaml);
      ADD_FAILURE() << yaml << " was accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << yaml << ": " << e.what();
    }
  };
  refused("model: spectrum_color\nchannels: 1\n", "model");
  refused("model: spectrum_color_wmm\nchannels: 1\n", "model");
  refused("model: wmm\nclasses: 2\n", "classes");
  refused("model: wmm\nslope_min: 1\n", "slope_min");
  refused("model: wmm\nsize: 4096\n", "size");
  refused("model: spectrum_color\niterations: 0\n", "iterations");
  refused("model: spectrum_color\niterations: 101\n", "iterations");
  refused("iterations: 3\n", "iterations");
  refused("model: fourier\n", "model");
  EXPECT_EQ(spec_from("generator: spectral_noise\nmodel: wmm\nsize: 2048\n").generator->num_classes(), 1);
}

TEST(DeadLeaves, SamplesArePureAndCoverTheCanvas) {
  for (const char* shape : {"mixed", "square", "oriented_square", "circle", "rectangle", "triangle", "quadrilateral"})
    expect_pure(std::string("generator: dead_leaves\ninstances: 3\nsize: 48\nshape: ") + shape + "\n", 3);
  expect_pure("generator: dead_leaves\ninstances: 3\nsize: 40\nchannels: 1\n", 1);
  expect_pure("generator: dead_leaves\ninstances: 3\nsize: 40\ntexture: spectral\ntexture_pool: 5\n", 3);
  const DatasetSpec spec = spec_from("generator: dead_leaves\ninstances: 20\nsize: 64\n");
  int black = 0;
  for (int i = 0; i < 20; ++i) {
    const Image img = spec.generator->make(0, i).image;
    for (std::size_t p = 0; p < img.pixels.size(); p += 3)
      black += img.pixels[p] == 0 && img.pixels[p + 1] == 0 && img.pixels[p + 2] == 0;
  }
  EXPECT_EQ(black, 0) << "pixels left uncovered";
  // One shape only: the rest of the canvas stays black, as in the official images.
  const DatasetSpec one = spec_from("generator: dead_leaves\ninstances: 1\nsize: 64\nmax_shapes: 1\nradius_max: 0.2\n");
  const Image img = one.generator->make(0, 0).image;
  int uncovered = 0;
  for (std::size_t p = 0; p < img.pixels.size(); p += 3) uncovered += img.pixels[p] == 0 && img.pixels[p + 2] == 0;
  EXPECT_GT(uncovered, 64 * 64 / 2);
}

// The official table: numpy's argmin(|cdf - u|) over the cumulative r^-sigma - r_max^-sigma weights.
// The rows of a convex polygon as dead leaves first drew them: per row, the edges' crossings in
// doubles, then ceil(min - 1e-9) and floor(max + 1e-9).
std::vector<std::array<long, 3>> rows_in_doubles(const long* xs, const long* ys, int n, int size) {
  std::vector<std::array<long, 3>> rows;
  long ymin = *std::min_element(ys, ys + n), ymax = *std::max_element(ys, ys + n);
  ymin = std::max(ymin, 0L);
  ymax = std::min(ymax, static_cast<long>(size) - 1);
  for (long y = ymin; y <= ymax; ++y) {
    double lo = 1e300, hi = -1e300;
    for (int i = 0; i < n; ++i) {
      const int j = (i + 1) % n;
      const long y0 = ys[i], y1 = ys[j];
      if (y < std::min(y0, y1) || y > std::max(y0, y1)) continue;
      if (y0 == y1) {
        lo = std::min(lo, static_cast<double>(std::min(xs[i], xs[j])));
        hi = std::max(hi, static_cast<double>(std::max(xs[i], xs[j])));
        continue;
      }
      const double x = static_cast<double>(xs[i]) +
                       static_cast<double>(xs[j] - xs[i]) * static_cast<double>(y - y0) / static_cast<double>(y1 - y0);
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    }
    if (lo > hi) continue;
    const long a = static_cast<long>(std::ceil(lo - 1e-9)), b = static_cast<long>(std::floor(hi + 1e-9));
    if (a <= b) rows.push_back({y, a, b});
  }
  return rows;
}

TEST(DeadLeaves, PolygonRowsAreTheDoubleFormulasRows) {
  // Random triangles and quadrilaterals (angles sorted on a circle, as the generator draws them,
  // and arbitrary vertices), small and huge, inside and across the canvas, flat and degenerate.
  Rng rng(5, 0, 0, Purpose::Layout);
  int compared = 0;
  for (int t = 0; t < 200000; ++t) {
    const int n = 3 + static_cast<int>(rng.uniform_int(0, 1));
    const int size = t % 3 == 0 ? 16384 : 256;
    const double r = t % 7 == 0 ? rng.uniform(0.0, 4.0 * size) : rng.uniform(0.0, 40.0);
    const double cx = rng.uniform(-r, size + r), cy = rng.uniform(-r, size + r);
    long xs[4], ys[4];
    if (t % 2 == 0) {
      double a[4];
      for (int i = 0; i < n; ++i) {  // drawn, then sorted in place
        a[i] = rng.uniform(0.0, 2 * M_PI);
        for (int k = i; k > 0 && a[k] < a[k - 1]; --k) std::swap(a[k], a[k - 1]);
      }
      for (int i = 0; i < n; ++i) {
        xs[i] = static_cast<long>(cx + r * std::cos(a[i]));
        ys[i] = static_cast<long>(cy + r * std::sin(a[i]));
      }
    } else {
      for (int i = 0; i < n; ++i) {
        xs[i] = static_cast<long>(cx + rng.uniform(-r, r));
        ys[i] = t % 5 == 0 ? static_cast<long>(cy) : static_cast<long>(cy + rng.uniform(-r, r));
      }
    }
    const auto want = rows_in_doubles(xs, ys, n, size);
    // Only convex, consistently ordered vertex lists are drawn: for others, each row's crossings
    // still give the same [min, max] span, so the two agree there as well.
    ASSERT_EQ(detail::dead_leaves_polygon_rows(xs, ys, n, size), want) << "polygon " << t;
    compared += static_cast<int>(want.size());
  }
  EXPECT_GT(compared, 100000);
}

TEST(DeadLeaves, RadiusTableIsTheOfficialOne) {
  const RadiusTable t(0.03, 1.0, 200, 3.0);
  ASSERT_EQ(t.radius.size(), 200u);
  EXPECT_DOUBLE_EQ(t.radius.front(), 0.03);
  EXPECT_DOUBLE_EQ(t.radius.back(), 1.0);
  EXPECT_DOUBLE_EQ(t.cdf.back(), 1.0);
  for (double u : {0.0, 0.001, 0.1, 0.5, 0.77, 0.999, 1.0}) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < t.cdf.size(); ++i)
      if (std::abs(t.cdf[i] - u) < std::abs(t.cdf[best] - u)) best = i;
    EXPECT_EQ(t.pick(u), best) << "u " << u;
  }
}

// Single discs (max_shapes: 1, shape: circle) measured on the images follow the power law: the
// histogram of 2r + 1 (the disc's extent where one axis is not clipped) against the table's law.
TEST(DeadLeaves, DiscRadiiFollowThePowerLaw) {
  const int size = 200, n = 3000;
  const DatasetSpec spec = spec_from(
      "generator: dead_leaves\ninstances: 3000\nsize: 200\nmax_shapes: 1\n"
      "shape: circle\nradius_max: 0.2\n");
  std::map<long, double> got;
  int counted = 0;
  for (int i = 0; i < n; ++i) {
    const Image img = spec.generator->make(0, i).image;
    int x0 = size, x1 = -1, y0 = size, y1 = -1;
    for (int y = 0; y < size; ++y)
      for (int x = 0; x < size; ++x) {
        const std::uint8_t* p = &img.pixels[(static_cast<std::size_t>(y) * size + x) * 3];
        if (p[0] | p[1] | p[2]) {
          x0 = std::min(x0, x);
          x1 = std::max(x1, x);
          y0 = std::min(y0, y);
          y1 = std::max(y1, y);
        }
      }
    if (x1 < 0) continue;
    // An extent that touches neither border on an axis is 2r + 1.
    long extent = -1;
    if (x0 > 0 && x1 < size - 1) extent = x1 - x0 + 1;
    if (y0 > 0 && y1 < size - 1) extent = std::max(extent, static_cast<long>(y1 - y0 + 1));
    if (extent < 0) continue;
    got[(extent - 1) / 2] += 1;
    ++counted;
  }
  ASSERT_GT(counted, n * 8 / 10);
  // The law: P(index i) is the span of u nearest to cdf[i]; radius int(r_i * size).
  const RadiusTable t(0.03, 0.2, 200, 3.0);
  std::map<long, double> want;
  for (std::size_t i = 0; i < t.cdf.size(); ++i) {
    const double lo = i == 0 ? 0.0 : (t.cdf[i - 1] + t.cdf[i]) / 2;
    const double hi = i + 1 == t.cdf.size() ? 1.0 : (t.cdf[i] + t.cdf[i + 1]) / 2;
    want[std::max(1L, static_cast<long>(t.radius[i] * size))] += hi - lo;
  }
  // Larger discs are clipped more often: weight each radius by its chance of an unclipped axis.
  double norm = 0;
  for (auto& [r, p] : want) {
    const double inside = std::max(0.0, (size - 2.0 * r - 2) / size);
    p *= 1 - (1 - inside) * (1 - inside);
    norm += p;
  }
  double tv = 0;
  std::set<long> radii;
  for (const auto& [r, p] : want) radii.insert(r);
  for (const auto& [r, c] : got) radii.insert(r);
  for (long r : radii) tv += std::abs(got[r] / counted - want[r] / norm);
  EXPECT_LT(tv / 2, 0.05) << "total variation between measured and published radius laws";
}

TEST(DeadLeaves, ClassesSplitTheExponentRangeAndRefuseAnEmptyOne) {
  const DatasetSpec spec =
      spec_from("generator: dead_leaves\nclasses: 2\ninstances: 2\nsize: 32\nsigma_min: 2\nsigma_max: 4\n");
  EXPECT_EQ(spec.generator->num_classes(), 2);
  EXPECT_DOUBLE_EQ(spec.generator->category_json(1)["sigma_min"].get<double>(), 3.0);
  EXPECT_THROW(spec_from("generator: dead_leaves\nclasses: 2\n"), Error);
  EXPECT_THROW(spec_from("generator: dead_leaves\ntexture_pool: 3\n"), Error);  // applies to texture: spectral only
}

// The paper's textured variant: textures of the spectrum + colour + WMM model.
TEST(DeadLeaves, TexturesOfTheStatisticalModel) {
  const std::string base = "generator: dead_leaves\ninstances: 3\nsize: 32\ntexture: spectral\ntexture_pool: 3\n";
  expect_pure(base + "texture_model: spectrum_color_wmm\n", 3);
  EXPECT_NE(spec_from(base + "texture_model: spectrum_color_wmm\n").generator->make(0, 0).image.pixels,
            spec_from(base).generator->make(0, 0).image.pixels);
  for (const auto& [yaml, key] :
       {std::pair<std::string, std::string>{"channels: 1\n", "texture_model"}, {"size: 4096\n", "size"}}) {
    try {
      spec_from(base + "texture_model: spectrum_color_wmm\n" + yaml);
      ADD_FAILURE() << yaml << " was accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(spec_from("generator: dead_leaves\ntexture_model: spectrum_color_wmm\n"), Error)
      << "applies to texture: spectral only";
}

}  // namespace
}  // namespace fdsl
