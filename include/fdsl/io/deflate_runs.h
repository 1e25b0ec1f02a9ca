// fdsl's own zlib encoder for rendered images: deflate with matches at a few fixed distances only
// (a run of the byte before, the pixel before, the pixel above), dynamic Huffman codes per block.
// Plain scalar C++, so the bytes depend on the input and the level alone, on every CPU; far
// faster than a general match finder on renders, which are long runs of a few values.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fdsl {

/// How the bytes to compress are laid out: PNG scanlines, each `row_bytes` long (its filter byte
/// included), pixels of `pixel_bytes`. Level 2 looks one pixel and one row back in RGB.
struct RunsLayout {
  std::size_t row_bytes = 0;  ///< 0: not rows (level 2 then looks back one pixel only)
  std::size_t pixel_bytes = 1;
};

/// The highest level deflate_runs_zlib takes.
constexpr int kMaxRunsLevel = 2;

/// Compresses `size` bytes at `in` into a zlib stream (RFC 1950 around RFC 1951) at `dst`, at
/// most `capacity` bytes; returns its size, or 0 when it does not fit. Level 0 stores the bytes;
/// level 1 matches runs of the previous byte (distance 1, as zlib's Z_RLE); level 2, for pixels of
/// several bytes (RGB), also matches at the previous pixel and the pixel above, taking the longest
/// (the nearest of equals); for one-byte pixels level 2 is level 1. A block
/// whose codes would not beat storing it is stored, so the output never exceeds the stored size by
/// more than the block headers: capacity >= deflate_runs_bound(size) always suffices.
std::size_t deflate_runs_zlib(const std::uint8_t* in, std::size_t size, int level, const RunsLayout& layout,
                              std::uint8_t* dst, std::size_t capacity);

/// An output size deflate_runs_zlib never exceeds for `size` input bytes.
std::size_t deflate_runs_bound(std::size_t size);

}  // namespace fdsl
