// PNG encoding (libpng or our own libdeflate-based writer) and decoding (libpng).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "fdsl/core/image.h"
#include "fdsl/core/label_map.h"

namespace fdsl {

/// Which compressor writes the PNG.
enum class PngEncoder {
  Libpng,      ///< libpng + zlib, writing to memory
  Libdeflate,  ///< fdsl's own minimal writer around libdeflate (faster, same pixels)
  Isal,        ///< the same writer around Intel ISA-L's igzip (levels 0-3; fastest, larger files)
  Runs,        ///< the same writer around fdsl's own deflate_runs (levels 0-2; same bytes on every CPU)
};

/// Whether this build has `encoder` (ISA-L is optional at build time).
bool png_encoder_available(PngEncoder encoder);

/// The highest `level` an encoder takes: libpng 9, libdeflate 12, ISA-L 3, runs 2.
int png_max_level(PngEncoder encoder);

/// The PNG row filter applied to every scanline (one filter for the whole image, for speed).
enum class PngFilter {
  None,  ///< bytes as they are
  Sub,   ///< difference to the pixel on the left
  Up,    ///< difference to the pixel above
};

/// The zlib strategy of the Libpng encoder.
enum class PngStrategy {
  Auto,     ///< Rle for gray images, Default for RGB (the faster and smaller one on renders)
  Default,  ///< Z_DEFAULT_STRATEGY
  Rle,      ///< Z_RLE: matches at distance 1 only (runs), fast on flat gray images
};

/// How the PNG is written. Defaults are the fastest setting measured on fractal renders (see
/// the table at the top of io/png.cpp).
struct PngOptions {
  PngEncoder encoder = PngEncoder::Libdeflate;  ///< which compressor
  int level = 2;  ///< zlib/deflate level 0-9 (libdeflate allows up to 12); 2 beats 1 with libdeflate
  PngFilter filter = PngFilter::None;        ///< scanline filter, every encoder
  PngStrategy strategy = PngStrategy::Auto;  ///< zlib strategy, Libpng encoder only
};

/// Encodes into `out` (replacing its contents; reuse the vector across calls to avoid
/// allocation). Gray images become 8-bit grayscale PNG (color type 0), RGB images color type 2.
/// The bytes depend only on the image and the options (no timestamps, no text chunks). Throws
/// Error(BadInput) for an inconsistent image or a level out of range.
void encode_png(const Image& image, const PngOptions& options, std::vector<std::uint8_t>& out);

/// Encodes into a new byte vector; see the overload above.
std::vector<std::uint8_t> encode_png(const Image& image, const PngOptions& options = {});

/// Encodes a label map as a gray PNG of `bits` (8 or 16; 16-bit samples big-endian, as PNG
/// stores them) with `options`' level, always through fdsl's own writer (libdeflate, or ISA-L
/// when that is the encoder; levels above the compressor's are clamped). Throws Error(BadInput)
/// for a label that does not fit 8 bits or an inconsistent map.
void encode_label_png(const LabelMap& labels, int bits, const PngOptions& options, std::vector<std::uint8_t>& out);

/// Decodes an 8- or 16-bit gray PNG as labels (no scaling); `bits` receives its depth. Throws
/// Error(BadInput) naming `what` for anything else.
LabelMap decode_label_png(const std::uint8_t* data, std::size_t size, const std::string& what = "label PNG",
                          int* bits = nullptr);

/// Decodes 8-bit gray, gray+alpha, RGB, RGBA or palette PNG (libpng) into 1 or 3 channels
/// (gray and gray+alpha to 1, the others to 3; alpha is dropped, 16-bit samples are reduced to
/// 8 bits); throws Error(BadInput) naming `what` if the bytes are not a valid PNG.
Image decode_png(const std::uint8_t* data, std::size_t size, const std::string& what = "PNG data");

namespace detail {
/// decode_png without its fast path (libdeflate for 8-bit non-interlaced gray/RGB(A)): libpng
/// alone, for tests that compare the two.
Image decode_png_with_libpng(const std::uint8_t* data, std::size_t size, const std::string& what);
/// decode_label_png without its fast path (libdeflate for non-interlaced files), likewise.
LabelMap decode_label_png_with_libpng(const std::uint8_t* data, std::size_t size, const std::string& what,
                                      int* bits = nullptr);
}  // namespace detail

/// Reads and decodes a PNG file; throws Error(BadInput) naming the path if it cannot be read or
/// is not a valid PNG.
Image read_png(const std::filesystem::path& path);

}  // namespace fdsl
