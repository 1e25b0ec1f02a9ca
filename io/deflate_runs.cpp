// deflate_runs_zlib: see the header. The encoder keeps no state between calls and makes no choice
// that depends on the CPU (no SIMD paths, no timing): the bytes are a function of the input, the
// level and the layout.
//
// Per block of at most kBlockTokens tokens: a greedy pass turns the input into literals and
// matches (at each position the longest match among the level's distances, 3..258 bytes, else a
// literal), counting symbol frequencies; then either a dynamic-Huffman block (lengths limited by
// halving the frequencies until the tree fits) or, when that would not be smaller, stored blocks.
#include "fdsl/io/deflate_runs.h"

#include <libdeflate.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <vector>

namespace fdsl {

namespace {

constexpr std::size_t kBlockTokens = 65535;  // a block of literals stores as one stored block
constexpr std::size_t kMaxStored = 65535;
constexpr int kMinMatch = 3, kMaxMatch = 258;
constexpr std::size_t kMaxDistance = 32768;
constexpr int kLitLenSymbols = 286, kDistSymbols = 30, kCodeLenSymbols = 19;

constexpr std::array<std::uint16_t, 29> kLengthBase = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                                       31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr std::array<std::uint8_t, 29> kLengthExtra = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                                       2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
constexpr std::array<std::uint16_t, 30> kDistBase = {1,    2,    3,    4,    5,    7,    9,    13,    17,    25,
                                                     33,   49,   65,   97,   129,  193,  257,  385,   513,   769,
                                                     1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
constexpr std::array<std::uint8_t, 30> kDistExtra = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                                     6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
constexpr std::array<std::uint8_t, kCodeLenSymbols> kCodeLenOrder = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                                                     11, 4,  12, 3, 13, 2, 14, 1, 15};

/// Length 3..258 -> its symbol's index in kLengthBase.
struct LengthTable {
  std::array<std::uint8_t, kMaxMatch + 1> code{};
  constexpr LengthTable() {
    for (int c = 0; c < 29; ++c) {
      const int hi = c == 28 ? 258 : kLengthBase[c + 1] - 1;
      for (int l = kLengthBase[c]; l <= hi && l <= kMaxMatch; ++l) code[l] = static_cast<std::uint8_t>(c);
    }
    code[258] = 28;
  }
};
constexpr LengthTable kLengthCode;

/// Distance 1..32768 -> its symbol, zlib's way: distances up to 256 directly, the rest by d >> 7.
struct DistTable {
  std::array<std::uint8_t, 512> code{};
  constexpr DistTable() {
    for (std::size_t d = 1; d <= kMaxDistance; ++d) {
      int c = 0;
      while (c + 1 < kDistSymbols && kDistBase[static_cast<std::size_t>(c + 1)] <= d) ++c;
      if (d <= 256)
        code[d - 1] = static_cast<std::uint8_t>(c);
      else
        code[256 + ((d - 1) >> 7)] = static_cast<std::uint8_t>(c);
    }
  }
};
const DistTable kDistCode;

inline int dist_code(std::size_t d) { return d <= 256 ? kDistCode.code[d - 1] : kDistCode.code[256 + ((d - 1) >> 7)]; }

/// Bytes written LSB first, as deflate packs them; stops (and remembers) when `end` is reached.
class BitWriter {
 public:
  BitWriter(std::uint8_t* p, std::uint8_t* end) : p_(p), end_(end) {}
  void put(std::uint32_t bits, int count) {
    buf_ |= static_cast<std::uint64_t>(bits) << n_;
    n_ += count;
    if (n_ >= 32) {
      if (end_ - p_ < 4) {
        overflow_ = true;
        p_ = end_;
      } else {
        p_[0] = static_cast<std::uint8_t>(buf_);
        p_[1] = static_cast<std::uint8_t>(buf_ >> 8);
        p_[2] = static_cast<std::uint8_t>(buf_ >> 16);
        p_[3] = static_cast<std::uint8_t>(buf_ >> 24);
        p_ += 4;
      }
      buf_ >>= 32;
      n_ -= 32;
    }
  }
  /// Pads to a byte boundary with zero bits and writes out what is held.
  void align() {
    while (n_ > 0) {
      if (p_ == end_) {
        overflow_ = true;
        break;
      }
      *p_++ = static_cast<std::uint8_t>(buf_);
      buf_ >>= 8;
      n_ = std::max(0, n_ - 8);
    }
    buf_ = 0;
    n_ = 0;
  }
  /// Raw bytes, after align().
  void bytes(const std::uint8_t* data, std::size_t n) {
    if (static_cast<std::size_t>(end_ - p_) < n) {
      overflow_ = true;
      p_ = end_;
      return;
    }
    std::memcpy(p_, data, n);
    p_ += n;
  }
  bool overflow() const { return overflow_; }
  std::uint8_t* position() const { return p_; }

