#include "fdsl/render/plasma.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "detail/simd.h"
#include "fdsl/render/color.h"

namespace fdsl {

namespace {

using f32x8 = detail::v8f;
using detail::i32x8;
using detail::u32x8;
using detail::u64x4;

/// Eight xoshiro256+ generators seeded from the stream, stepped together as vectors: draws
/// 16j..16j+15 come from their j-th outputs, two 24-bit draws per output (see fill_block). The
/// plasma draws one number per grid cell (66k at 224 px); one serial xoshiro took ~1.7 ns a draw
/// on its dependency chain and kept the grid loops scalar.
class FastUniform {
 public:
  explicit FastUniform(Rng& rng) {
    // Generator k (lane k % 4 of half k / 4) takes state words 4k .. 4k+3 of the stream.
    for (int k = 0; k < kLanes; ++k) {
      State& st = s_[k / 4];
      const int j = k % 4;
      st.s0[j] = rng.next_u64();
      st.s1[j] = rng.next_u64();
      st.s2[j] = rng.next_u64();
      st.s3[j] = rng.next_u64();
      if (!(st.s0[j] | st.s1[j] | st.s2[j] | st.s3[j])) st.s0[j] = 1;
    }
  }
  /// The next k draws, each U[-0.5, 0.5) in float, contiguous; valid until the next take.
  const float* take(int k) {
    if (next_ + k > filled_) refill(k);
    const float* p = block_.data() + next_;
    next_ += k;
    return p;
  }
  float centered() { return *take(1); }

 private:
  static constexpr int kLanes = 8;
  static constexpr int kBlock = 512;  // draws per refill, a multiple of 2 * kLanes
  // 256-bit vectors (GCC splits wider generic vectors badly): lanes 0-3 and 4-7.
  struct State {
    u64x4 s0, s1, s2, s3;
  };

  /// Moves the unread draws to the front and appends blocks of new ones after them until k are
  /// unread (one block for every row below 1025 cells; a grid row of a larger image takes more).
  void refill(int k) {
    const int left = filled_ - next_;
    std::memmove(block_.data(), block_.data() + next_, sizeof(float) * static_cast<std::size_t>(left));
    next_ = 0;
    filled_ = left;
    do {
      if (block_.size() < static_cast<std::size_t>(filled_ + kBlock))
        block_.resize(static_cast<std::size_t>(filled_ + kBlock));
      fill_block(s_, block_.data() + filled_);
      filled_ += kBlock;
    } while (filled_ < k);
  }

  static inline __attribute__((always_inline)) u64x4 step(State& st) {
    return detail::xoshiro256p(st.s0, st.s1, st.s2, st.s3);
  }

  __attribute__((target_clones("avx2", "default"))) static void fill_block(State* __restrict s, float* __restrict out) {
    State a = s[0], b = s[1];
    // Each 64-bit output gives two draws of 24 bits, exact in a float: its top bits (40..63) for
    // draws i..i+7, then bits 16..39 for draws i+8..i+15 (xoshiro256+'s weak bits are its lowest
    // few). Each is [0, 1) in steps of 2^-24, then centred. The 32-bit halves of the 64-bit
    // lanes are picked by a shuffle.
    const u32x8 low24 = {0xffffffu, 0xffffffu, 0xffffffu, 0xffffffu, 0xffffffu, 0xffffffu, 0xffffffu, 0xffffffu};
    for (int i = 0; i < kBlock; i += 2 * kLanes) {
      const u64x4 ra = step(a), rb = step(b);
      const u32x8 high = __builtin_shufflevector((u32x8)ra, (u32x8)rb, 1, 3, 5, 7, 9, 11, 13, 15) >> 8;
      const u32x8 middle =
          __builtin_shufflevector((u32x8)(ra >> 16), (u32x8)(rb >> 16), 0, 2, 4, 6, 8, 10, 12, 14) & low24;
      const f32x8 v0 = __builtin_convertvector((i32x8)high, f32x8) * 0x1.0p-24f - 0.5f;
      const f32x8 v1 = __builtin_convertvector((i32x8)middle, f32x8) * 0x1.0p-24f - 0.5f;
      std::memcpy(out + i, &v0, sizeof v0);
      std::memcpy(out + i + kLanes, &v1, sizeof v1);
    }
    s[0] = a;
    s[1] = b;
  }

