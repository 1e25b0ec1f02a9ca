// deflate_runs_zlib: see the header. The encoder keeps no state between calls and makes no choice
// that depends on the CPU (its one SIMD loop, an SSE2 byte comparison, gives the scalar loop's
// bits exactly; no timing): the bytes are a function of the input, the level and the layout.
//
// Per block of at most kBlockTokens tokens: a greedy pass turns the input into literals and
// matches (at each position the longest match among the level's distances, 3..258 bytes, else a
// literal), counting symbol frequencies; then either a dynamic-Huffman block (lengths limited by
// halving the frequencies until the tree fits) or, when that would not be smaller, stored blocks.
// Distance 1 alone (level 1, and level 2 on one-byte pixels) takes a faster path to the same
// choices, from bitmaps of equal neighbours (runs_blocks).
#include "fdsl/io/deflate_runs.h"

#include <libdeflate.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
    if (n == 0) return;  // `data` may be null then
    std::memcpy(p_, data, n);
    p_ += n;
  }
  bool overflow() const { return overflow_; }
  std::uint8_t* position() const { return p_; }
  /// The bytes left before `end`.
  std::size_t room() const { return static_cast<std::size_t>(end_ - p_); }
  /// The position and the bits not yet written (fewer than 32), for a writer that goes on from
  /// here, and its state taken back (fewer than 32 bits pending).
  void detach(std::uint8_t*& p, std::uint64_t& buf, int& n) const {
    p = p_;
    buf = buf_;
    n = n_;
  }
  void attach(std::uint8_t* p, std::uint64_t buf, int n) {
    p_ = p;
    buf_ = buf;
    n_ = n;
  }

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

/// A block's codes: dynamic Huffman code lengths and codes for its symbols, the code-length
/// code that sends them, and the block's size in bits; or the decision to store the bytes.
struct BlockCodes {
  struct Rle {
    std::uint8_t sym, extra, bits;
  };
  std::array<std::uint8_t, kLitLenSymbols> lit_len{};
  std::array<std::uint8_t, kDistSymbols> dist_len{};
  std::array<std::uint8_t, kCodeLenSymbols> cl_len{};
  std::array<std::uint16_t, kLitLenSymbols> lit_code{};
  std::array<std::uint16_t, kDistSymbols> dist_code{};
  std::array<std::uint16_t, kCodeLenSymbols> cl_code{};
  std::vector<Rle> rle;  ///< the code lengths, run-length coded
  int nlit = kLitLenSymbols, ndist = kDistSymbols, ncl = kCodeLenSymbols;
  std::uint64_t bits = 0;  ///< the coded block: header, symbols and extra bits, end of block
  bool stored = false;     ///< storing the bytes is no larger: the codes are not made
};