 private:
  std::uint8_t* p_;
  std::uint8_t* end_;
  std::uint64_t buf_ = 0;
  int n_ = 0;
  bool overflow_ = false;
};

/// Code lengths of at most `limit` bits for `n` symbols of frequencies `freq` (at least two of
/// them non-zero): Huffman's, with the frequencies halved (rounding up) until the tree fits.
void code_lengths(const std::uint32_t* freq_in, int n, int limit, std::uint8_t* len) {
  std::vector<std::uint32_t> freq(freq_in, freq_in + n);
  std::vector<int> syms;
  for (int s = 0; s < n; ++s)
    if (freq[s] > 0) syms.push_back(s);
  std::fill(len, len + n, 0);
  for (;;) {
    // Leaves sorted by (frequency, symbol); internal nodes come out of the merge in order, so two
    // queues make the tree in linear time.
    std::vector<int> order = syms;
    std::sort(order.begin(), order.end(), [&](int a, int b) { return freq[a] != freq[b] ? freq[a] < freq[b] : a < b; });
    const std::size_t leaves = order.size();
    std::vector<std::uint64_t> weight(2 * leaves);
    std::vector<int> parent(2 * leaves, -1);
    for (std::size_t i = 0; i < leaves; ++i) weight[i] = freq[order[i]];
    std::size_t next_leaf = 0, next_node = leaves, made = leaves;
    auto take = [&]() -> std::size_t {
      if (next_leaf < leaves && (next_node >= made || weight[next_leaf] <= weight[next_node])) return next_leaf++;
      return next_node++;
    };
    while (made < 2 * leaves - 1) {
      const std::size_t a = take(), b = take();
      weight[made] = weight[a] + weight[b];
      parent[a] = parent[b] = static_cast<int>(made);
      ++made;
    }
    // Depths from the root (the last node) down: a node's parent has a larger index.
    std::vector<int> depth(made, 0);
    for (std::size_t i = made - 1; i-- > 0;) depth[i] = depth[static_cast<std::size_t>(parent[i])] + 1;
    int deepest = 0;
    for (std::size_t i = 0; i < leaves; ++i) deepest = std::max(deepest, depth[i]);
    if (deepest <= limit) {
      for (std::size_t i = 0; i < leaves; ++i) len[order[i]] = static_cast<std::uint8_t>(depth[i]);
      return;
    }
    for (int s : syms) freq[s] = (freq[s] + 1) / 2;
  }
}

/// Canonical codes (bit-reversed, ready to write LSB first) for lengths `len`.
void canonical_codes(const std::uint8_t* len, int n, std::uint16_t* code) {
  std::array<std::uint16_t, 16> count{}, next{};
  for (int s = 0; s < n; ++s) ++count[len[s]];
  count[0] = 0;
  std::uint16_t c = 0;
  for (int bits = 1; bits < 16; ++bits) {
    c = static_cast<std::uint16_t>((c + count[bits - 1]) << 1);
    next[bits] = c;
  }
  for (int s = 0; s < n; ++s) {
    const int l = len[s];
    if (l == 0) {
      code[s] = 0;
      continue;
    }
    std::uint16_t v = next[l]++, r = 0;
    for (int b = 0; b < l; ++b) r = static_cast<std::uint16_t>((r << 1) | ((v >> b) & 1));
    code[s] = r;
  }
}

inline std::uint64_t load64(const std::uint8_t* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}

/// The length of the match at distance `d` at position `pos` (0 when there is none), at most
/// `max_len` bytes.
inline std::size_t match_length(const std::uint8_t* in, std::size_t pos, std::size_t d, std::size_t max_len) {
  const std::uint8_t* a = in + pos;
  const std::uint8_t* b = in + pos - d;
  std::size_t k = 0;
  if constexpr (std::endian::native == std::endian::little) {
    while (k + 8 <= max_len) {
      std::uint64_t x, y;
      std::memcpy(&x, a + k, 8);
      std::memcpy(&y, b + k, 8);
      if (x != y) return k + static_cast<std::size_t>(std::countr_zero(x ^ y) / 8);
      k += 8;
    }
  }
  while (k < max_len && a[k] == b[k]) ++k;
  return k;
}

struct Token {
  std::uint16_t value;  ///< a literal byte, or a match length
  std::uint16_t dist;   ///< 0 for a literal
};

void stored_blocks(BitWriter& w, const std::uint8_t* data, std::size_t n, bool final) {
  do {
    const std::size_t part = std::min(n, kMaxStored);
    const bool last = final && part == n;
    w.put(last ? 1 : 0, 3);  // BFINAL, BTYPE 00
    w.align();
    const std::uint8_t header[4] = {static_cast<std::uint8_t>(part), static_cast<std::uint8_t>(part >> 8),
                                    static_cast<std::uint8_t>(~part), static_cast<std::uint8_t>(~part >> 8)};
    w.bytes(header, 4);
    w.bytes(data, part);
    data += part;
    n -= part;
  } while (n > 0);
}

/// The bits of `n` bytes as stored blocks starting at a bit offset, padding at most.
std::uint64_t stored_bits(std::size_t n) {
  const std::size_t blocks = n == 0 ? 1 : (n + kMaxStored - 1) / kMaxStored;
  return static_cast<std::uint64_t>(blocks) * (3 + 7 + 32) + 8 * static_cast<std::uint64_t>(n);
}

/// One block: dynamic Huffman codes for `tokens` (the bytes [data, data + n); the frequencies of
/// their symbols counted), or stored blocks when those are no larger.
void emit_block(BitWriter& w, const std::vector<Token>& tokens, std::array<std::uint32_t, kLitLenSymbols>& lit_freq,
                std::array<std::uint32_t, kDistSymbols>& dist_freq, const std::uint8_t* data, std::size_t n,
                bool final) {
  lit_freq[256] = 1;  // end of block
  // Complete codes only (two symbols at least), which every inflater takes.
  auto ensure_two = [](std::uint32_t* f, int n) {
    int used = 0;
    for (int s = 0; s < n; ++s) used += f[s] > 0;
    for (int s = 0; s < n && used < 2; ++s)
      if (f[s] == 0) f[s] = 1, ++used;
  };
  ensure_two(lit_freq.data(), kLitLenSymbols);
  ensure_two(dist_freq.data(), kDistSymbols);
  std::array<std::uint8_t, kLitLenSymbols> lit_len{};
  std::array<std::uint8_t, kDistSymbols> dist_len{};
  code_lengths(lit_freq.data(), kLitLenSymbols, 15, lit_len.data());
  code_lengths(dist_freq.data(), kDistSymbols, 15, dist_len.data());
  int nlit = kLitLenSymbols, ndist = kDistSymbols;
  while (nlit > 257 && lit_len[static_cast<std::size_t>(nlit - 1)] == 0) --nlit;
  while (ndist > 1 && dist_len[static_cast<std::size_t>(ndist - 1)] == 0) --ndist;

  // The code lengths, run-length coded: (symbol 0..18, extra bits, extra count).
  std::vector<std::uint8_t> all(lit_len.begin(), lit_len.begin() + nlit);
  all.insert(all.end(), dist_len.begin(), dist_len.begin() + ndist);
  struct Rle {
    std::uint8_t sym, extra, bits;
  };
  std::vector<Rle> rle;
  for (std::size_t i = 0; i < all.size();) {
    const std::uint8_t cur = all[i];
    std::size_t run = 1;
    while (i + run < all.size() && all[i + run] == cur) ++run;
    i += run;
    if (cur == 0) {
      while (run >= 11) {
        const std::size_t r = std::min<std::size_t>(run, 138);
        rle.push_back({18, static_cast<std::uint8_t>(r - 11), 7});
        run -= r;
      }
      if (run >= 3) {
        rle.push_back({17, static_cast<std::uint8_t>(run - 3), 3});
        run = 0;
      }
    } else {
      rle.push_back({cur, 0, 0});
      --run;
      while (run >= 3) {
        const std::size_t r = std::min<std::size_t>(run, 6);
        rle.push_back({16, static_cast<std::uint8_t>(r - 3), 2});
        run -= r;
      }
    }
    for (; run > 0; --run) rle.push_back({cur, 0, 0});
  }
  std::array<std::uint32_t, kCodeLenSymbols> cl_freq{};
  for (const Rle& r : rle) ++cl_freq[r.sym];
  ensure_two(cl_freq.data(), kCodeLenSymbols);
  std::array<std::uint8_t, kCodeLenSymbols> cl_len{};
  code_lengths(cl_freq.data(), kCodeLenSymbols, 7, cl_len.data());
  int ncl = kCodeLenSymbols;
  while (ncl > 4 && cl_len[kCodeLenOrder[static_cast<std::size_t>(ncl - 1)]] == 0) --ncl;

  // Its size against storing the bytes.
  std::uint64_t bits = 3 + 5 + 5 + 4 + 3 * static_cast<std::uint64_t>(ncl);
  for (const Rle& r : rle) bits += cl_len[r.sym] + r.bits;
  for (int s = 0; s < kLitLenSymbols; ++s)
    bits += static_cast<std::uint64_t>(lit_freq[static_cast<std::size_t>(s)]) *
            (lit_len[static_cast<std::size_t>(s)] + (s >= 257 ? kLengthExtra[static_cast<std::size_t>(s - 257)] : 0));
  for (int s = 0; s < kDistSymbols; ++s)
    bits += static_cast<std::uint64_t>(dist_freq[static_cast<std::size_t>(s)]) *
            (dist_len[static_cast<std::size_t>(s)] + kDistExtra[static_cast<std::size_t>(s)]);
  if (bits >= stored_bits(n)) {
    stored_blocks(w, data, n, final);
    return;
  }

  std::array<std::uint16_t, kLitLenSymbols> lit_code{};
  std::array<std::uint16_t, kDistSymbols> dist_code_bits{};
  std::array<std::uint16_t, kCodeLenSymbols> cl_code{};
  canonical_codes(lit_len.data(), kLitLenSymbols, lit_code.data());
  canonical_codes(dist_len.data(), kDistSymbols, dist_code_bits.data());
  canonical_codes(cl_len.data(), kCodeLenSymbols, cl_code.data());
  w.put(final ? 1 : 0, 1);
  w.put(2, 2);  // dynamic Huffman
  w.put(static_cast<std::uint32_t>(nlit - 257), 5);
  w.put(static_cast<std::uint32_t>(ndist - 1), 5);
  w.put(static_cast<std::uint32_t>(ncl - 4), 4);
  for (int i = 0; i < ncl; ++i) w.put(cl_len[kCodeLenOrder[static_cast<std::size_t>(i)]], 3);
  for (const Rle& r : rle) {
    w.put(cl_code[r.sym], cl_len[r.sym]);
    if (r.bits) w.put(r.extra, r.bits);
  }
  for (const Token& t : tokens) {
    if (t.dist == 0) {
      w.put(lit_code[t.value], lit_len[t.value]);
      continue;
    }
    const int lc = kLengthCode.code[t.value];
    w.put(lit_code[static_cast<std::size_t>(257 + lc)], lit_len[static_cast<std::size_t>(257 + lc)]);
    if (kLengthExtra[static_cast<std::size_t>(lc)])
      w.put(static_cast<std::uint32_t>(t.value - kLengthBase[static_cast<std::size_t>(lc)]),
            kLengthExtra[static_cast<std::size_t>(lc)]);
    const int dc = dist_code(t.dist);
    w.put(dist_code_bits[static_cast<std::size_t>(dc)], dist_len[static_cast<std::size_t>(dc)]);
    if (kDistExtra[static_cast<std::size_t>(dc)])
      w.put(static_cast<std::uint32_t>(t.dist - kDistBase[static_cast<std::size_t>(dc)]),
            kDistExtra[static_cast<std::size_t>(dc)]);
  }
  w.put(lit_code[256], lit_len[256]);
}

}  // namespace

std::size_t deflate_runs_bound(std::size_t size) {
  const std::size_t blocks = size / kMaxStored + size / kBlockTokens + 2;
  return 2 + 4 + size + 5 * blocks + 16;
}

std::size_t deflate_runs_zlib(const std::uint8_t* in, std::size_t size, int level, const RunsLayout& layout,
                              std::uint8_t* dst, std::size_t capacity) {
  if (capacity < 6) return 0;
  level = std::clamp(level, 0, kMaxRunsLevel);
  dst[0] = 0x78;  // deflate, 32 KiB window
  dst[1] = 0x01;  // fastest, no dictionary; (0x78 * 256 + 0x01) % 31 == 0
  BitWriter w(dst + 2, dst + capacity - 4);
  if (level == 0) {
    stored_blocks(w, in, size, true);
  } else {
    // The distances this level tries, nearest first (a tie goes to the nearest). Level 2 looks
    // back a pixel and a row in multi-byte pixels only: in one-byte gray renders (two values,
    // isolated dots) a match a row back is short, and its distance costs more bits than the
    // literals it replaces (measured on FractalDB-1k: 23% larger files).
    std::array<std::size_t, 3> dists{};
    std::size_t ndists = 0;
    dists[ndists++] = 1;
    if (level >= 2 && layout.pixel_bytes > 1 && layout.pixel_bytes <= kMaxDistance) {
      dists[ndists++] = layout.pixel_bytes;
      if (layout.row_bytes > layout.pixel_bytes && layout.row_bytes <= kMaxDistance) dists[ndists++] = layout.row_bytes;
    }
    const std::size_t farthest = *std::max_element(dists.begin(), dists.begin() + ndists);
    thread_local std::vector<Token> tokens;
    std::size_t pos = 0;
    do {
      tokens.clear();
      std::array<std::uint32_t, kLitLenSymbols> lit_freq{};
      std::array<std::uint32_t, kDistSymbols> dist_freq{};
      const std::size_t start = pos;
      while (pos < size && tokens.size() < kBlockTokens) {
        // Where every distance reaches back and 8 positions plus a match's 3 bytes lie ahead,
        // 8 positions are tested at once: byte j of (x ^ y) | ... is zero when the 3 bytes at
        // pos + j equal those d back. The lowest flagged byte of the zero-byte test is exact, and
        // so the first position with a match is the same as one at a time would find.
        if (pos >= farthest && pos + 10 <= size) {
          std::uint64_t flags = 0;
          for (std::size_t k = 0; k < ndists; ++k) {
            const std::size_t d = dists[k];
            const std::uint64_t z = (load64(in + pos) ^ load64(in + pos - d)) |
                                    (load64(in + pos + 1) ^ load64(in + pos + 1 - d)) |
                                    (load64(in + pos + 2) ^ load64(in + pos + 2 - d));
            flags |= (z - 0x0101010101010101ull) & ~z & 0x8080808080808080ull;
          }
          const std::size_t literals = flags == 0 ? 8 : static_cast<std::size_t>(std::countr_zero(flags)) / 8;
          const std::size_t room = kBlockTokens - tokens.size();
          const std::size_t take = std::min(literals, room);
          for (std::size_t j = 0; j < take; ++j) {
            tokens.push_back({in[pos + j], 0});
            ++lit_freq[in[pos + j]];
          }
          pos += take;
          if (literals == 8 || take < literals) continue;
        }
        if (pos >= size || tokens.size() >= kBlockTokens) break;
        const std::size_t max_len = std::min<std::size_t>(kMaxMatch, size - pos);
        std::size_t best = 0, best_d = 0;
        if (max_len >= static_cast<std::size_t>(kMinMatch)) {
          for (std::size_t k = 0; k < ndists; ++k) {
            const std::size_t d = dists[k];
            if (d > pos || in[pos] != in[pos - d]) continue;
            const std::size_t l = match_length(in, pos, d, max_len);
            if (l > best) best = l, best_d = d;
            if (best == max_len) break;  // none is longer
          }
        }
        if (best >= static_cast<std::size_t>(kMinMatch)) {
          tokens.push_back({static_cast<std::uint16_t>(best), static_cast<std::uint16_t>(best_d)});
          ++lit_freq[static_cast<std::size_t>(257 + kLengthCode.code[best])];
          ++dist_freq[static_cast<std::size_t>(dist_code(best_d))];
          pos += best;
        } else {
          tokens.push_back({in[pos], 0});
          ++lit_freq[in[pos]];
          ++pos;
        }
      }
      emit_block(w, tokens, lit_freq, dist_freq, in + start, pos - start, pos == size);
      if (tokens.capacity() > 4 * kBlockTokens) std::vector<Token>().swap(tokens);
    } while (pos < size && !w.overflow());
  }
  w.align();
  if (w.overflow()) return 0;
  std::uint8_t* p = w.position();
  const std::uint32_t adler = libdeflate_adler32(1, in, size);
  p[0] = static_cast<std::uint8_t>(adler >> 24);
  p[1] = static_cast<std::uint8_t>(adler >> 16);
  p[2] = static_cast<std::uint8_t>(adler >> 8);
  p[3] = static_cast<std::uint8_t>(adler);
  return static_cast<std::size_t>(p + 4 - dst);
}

}  // namespace fdsl