  State s_[2];
  /// Draws [next_, filled_) are unread; a per-thread buffer, reused from grid to grid.
  std::vector<float>& block_ = storage();
  int next_ = 0, filled_ = 0;

  static std::vector<float>& storage() {
    thread_local std::vector<float> buffer(2 * kBlock);
    return buffer;
  }
};

inline f32x8 load8(const float* p) {
  f32x8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store8(float* p, f32x8 v) { std::memcpy(p, &v, sizeof v); }
// The finest level works on eight cells of a row at a time, cells 2j (or 2j + 1) of 16 floats.
// Taking them out of two 8-float loads in order would cross the 128-bit halves of a register,
// which costs a second shuffle per load; they are kept in the order one in-lane shuffle gives,
// "lane order" (cells 0 1 4 5 | 2 3 6 7), which the interleaving stores undo for free. Every
// operand of a cell's sum is in lane order, so each cell still gets exactly its own arithmetic.
/// Elements 0, 2, ..., 14 (or 1, 3, ..., 15) of the 16 floats at p, in lane order.
inline f32x8 evens16(const float* p) {
  return __builtin_shufflevector(load8(p), load8(p + 8), 0, 2, 8, 10, 4, 6, 12, 14);
}
inline f32x8 odds16(const float* p) {
  return __builtin_shufflevector(load8(p), load8(p + 8), 1, 3, 9, 11, 5, 7, 13, 15);
}
/// The 8 floats at p in lane order.
inline f32x8 load8_lane_order(const float* p) {
  const f32x8 v = load8(p);
  return __builtin_shufflevector(v, v, 0, 1, 4, 5, 2, 3, 6, 7);
}
/// Stores a0 b0 a1 b1 ... a7 b7 as 16 floats at p, from a and b in lane order.
inline void store_interleaved(float* p, f32x8 a, f32x8 b) {
  store8(p, __builtin_shufflevector(a, b, 0, 8, 1, 9, 4, 12, 5, 13));
  store8(p + 8, __builtin_shufflevector(a, b, 2, 10, 3, 11, 6, 14, 7, 15));
}

/// One row of the diamond step: mid[k * step] = mean of the square's four corners + amp * d[k].
/// S is the step when known at compile time, else 0 and `step` is used. The finest level (S = 2,
/// 3/4 of the cells) runs eight cells at a time: its stride-2 reads are split out of 16-float
/// loads, and the results are stored interleaved with junk on the cells between them, which are
/// that level's square cells, written later (`room`: how many floats from mid[0] on the row may be
/// written). Vector or scalar, every cell is the same IEEE arithmetic. The rows never overlap.
template <int S>
inline __attribute__((always_inline)) void diamond_row(const float* __restrict up, const float* __restrict down,
                                                       float* __restrict mid, const float* __restrict d, int cells,
                                                       int step, float amp, int room) {
  const int st = S ? S : step;
  int k = 0;
  if constexpr (S == 2) {
    const f32x8 quarter = {0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f};
    const f32x8 a = {amp, amp, amp, amp, amp, amp, amp, amp};
    for (; k + 8 <= cells && 2 * k + 16 <= room; k += 8) {
      const int x = 2 * k;
      const f32x8 v =
          (((evens16(up + x) + evens16(up + x + 2)) + evens16(down + x)) + evens16(down + x + 2)) * quarter +
          a * load8_lane_order(d + k);
      store_interleaved(mid + x, v, v);
    }
  }
  for (; k < cells; ++k) {
    const int x = k * st;
    mid[x] = (up[x] + up[x + st] + down[x] + down[x + st]) * 0.25f + amp * d[k];
  }
}

/// One inner row of the square step, cells x = first + k * step for k in [0, count): the mean of
/// its left, right, upper and lower neighbours + amp * d[k] (`in` and `out` are the same row).
/// At S = 2 eight cells at a time: the 16 floats from x - 1 are rewritten with their other
/// cells unchanged.
template <int S>
inline __attribute__((always_inline)) void square_row(const float* in, float* out, const float* __restrict up,
                                                      const float* __restrict down, const float* __restrict d,
                                                      int first, int count, int step, float amp) {
  const int st = S ? S : step, h = st / 2;
  int k = 0;
  if constexpr (S == 2) {
    const f32x8 quarter = {0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f};
    const f32x8 a = {amp, amp, amp, amp, amp, amp, amp, amp};
    for (; k + 8 <= count; k += 8) {
      const int x = first + 2 * k;  // cells x, x + 2, ..., x + 14; their neighbours x - 1, ..., x + 15
      const f32x8 left = evens16(in + x - 1);
      const f32x8 v = (((left + evens16(in + x + 1)) + odds16(up + x - 1)) + odds16(down + x - 1)) * quarter +
                      a * load8_lane_order(d + k);
      store_interleaved(out + x - 1, left, v);
    }
  }
  for (; k < count; ++k) {
    const int x = first + k * st;
    out[x] = (in[x - h] + in[x + h] + up[x] + down[x]) * 0.25f + amp * d[k];
  }
}

/// The diamond-square grid of side 2^k + 1 covering width x height, in a per-thread buffer reused
/// across calls. Returns the grid and its side. Only the width x height corner is meant to be read:
/// cells that nothing in it depends on are left as they were (their draws are still taken, so every
/// cell of the corner gets the draw and the value the whole grid would give it).
__attribute__((target_clones("avx2", "default"))) const float* plasma_grid(int width, int height, double roughness,
                                                                           Rng& rng, int& side) {
  int n = 1;
  while (n + 1 < std::max(width, height)) n *= 2;
  const int size = n + 1;
  thread_local std::vector<float> g;
  // (16 floats of slack: the vector loops read up to 16 floats past a row's last cell.)
  g.resize(static_cast<std::size_t>(size) * size + 16);
  float* grid = g.data();
  auto at = [&](int x, int y) -> float& { return grid[static_cast<std::size_t>(y) * size + x]; };
  FastUniform u(rng);
  at(0, 0) = u.centered() + 0.5f;
  at(n, 0) = u.centered() + 0.5f;
  at(0, n) = u.centered() + 0.5f;
  at(n, n) = u.centered() + 0.5f;
  float amp = 1.0f;
  for (int step = n; step > 1; step /= 2) {
    const int half = step / 2;
    // The cells of this level that the corner needs. The corner reads x < width, y < height. A
    // level's square cells read its diamond cells half beyond them, its diamond cells read the
    // coarser cells half beyond those: so square cells are needed up to (width - 1) + (step - 2)
    // (the sum of the finer levels' steps), diamond cells up to half more.
    const int sq_x = std::min(n, width + step - 3), sq_y = std::min(n, height + step - 3);
    const int di_x = std::min(n, sq_x + half), di_y = std::min(n, sq_y + half);
    auto needed = [&](int x0, int count, int lim) { return lim < x0 ? 0 : std::min(count, (lim - x0) / step + 1); };
    const int cells = (size - half + step - 1) / step;  // per row: x = half, half + step, ...
    const int diamond_cells = needed(half, cells, di_x);
    // Diamond: centre of every square.
    for (int y = half; y < size; y += step) {
      const float* d = u.take(cells);
      if (y > di_y) continue;
      const float* up = grid + static_cast<std::size_t>(y - half) * size;
      const float* down = grid + static_cast<std::size_t>(y + half) * size;
      float* mid = grid + static_cast<std::size_t>(y) * size + half;
      if (step == 2)
        diamond_row<2>(up, down, mid, d, diamond_cells, step, amp, size - half);
      else
        diamond_row<0>(up, down, mid, d, diamond_cells, step, amp, 0);
    }
    // Square: midpoints of the edges, averaging the neighbours that exist (3 on the border).
    for (int y = 0; y < size; y += half) {
      const int x0 = (y / half) % 2 == 0 ? half : 0;
      const int all = (size - x0 + step - 1) / step;
      const float* d = u.take(all);
      if (y > sq_y) continue;
      const int count = needed(x0, all, sq_x);
      float* r = grid + static_cast<std::size_t>(y) * size;
      const float* up = y >= half ? r - static_cast<std::size_t>(half) * size : nullptr;
      const float* down = y + half < size ? r + static_cast<std::size_t>(half) * size : nullptr;
      auto border = [&](int x, float draw) {
        const bool left = x >= half, right = x + half < size;
        float sum = 0;
        int cnt = 0;
        if (left) sum += r[x - half], ++cnt;
        if (right) sum += r[x + half], ++cnt;
        if (up) sum += up[x], ++cnt;
        if (down) sum += down[x], ++cnt;
        r[x] = sum / static_cast<float>(cnt) + amp * draw;
      };
      if (!up || !down) {
        for (int k = 0; k < count; ++k) border(x0 + k * step, d[k]);
        continue;
      }
      // An inner row: only its first cell (x = 0) and last (x + half = size) lack a neighbour;
      // the cells between take four, left to right as before (the draws keep their order).
      if (count == 0) continue;
      int k = 0;
      if (x0 < half) border(x0, d[k++]);
      int last = count;
      if (x0 + (count - 1) * step + half >= size) --last;
      if (step == 2)
        square_row<2>(r, r, up, down, d + k, x0 + k * step, last - k, step, amp);
      else
        square_row<0>(r, r, up, down, d + k, x0 + k * step, last - k, step, amp);
      k = last;
      if (last < count) border(x0 + last * step, d[last]);
    }
    amp *= static_cast<float>(roughness);
  }
  side = size;
  return grid;
}

/// The lowest and highest value of the grid's width x height corner.
__attribute__((target_clones("avx2", "default"))) void crop_range(const float* grid, int side, int width, int height,
                                                                  float& lo_out, float& hi_out) {
  // Eight running minima and maxima in one vector each, combined at the end: the same extremes
  // (min as `v < lo ? v : lo`, as std::min), eight at a time.
  f32x8 lo, hi;
  for (int j = 0; j < 8; ++j) {
    lo[j] = 1e30f;
    hi[j] = -1e30f;
  }
  float lo1 = 1e30f, hi1 = -1e30f;
  for (int y = 0; y < height; ++y) {
    const float* r = grid + static_cast<std::size_t>(y) * side;
    int x = 0;
    for (; x + 8 <= width; x += 8) {
      const f32x8 v = load8(r + x);
      lo = v < lo ? v : lo;
      hi = v > hi ? v : hi;
    }
    for (; x < width; ++x) {
      lo1 = std::min(lo1, r[x]);
      hi1 = std::max(hi1, r[x]);
    }
  }
  for (int j = 0; j < 8; ++j) {
    lo1 = std::min(lo1, lo[j]);
    hi1 = std::max(hi1, hi[j]);
  }
  lo_out = lo1;
  hi_out = hi1;
}

}  // namespace

std::vector<float> plasma_field(int width, int height, double roughness, Rng& rng) {
  int side = 0;
  const float* grid = plasma_grid(width, height, roughness, rng, side);
  // Crop and stretch to [0, 1].
  float lo, hi;
  crop_range(grid, side, width, height, lo, hi);
  const float inv = hi > lo ? 1.0f / (hi - lo) : 1.0f;
  std::vector<float> out(static_cast<std::size_t>(width) * height);
  for (int y = 0; y < height; ++y) {
    const float* r = grid + static_cast<std::size_t>(y) * side;
    float* o = out.data() + static_cast<std::size_t>(y) * width;
    for (int x = 0; x < width; ++x) o[x] = std::clamp((r[x] - lo) * inv, 0.0f, 1.0f);
  }
  return out;
}

Image plasma_background(int width, int height, Rng rng) { return plasma_background(width, height, rng, Orientation{}); }

namespace {

/// Writes n pixels of color lut4[level[k * step]] (k = 0..n-1) as 3-byte RGB at `out`: four
/// pixels per three 4-byte words, then single pixels; nothing is written past the n pixels.
inline void color_run(const std::int32_t* level, std::ptrdiff_t step, int n, const std::uint32_t* lut4,
                      std::uint8_t* out) {
  int x = 0;
  for (; x + 4 <= n; x += 4, level += 4 * step, out += 12) {
    const std::uint32_t c0 = lut4[level[0]], c1 = lut4[level[step]], c2 = lut4[level[2 * step]],
                        c3 = lut4[level[3 * step]];
    // Built in registers (an array on the stack read back as 8 bytes would stall on the store).
    const std::uint64_t head = c0 | static_cast<std::uint64_t>(c1) << 24 | static_cast<std::uint64_t>(c2) << 48;
    const std::uint32_t tail = c2 >> 16 | c3 << 8;
    std::memcpy(out, &head, 8);
    std::memcpy(out + 8, &tail, 4);
  }
  for (; x < n; ++x, level += step, out += 3) std::memcpy(out, &lut4[level[0]], 3);
}

}  // namespace

namespace {

/// The width x height corner of the grid as levels 0..levels-1 of (v - lo) * inv, row-major.
/// The grid values lie in [lo, hi], so (v - lo) * inv is in [0, 1] up to a rounding; clamping the
/// level (integers, which vectorize) gives what clamping to [0, 1] first would.
__attribute__((target_clones("avx2", "default"))) void to_levels(const float* grid, int side, int width, int height,
                                                                 float lo, float inv, int levels,
                                                                 std::int32_t* __restrict out) {
  const float top = static_cast<float>(levels - 1);
  for (int y = 0; y < height; ++y) {
    const float* __restrict r = grid + static_cast<std::size_t>(y) * side;
    std::int32_t* __restrict k = out + static_cast<std::size_t>(y) * width;
    for (int x = 0; x < width; ++x) {
      const float f = (r[x] - lo) * inv;
      k[x] = std::clamp(static_cast<std::int32_t>(f * top + 0.5f), 0, levels - 1);
    }
  }
}

}  // namespace

Image plasma_background(int width, int height, Rng rng, Orientation o) {
  check_image_size(width, height, "plasma_background");
  Image out(o.transpose ? height : width, o.transpose ? width : height, 3);
  plasma_background_into(width, height, rng, o, out.pixels.data());
  return out;
}

void plasma_background_into(int width, int height, Rng rng, Orientation o, std::uint8_t* pixels) {
  const double roughness = rng.uniform(0.4, 0.8);
  int side = 0;
  const float* grid = plasma_grid(width, height, roughness, rng, side);
  const double hue0 = rng.uniform(), hue_span = rng.uniform(0.1, 0.6);
  const double sat = rng.uniform(0.3, 1.0), val_lo = rng.uniform(0.1, 0.5);
  // 1024 color levels: finer than 8-bit output can show, and a table lookup per pixel instead
  // of an HSV conversion.
  constexpr int kLevels = 1024;
  std::uint32_t lut4[kLevels];  // level k: hsv(hue0 + hue_span t, sat, val_lo + (1 - val_lo) t), t = k / 1023
  hsv_ramp(hue0, hue_span, sat, val_lo, 1.0 - val_lo, kLevels, lut4);
  // The field stretched to [0, 1] (as plasma_field), as color levels of the width x height
  // crop, row by row (a loop that vectorizes)...
  float lo, hi;
  crop_range(grid, side, width, height, lo, hi);
  const float inv = hi > lo ? 1.0f / (hi - lo) : 1.0f;
  thread_local std::vector<std::int32_t> levels;
  levels.resize(static_cast<std::size_t>(width) * height);
  to_levels(grid, side, width, height, lo, inv, kLevels, levels.data());
  // ... then colored in the output's orientation: output row y reads a row of levels (forwards
  // or backwards) or, transposed, a column.
  const int ow = o.transpose ? height : width, oh = o.transpose ? width : height;
  const std::size_t out_stride = static_cast<std::size_t>(ow) * 3;
  const std::int32_t* lv = levels.data();
  for (int y = 0; y < oh; ++y) {
    std::ptrdiff_t start, step;
    if (!o.transpose) {
      start = static_cast<std::ptrdiff_t>(o.flip_v ? oh - 1 - y : y) * width + (o.flip_h ? width - 1 : 0);
      step = o.flip_h ? -1 : 1;
    } else {
      start = (o.flip_v ? oh - 1 - y : y) + (o.flip_h ? static_cast<std::ptrdiff_t>(ow - 1) * width : 0);
      step = o.flip_h ? -width : width;
    }
    color_run(lv + start, step, ow, lut4, pixels + static_cast<std::size_t>(y) * out_stride);
  }
}

}  // namespace fdsl