/// The codes for a block of `n` bytes whose symbols have frequencies `lit_freq` and `dist_freq`
/// (end of block not yet counted; both are completed here).
void plan_block(std::array<std::uint32_t, kLitLenSymbols>& lit_freq, std::array<std::uint32_t, kDistSymbols>& dist_freq,
                std::size_t n, BlockCodes& b) {
  lit_freq[256] = 1;  // end of block
  // Complete codes only (two symbols at least), which every inflater takes.
  auto ensure_two = [](std::uint32_t* f, int count) {
    int used = 0;
    for (int s = 0; s < count; ++s) used += f[s] > 0;
    for (int s = 0; s < count && used < 2; ++s)
      if (f[s] == 0) f[s] = 1, ++used;
  };
  ensure_two(lit_freq.data(), kLitLenSymbols);
  ensure_two(dist_freq.data(), kDistSymbols);
  code_lengths(lit_freq.data(), kLitLenSymbols, 15, b.lit_len.data());
  code_lengths(dist_freq.data(), kDistSymbols, 15, b.dist_len.data());
  b.nlit = kLitLenSymbols;
  b.ndist = kDistSymbols;
  while (b.nlit > 257 && b.lit_len[static_cast<std::size_t>(b.nlit - 1)] == 0) --b.nlit;
  while (b.ndist > 1 && b.dist_len[static_cast<std::size_t>(b.ndist - 1)] == 0) --b.ndist;

  // The code lengths, run-length coded: (symbol 0..18, extra bits, extra count).
  std::vector<std::uint8_t> all(b.lit_len.begin(), b.lit_len.begin() + b.nlit);
  all.insert(all.end(), b.dist_len.begin(), b.dist_len.begin() + b.ndist);
  b.rle.clear();
  for (std::size_t i = 0; i < all.size();) {
    const std::uint8_t cur = all[i];
    std::size_t run = 1;
    while (i + run < all.size() && all[i + run] == cur) ++run;
    i += run;
    if (cur == 0) {
      while (run >= 11) {
        const std::size_t r = std::min<std::size_t>(run, 138);
        b.rle.push_back({18, static_cast<std::uint8_t>(r - 11), 7});
        run -= r;
      }
      if (run >= 3) {
        b.rle.push_back({17, static_cast<std::uint8_t>(run - 3), 3});
        run = 0;
      }
    } else {
      b.rle.push_back({cur, 0, 0});
      --run;
      while (run >= 3) {
        const std::size_t r = std::min<std::size_t>(run, 6);
        b.rle.push_back({16, static_cast<std::uint8_t>(r - 3), 2});
        run -= r;
      }
    }
    for (; run > 0; --run) b.rle.push_back({cur, 0, 0});
  }
  std::array<std::uint32_t, kCodeLenSymbols> cl_freq{};
  for (const BlockCodes::Rle& r : b.rle) ++cl_freq[r.sym];
  ensure_two(cl_freq.data(), kCodeLenSymbols);
  code_lengths(cl_freq.data(), kCodeLenSymbols, 7, b.cl_len.data());
  b.ncl = kCodeLenSymbols;
  while (b.ncl > 4 && b.cl_len[kCodeLenOrder[static_cast<std::size_t>(b.ncl - 1)]] == 0) --b.ncl;

  // Its size against storing the bytes.
  std::uint64_t bits = 3 + 5 + 5 + 4 + 3 * static_cast<std::uint64_t>(b.ncl);
  for (const BlockCodes::Rle& r : b.rle) bits += b.cl_len[r.sym] + r.bits;
  for (int s = 0; s < kLitLenSymbols; ++s)
    bits += static_cast<std::uint64_t>(lit_freq[static_cast<std::size_t>(s)]) *
            (b.lit_len[static_cast<std::size_t>(s)] + (s >= 257 ? kLengthExtra[static_cast<std::size_t>(s - 257)] : 0));
  for (int s = 0; s < kDistSymbols; ++s)
    bits += static_cast<std::uint64_t>(dist_freq[static_cast<std::size_t>(s)]) *
            (b.dist_len[static_cast<std::size_t>(s)] + kDistExtra[static_cast<std::size_t>(s)]);
  b.bits = bits;
  b.stored = bits >= stored_bits(n);
  if (b.stored) return;
  canonical_codes(b.lit_len.data(), kLitLenSymbols, b.lit_code.data());
  canonical_codes(b.dist_len.data(), kDistSymbols, b.dist_code.data());
  canonical_codes(b.cl_len.data(), kCodeLenSymbols, b.cl_code.data());
}

/// The header of a dynamic-Huffman block: its type, the code-length code and the code lengths.
void write_dynamic_header(BitWriter& w, const BlockCodes& b, bool final) {
  w.put(final ? 1 : 0, 1);
  w.put(2, 2);  // dynamic Huffman
  w.put(static_cast<std::uint32_t>(b.nlit - 257), 5);
  w.put(static_cast<std::uint32_t>(b.ndist - 1), 5);
  w.put(static_cast<std::uint32_t>(b.ncl - 4), 4);
  for (int i = 0; i < b.ncl; ++i) w.put(b.cl_len[kCodeLenOrder[static_cast<std::size_t>(i)]], 3);
  for (const BlockCodes::Rle& r : b.rle) {
    w.put(b.cl_code[r.sym], b.cl_len[r.sym]);
    if (r.bits) w.put(r.extra, r.bits);
  }
}

