// PNG encoding speed and size on images that look like FractalDB renders (sparse 3x3 patches of
// gray 127 on black), and on real dead leaves and spectral noise renders. The png/sweep/* cases
// chose the defaults of PngOptions (see io/png.cpp).
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "fdsl/core/image.h"
#include "fdsl/io/png.h"
#include "harness.h"

namespace fdsl::bench {
namespace {

/// One affine map with its probability, local to the bench so it depends on no other module.
struct BenchMap {
  double a, b, c, d, e, f, p;
};

/// A few systems with the look of FractalDB categories.
const std::vector<std::vector<BenchMap>>& bench_systems() {
  static const std::vector<std::vector<BenchMap>> systems = {
      // Barnsley fern.
      {{0, 0, 0, 0.16, 0, 0, 0.01},
       {0.85, 0.04, -0.04, 0.85, 0, 1.6, 0.85},
       {0.2, -0.26, 0.23, 0.22, 0, 1.6, 0.07},
       {-0.15, 0.28, 0.26, 0.24, 0, 0.44, 0.07}},
      // Sierpinski triangle.
      {{0.5, 0, 0, 0.5, 0, 0, 1.0 / 3}, {0.5, 0, 0, 0.5, 0.5, 0, 1.0 / 3}, {0.5, 0, 0, 0.5, 0.25, 0.5, 1.0 / 3}},
      // FractalDB category 00000 (data/fractaldb/csv_rate0.2_category1000/csv0/00000.csv).
      {{0.1724223243171234543, -0.7311756060787280020, -0.2966728035091932281, -0.2777660563660040438,
        0.6115739281576646480, -0.2019335022650967648, 0.1414134307013419356},
       {-0.08583735610481224576, -0.8433762024767534893, -0.1914439158840750554, 0.6115559153715470764,
        0.4009955062511278978, 0.4643911401924800675, 0.1142538778724129234},
       {-0.9665240573106153033, 0.08803925216502284101, 0.7654360019967436646, 0.5156383970885065615,
        0.08147617620237412872, 0.7518914152263203032, 0.3021257278333024376},
       {-0.6303750398147720535, 0.3247544574309448873, -0.7013752411711078327, -0.8967908458619968659,
        -0.5346410910546133266, 0.7107352504421564632, 0.4235195585540745822},
       {-0.5797108324242954414, -0.2311754517786339669, 0.4521610635677510981, 0.2406766531975532697,
        -0.1300896372526509914, 0.8479989530155638278, 0.01868740503886824611}},
      // A twisted spiral.
      {{0.787879, -0.424242, 0.242424, 0.859848, 1.758647, 1.408065, 0.90},
       {-0.121212, 0.257576, 0.151515, 0.053030, -6.721654, 1.377236, 0.05},
       {0.181818, -0.136364, 0.090909, 0.181818, 6.086107, 1.568035, 0.05}},
  };
  return systems;
}

/// xorshift64*: cheap, deterministic randomness for the chaos game and the patches.
struct BenchRng {
  std::uint64_t state;
  std::uint64_t next() {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 2685821657736338717ull;
  }
  double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
};

/// A scalar chaos game: `points` points fitted into the image, each drawn as a random 3x3 patch
/// (gray 127; in RGB the color of the map that made the point).
Image render_fractal(const std::vector<BenchMap>& maps, int side, int channels, std::uint64_t seed,
                     int points = 200000) {
  BenchRng rng{seed * 0x9E3779B97F4A7C15ull + 1};
  std::vector<double> xs(points), ys(points);
  std::vector<std::uint8_t> which(points);
  double x = 0, y = 0;
  for (int i = -100; i < points; ++i) {  // the first iterations only settle onto the attractor
    double u = rng.uniform(), acc = 0;
    std::size_t k = 0;
    while (k + 1 < maps.size() && u >= (acc += maps[k].p)) ++k;
    const BenchMap& m = maps[k];
    double nx = m.a * x + m.b * y + m.e;
    y = m.c * x + m.d * y + m.f;
    x = nx;
    if (i >= 0) {
      xs[i] = x;
      ys[i] = y;
      which[i] = static_cast<std::uint8_t>(k);
    }
  }
  double x0 = xs[0], x1 = xs[0], y0 = ys[0], y1 = ys[0];
  for (int i = 0; i < points; ++i) {
    x0 = std::min(x0, xs[i]);
    x1 = std::max(x1, xs[i]);
    y0 = std::min(y0, ys[i]);
    y1 = std::max(y1, ys[i]);
  }
  double scale = (side - 3) / std::max(x1 - x0, y1 - y0);
  static const std::uint8_t colors[5][3] = {
      {230, 80, 60}, {60, 200, 90}, {70, 110, 240}, {240, 200, 40}, {180, 70, 220}};
  Image image(side, side, channels, 0);
  for (int i = 0; i < points; ++i) {
    int px = static_cast<int>((xs[i] - x0) * scale);
    int py = side - 3 - static_cast<int>((ys[i] - y0) * scale);
    std::uint64_t mask = rng.next();
    for (int dy = 0; dy < 3; ++dy) {
      for (int dx = 0; dx < 3; ++dx) {
        if (!((mask >> (dy * 3 + dx)) & 1)) continue;
        for (int c = 0; c < channels; ++c) {
          image.at(px + dx, py + dy, c) = channels == 1 ? 127 : colors[which[i] % 5][c];
        }
      }
    }
  }
  return image;
}

/// `count` images of a generator at 256 px (the noise families: flat shapes, colour noise).
std::vector<Image> generator_images(const std::string& yaml, int count) {
  const DatasetSpec spec = spec_from_text(yaml);
  std::vector<Image> images;
  for (int i = 0; i < count; ++i) images.push_back(spec.generator->make(0, i).image);
  return images;
}

/// The bench images (made once): every system rendered gray at 362 ("gray362") and RGB at 224
/// ("rgb224"); dead leaves ("leaves256") and colour spectral noise ("spectrum256") at 256.
const std::vector<Image>& bench_images(const std::string& kind) {
  static std::map<std::string, std::vector<Image>> made;
  std::vector<Image>& images = made[kind];
  if (!images.empty()) return images;
  if (kind == "leaves256") {
    images = generator_images("generator: dead_leaves\ninstances: 8\nsize: 256\n", 8);
  } else if (kind == "spectrum256") {
    images = generator_images("generator: spectral_noise\ninstances: 8\nsize: 256\n", 8);
  } else {
    const bool gray = kind == "gray362";
    std::uint64_t seed = 1;
    for (const auto& maps : bench_systems())
      images.push_back(render_fractal(maps, gray ? 362 : 224, gray ? 1 : 3, seed++));
  }
  return images;
}

const char* filter_name(PngFilter f) {
  switch (f) {
    case PngFilter::None:
      return "none";
    case PngFilter::Sub:
      return "sub";
    case PngFilter::Up:
      return "up";
  }
  return "?";
}

/// The zlib strategy as the bench prints it ("" for libdeflate, which has none).
const char* strategy_name(const PngOptions& o) {
  if (o.encoder != PngEncoder::Libpng) return "";
  switch (o.strategy) {
    case PngStrategy::Auto:
      return ", auto strategy";
    case PngStrategy::Default:
      return ", default strategy";
    case PngStrategy::Rle:
      return ", Z_RLE";
  }
  return "";
}

/// Encodes the bench images round-robin for `seconds`; reports images/s, MB/s of raw pixels and
/// the mean PNG size.
Report run_encode(const std::string& kind, const PngOptions& options, double seconds) {
  const std::vector<Image>& images = bench_images(kind);
  std::vector<std::uint8_t> out;
  double total_size = 0;
  for (const Image& image : images) {
    encode_png(image, options, out);
    total_size += static_cast<double>(out.size());
  }
  std::size_t next = 0;
  auto [iterations, elapsed] = time_loop(
      [&] {
        encode_png(images[next], options, out);
        next = (next + 1) % images.size();
      },
      seconds);
  Report r;
  r.items = static_cast<double>(iterations);
  r.unit = "images";
  r.bytes = static_cast<double>(iterations) * static_cast<double>(images[0].size_bytes());
  r.seconds = elapsed;
  double mean = total_size / static_cast<double>(images.size());
  char extra[200];
  std::snprintf(extra, sizeof extra, "mean PNG %.0f bytes (%.1f%% of raw %zu), %s level %d, filter %s%s", mean,
                100.0 * mean / static_cast<double>(images[0].size_bytes()), images[0].size_bytes(),
                options.encoder == PngEncoder::Libpng       ? "libpng"
                : options.encoder == PngEncoder::Libdeflate ? "libdeflate"
                : options.encoder == PngEncoder::Runs       ? "runs"
                                                            : "isal",
                options.level, filter_name(options.filter), strategy_name(options));
  r.extra = extra;
  return r;
}

PngOptions with_encoder(PngEncoder encoder) {
  PngOptions o;
  o.encoder = encoder;
  return o;
}

/// OpenCV's cv2.imwrite default (what the official FractalDB scripts used): libpng, level 1,
/// SUB filter, Z_RLE.
PngOptions opencv_like() {
  PngOptions o;
  o.encoder = PngEncoder::Libpng;
  o.level = 1;
  o.filter = PngFilter::Sub;
  o.strategy = PngStrategy::Rle;
  return o;
}

// The defaults of PngOptions, per encoder and image kind.
FDSL_BENCH("png/libpng/gray362",
           [] { return run_encode("gray362", with_encoder(PngEncoder::Libpng), default_seconds()); });
FDSL_BENCH("png/libdeflate/gray362",
           [] { return run_encode("gray362", with_encoder(PngEncoder::Libdeflate), default_seconds()); });
FDSL_BENCH("png/libpng/rgb224",
           [] { return run_encode("rgb224", with_encoder(PngEncoder::Libpng), default_seconds()); });
FDSL_BENCH("png/libdeflate/rgb224",
           [] { return run_encode("rgb224", with_encoder(PngEncoder::Libdeflate), default_seconds()); });
FDSL_BENCH("png/isal/gray362", [] { return run_encode("gray362", with_encoder(PngEncoder::Isal), default_seconds()); });
FDSL_BENCH("png/isal/rgb224", [] { return run_encode("rgb224", with_encoder(PngEncoder::Isal), default_seconds()); });
FDSL_BENCH("png/runs/gray362", [] { return run_encode("gray362", with_encoder(PngEncoder::Runs), default_seconds()); });
FDSL_BENCH("png/runs/rgb224", [] { return run_encode("rgb224", with_encoder(PngEncoder::Runs), default_seconds()); });
FDSL_BENCH("png/opencv-like/gray362", [] { return run_encode("gray362", opencv_like(), default_seconds()); });

/// Decoding speed of the default encoding (libpng reader).
Report run_decode() {
  std::vector<std::uint8_t> png = encode_png(bench_images("gray362")[0]);
  auto [iterations, elapsed] = time_loop([&] { decode_png(png.data(), png.size()); }, default_seconds());
  Report r;
  r.items = static_cast<double>(iterations);
  r.unit = "images";
  r.bytes = static_cast<double>(iterations) * 362.0 * 362.0;
  r.seconds = elapsed;
  r.extra = "decode (libpng) of the default encoding, " + std::to_string(png.size()) + " bytes";
  return r;
}
FDSL_BENCH("png/decode/gray362", run_decode);

/// The sweep that chose the defaults: every encoder x level x filter (x strategy), shorter runs.
const bool sweep_registered = [] {
  const char* kinds[] = {"gray362", "rgb224", "leaves256", "spectrum256"};
  const PngFilter filters[] = {PngFilter::None, PngFilter::Sub, PngFilter::Up};
  for (const std::string kind : kinds) {
    // libdeflate and ISA-L: every level x filter of the list.
    const auto sweep = [&](PngEncoder encoder, const char* encoder_name, std::initializer_list<int> levels) {
      for (int level : levels)
        for (PngFilter filter : filters) {
          PngOptions o;
          o.encoder = encoder;
          o.level = level;
          o.filter = filter;
          std::string name = std::string("png/sweep/") + encoder_name + "/" + kind + "/L" + std::to_string(level) +
                             "/" + filter_name(filter);
          registry().push_back({name, [kind, o] { return run_encode(kind, o, default_seconds() / 4); }});
        }
    };
    sweep(PngEncoder::Libdeflate, "libdeflate", {0, 1, 2, 4, 6, 9});
    if (png_encoder_available(PngEncoder::Isal)) sweep(PngEncoder::Isal, "isal", {0, 1, 2, 3});
    sweep(PngEncoder::Runs, "runs", {0, 1, 2});
    for (int level : {1, 2, 3, 6}) {
      for (PngFilter filter : filters) {
        for (PngStrategy strategy : {PngStrategy::Rle, PngStrategy::Default}) {
          PngOptions o;
          o.encoder = PngEncoder::Libpng;
          o.level = level;
          o.filter = filter;
          o.strategy = strategy;
          std::string name = std::string("png/sweep/libpng/") + kind + "/L" + std::to_string(level) + "/" +
                             filter_name(filter) + (strategy == PngStrategy::Rle ? "/rle" : "/default");
          registry().push_back({name, [kind, o] { return run_encode(kind, o, default_seconds() / 4); }});
        }
      }
    }
  }
  return true;
}();

}  // namespace
}  // namespace fdsl::bench