/// One block of `tokens` (the bytes [data, data + n), the frequencies of their symbols counted):
/// dynamic Huffman codes, or stored blocks when those are no larger.
void emit_block(BitWriter& w, const std::vector<Token>& tokens, std::array<std::uint32_t, kLitLenSymbols>& lit_freq,
                std::array<std::uint32_t, kDistSymbols>& dist_freq, const std::uint8_t* data, std::size_t n,
                bool final) {
  thread_local BlockCodes b;
  plan_block(lit_freq, dist_freq, n, b);
  if (b.stored) {
    stored_blocks(w, data, n, final);
    return;
  }
  write_dynamic_header(w, b, final);
  for (const Token& t : tokens) {
    if (t.dist == 0) {
      w.put(b.lit_code[t.value], b.lit_len[t.value]);
      continue;
    }
    const int lc = kLengthCode.code[t.value];
    w.put(b.lit_code[static_cast<std::size_t>(257 + lc)], b.lit_len[static_cast<std::size_t>(257 + lc)]);
    if (kLengthExtra[static_cast<std::size_t>(lc)])
      w.put(static_cast<std::uint32_t>(t.value - kLengthBase[static_cast<std::size_t>(lc)]),
            kLengthExtra[static_cast<std::size_t>(lc)]);
    const int dc = dist_code(t.dist);
    w.put(b.dist_code[static_cast<std::size_t>(dc)], b.dist_len[static_cast<std::size_t>(dc)]);
    if (kDistExtra[static_cast<std::size_t>(dc)])
      w.put(static_cast<std::uint32_t>(t.dist - kDistBase[static_cast<std::size_t>(dc)]),
            kDistExtra[static_cast<std::size_t>(dc)]);
  }
  w.put(b.lit_code[256], b.lit_len[256]);
}

// --- Runs of the byte before only (level 1; level 2 on one-byte pixels) ---------------------------
// The same greedy choice as the general loop with the single distance 1, made from bitmaps: bit i
// of `eq` says in[i] == in[i - 1]; a match starts at i when bits i, i + 1 and i + 2 are set (four
// equal bytes, three of them ahead), and runs to the next clear bit. Literals are not stored as
// tokens: they are the bytes between the matches.

/// Bit i set: in[i] == in[i - 1] (never bit 0, nor a bit at or past `size`). At least one word
/// past the last byte, so a lookahead or a search for a clear bit stops inside the vector.
void equal_to_previous(const std::uint8_t* in, std::size_t size, std::vector<std::uint64_t>& eq) {
  eq.assign(size / 64 + 2, 0);
  std::size_t i = 1;
#if defined(__SSE2__)
  // 16 positions at once from position 16 on (the comparison is exact: the bits are the same as
  // the scalar loop's on any CPU).
  for (i = 16; i + 16 <= size; i += 16) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i - 1));
    const auto m = static_cast<std::uint64_t>(static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(a, b))));
    eq[i >> 6] |= m << (i & 63);
  }
  for (std::size_t k = 1; k < std::min<std::size_t>(16, size); ++k)
    if (in[k] == in[k - 1]) eq[k >> 6] |= std::uint64_t{1} << (k & 63);
  if (size <= 16) i = size;
#endif
  for (; i < size; ++i)
    if (in[i] == in[i - 1]) eq[i >> 6] |= std::uint64_t{1} << (i & 63);
}

/// Word w of the match starts: bits i, i + 1 and i + 2 of `eq` set.
inline std::uint64_t starts_word(const std::vector<std::uint64_t>& eq, std::size_t w) {
  const std::uint64_t e0 = eq[w], e1 = eq[w + 1];
  return e0 & ((e0 >> 1) | (e1 << 63)) & ((e0 >> 2) | (e1 << 62));
}

/// The first match start at or after `pos`, or `size` when none is left.
inline std::size_t next_start(const std::vector<std::uint64_t>& eq, std::size_t pos, std::size_t size) {
  if (pos >= size) return size;
  std::size_t w = pos >> 6;
  std::uint64_t word = starts_word(eq, w) & (~std::uint64_t{0} << (pos & 63));
  const std::size_t last = eq.size() - 2;  // starts_word reads w + 1
  while (word == 0) {
    if (++w > last) return size;
    word = starts_word(eq, w);
  }
  return std::min(size, (w << 6) + static_cast<std::size_t>(std::countr_zero(word)));
}

/// The first clear bit of `eq` at or after `pos`, or `limit` when there is none before it (there
/// is one at `size` at the latest).
inline std::size_t next_clear(const std::vector<std::uint64_t>& eq, std::size_t pos, std::size_t limit) {
  std::size_t w = pos >> 6;
  std::uint64_t word = ~eq[w] & (~std::uint64_t{0} << (pos & 63));
  while (word == 0) {
    if ((++w << 6) >= limit) return limit;
    word = ~eq[w];
  }
  return std::min(limit, (w << 6) + static_cast<std::size_t>(std::countr_zero(word)));
}

/// A runs block's symbols, one uint16 each: a literal byte (0-255), or 256 + the length of a
/// match at distance 1 (259-514).
constexpr std::size_t kRunsSymbols = 256 + kMaxMatch + 1;

/// Bits written LSB first with no bound check: the caller has made sure the block fits with 16
/// bytes to spare. put() takes up to 56 bits after a flush().
struct UncheckedBits {
  std::uint8_t* p;
  std::uint64_t buf;
  int n;
  void put(std::uint64_t bits, int count) {
    buf |= bits << n;
    n += count;
  }
  void flush() {
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(p, &buf, 8);
    } else {
      for (int k = 0; k < 8; ++k) p[k] = static_cast<std::uint8_t>(buf >> (8 * k));
    }
    p += n >> 3;
    buf >>= n & ~7;
    n &= 7;
  }
};

/// The checked writer under the same interface (put() takes up to 48 bits; it writes as it goes).
struct CheckedBits {
  BitWriter& w;
  void put(std::uint64_t bits, int count) {
    while (count > 24) {
      w.put(static_cast<std::uint32_t>(bits & 0xffffff), 24);
      bits >>= 24;
      count -= 24;
    }
    w.put(static_cast<std::uint32_t>(bits), count);
  }
  void flush() {}
};

/// A runs block's symbols and its end of block, coded by `b`.
template <class Writer>
void write_runs_symbols(Writer& w, const BlockCodes& b, const std::uint16_t* sym, std::size_t count) {
  // Each symbol's bits and their number in one word (the number in the top 6 bits): a literal's
  // code; a length's code, its extra bits and the code of distance 1 (symbol 0, no extra bits).
  std::array<std::uint64_t, kRunsSymbols> entry{};
  for (std::size_t s = 0; s < 256; ++s) entry[s] = b.lit_code[s] | static_cast<std::uint64_t>(b.lit_len[s]) << 58;
  for (int l = kMinMatch; l <= kMaxMatch; ++l) {
    const std::size_t lc = kLengthCode.code[static_cast<std::size_t>(l)];
    const int code_len = b.lit_len[257 + lc], extra = kLengthExtra[lc];
    const std::uint64_t bits = b.lit_code[257 + lc] | static_cast<std::uint64_t>(l - kLengthBase[lc]) << code_len |
                               static_cast<std::uint64_t>(b.dist_code[0]) << (code_len + extra);
    entry[256 + static_cast<std::size_t>(l)] = bits | static_cast<std::uint64_t>(code_len + extra + b.dist_len[0])
                                                          << 58;
  }
  constexpr std::uint64_t kBits = (std::uint64_t{1} << 58) - 1;
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint64_t e = entry[sym[i]];
    w.put(e & kBits, static_cast<int>(e >> 58));
    w.flush();
  }
  w.put(b.lit_code[256], b.lit_len[256]);
  w.flush();
}

/// `n` literal bytes appended to the symbols at `out`. Up to 15 symbols past `n` may be written
/// (and `in` read up to 15 bytes past `n`) when `in_room` bytes are readable from `in`.
inline void widen_literals(const std::uint8_t* in, std::size_t n, std::size_t in_room, std::uint16_t* out) {
  std::size_t k = 0;
#if defined(__SSE2__)
  if (n + 15 < in_room) {
    const __m128i zero = _mm_setzero_si128();
    for (; k < n; k += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + k));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out + k), _mm_unpacklo_epi8(v, zero));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out + k + 8), _mm_unpackhi_epi8(v, zero));
    }
    return;
  }
#endif
  (void)in_room;
  for (; k < n; ++k) out[k] = in[k];
}

/// deflate_runs_zlib's blocks for distance 1 alone.
void runs_blocks(BitWriter& w, const std::uint8_t* in, std::size_t size) {
  thread_local std::vector<std::uint64_t> eq;
  thread_local std::vector<std::uint16_t> sym;
  thread_local BlockCodes b;
  equal_to_previous(in, size, eq);
  sym.resize(std::min(size, kBlockTokens) + 16);
  std::size_t pos = 0;
  do {
    // The block's symbols, the greedy choice of the general loop: literals up to the next match
    // start, then the match, until the block holds kBlockTokens symbols.
    const std::size_t start = pos;
    std::size_t count = 0, matches = 0;
    while (pos < size && count < kBlockTokens) {
      const std::size_t p = next_start(eq, pos, size);
      const std::size_t literals = std::min(p - pos, kBlockTokens - count);
      widen_literals(in + pos, literals, size - pos, sym.data() + count);
      count += literals;
      pos += literals;
      if (pos != p || pos >= size || count == kBlockTokens) break;  // the block is full, or all is taken
      const std::size_t len = next_clear(eq, pos + 3, pos + kMaxMatch) - pos;
      sym[count++] = static_cast<std::uint16_t>(256 + len);
      ++matches;
      pos += len;
    }
    // Their frequencies, in four tables so that a run of one value does not wait on one counter.
    std::array<std::array<std::uint32_t, kRunsSymbols>, 4> hist{};
    std::size_t i = 0;
    for (; i + 4 <= count; i += 4) {
      ++hist[0][sym[i]];
      ++hist[1][sym[i + 1]];
      ++hist[2][sym[i + 2]];
      ++hist[3][sym[i + 3]];
    }
    for (; i < count; ++i) ++hist[0][sym[i]];
    std::array<std::uint32_t, kLitLenSymbols> lit_freq{};
    std::array<std::uint32_t, kDistSymbols> dist_freq{};
    for (std::size_t s = 0; s < 256; ++s) lit_freq[s] = hist[0][s] + hist[1][s] + hist[2][s] + hist[3][s];
    for (std::size_t l = kMinMatch; l <= kMaxMatch; ++l)
      lit_freq[257 + kLengthCode.code[l]] += hist[0][256 + l] + hist[1][256 + l] + hist[2][256 + l] + hist[3][256 + l];
    dist_freq[0] = static_cast<std::uint32_t>(matches);

    const bool final = pos == size;
    plan_block(lit_freq, dist_freq, pos - start, b);
    if (b.stored) {
      stored_blocks(w, in + start, pos - start, final);
    } else {
      write_dynamic_header(w, b, final);
      // The block's size is known: with room for it and 16 bytes more, the symbols go out unchecked.
      if (w.room() >= b.bits / 8 + 16) {
        UncheckedBits u{};
        w.detach(u.p, u.buf, u.n);
        u.flush();  // fewer than 8 bits pending, as put() wants
        write_runs_symbols(u, b, sym.data(), count);
        w.attach(u.p, u.buf, u.n);
      } else {
        CheckedBits c{w};
        write_runs_symbols(c, b, sym.data(), count);
      }
    }
  } while (pos < size && !w.overflow());
  if (eq.capacity() > (std::size_t{1} << 16)) std::vector<std::uint64_t>().swap(eq);
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
    if (ndists == 1) {
      runs_blocks(w, in, size);
    } else {
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
