// PNG writing and reading.
//
// Defaults (PngOptions) were chosen with `fdsl-bench png` (bench/png_bench.cpp): 1 thread on
// the 2-core x86-64 build machine, libdeflate 1.14, libpng 1.6.39 + zlib; four chaos-game renders
// (fern, Sierpinski, FractalDB category 00000, spiral; 200k points, random 3x3 patches, gray 127
// on black at 362x362, map-colored at 224x224), mean PNG size over the four.
//
//   encoder     level filter strategy |  gray362 img/s   bytes |  rgb224 img/s   bytes
//   libdeflate    0   none            |     58100   131484     |     55100   150830
//   libdeflate    1   none            |      2560     4891     |      2540     4607
//   libdeflate    1   sub             |      2570     5026     |      2315     4661
//   libdeflate    1   up              |      2535     5318     |      2290     4969
//   libdeflate    2   none  <- default|      3030     4708     |      3000     4314
//   libdeflate    2   sub             |      3020     4970     |      3015     4476
//   libdeflate    2   up              |      3040     5282     |      2965     4784
//   libdeflate    4   none            |      2525     4203     |      2605     4002
//   libdeflate    6   none            |      1500     3468     |      1620     3469
//   libdeflate    9   none            |       170     3047     |       215     2914
//   libpng        1   none  Z_RLE     |      3100     3663     |      1905    15955
//   libpng        1   none  default   |      2785     5910     |      2835     5506
//   libpng        1   sub   Z_RLE     |      2410     5279     |      2215     8515  (cv2.imwrite)
//   libpng        1   up    Z_RLE     |      2660     4181     |      2415     7795
//   libpng        2   none  auto      |      3095     3663     |      2760     5174
//   libpng        6   none  default   |       755     3545     |       865     3281
//   decode (libpng) of a default gray362 file: 3980 img/s
//
// Level: libdeflate level 2 beats level 1 on both speed (+18%) and size (-4..6%) on these images
// (level 1 is a separate, simpler match finder that does badly on long runs); higher levels cost
// far more time than they save bytes. Filter: NONE. Renders are flat runs of 0 and a few values,
// which deflate already matches as they are; SUB is as fast but 2-6% bigger, UP is slowest and
// biggest (rows differ along the ragged outline). Encoder: libdeflate is the fastest on RGB (+6%
// over libpng's fastest) and within 2% on gray, and allocates nothing per image. Libpng strategy:
// Z_RLE on gray (11% faster and 38% smaller than the default strategy), the default strategy on
// RGB (pixels repeat at distance 3, which Z_RLE cannot match: 3x bigger); that is
// PngStrategy::Auto. For gray datasets where disk matters more than 2%, Libpng (Auto) writes 22%
// smaller files.

#include "fdsl/io/png.h"
#include <algorithm>

#include <libdeflate.h>
#include <png.h>
#include <zlib.h>
#if defined(FDSL_HAVE_ISAL)
#include <isa-l/igzip_lib.h>
#endif

#include <array>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <memory>

#include "fdsl/core/error.h"
#include "fdsl/io/deflate_runs.h"
#include "fdsl/io/files.h"

namespace fdsl {

namespace detail {
namespace {

constexpr std::uint8_t kPngSignature[8] = {137, 80, 78, 71, 13, 10, 26, 10};
constexpr int kMaxLibpngLevel = 9;
constexpr int kMaxLibdeflateLevel = 12;
/// A thread keeps its filtered-scanline buffer between images unless it grew past this; then it
/// is freed after the image so one huge image does not pin memory for the life of the thread.
constexpr std::size_t kKeepScratchBytes = std::size_t{64} << 20;

/// Throws BadInput unless `image` is a consistent 1- or 3-channel image.
void check_encodable(const Image& image) {
  check_image_size(image.width, image.height, "encode_png");
  if (image.channels != 1 && image.channels != 3) {
    throw_bad_input("encode_png: channels must be 1 (gray) or 3 (RGB), got " + std::to_string(image.channels));
  }
  std::size_t expected = image.stride() * static_cast<std::size_t>(image.height);
  if (image.pixels.size() != expected) {
    throw_bad_input("encode_png: a " + std::to_string(image.width) + "x" + std::to_string(image.height) + "x" +
                    std::to_string(image.channels) + " image needs " + std::to_string(expected) +
                    " pixel bytes, it has " + std::to_string(image.pixels.size()));
  }
}

void put_u32_be(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

/// Writes the CRC of a chunk whose length field starts at `chunk` and holds `data_length`.
void put_chunk_crc(std::uint8_t* chunk, std::uint32_t data_length) {
  // The CRC covers the chunk type and data, not the length.
  std::uint32_t crc = libdeflate_crc32(0, chunk + 4, 4 + static_cast<std::size_t>(data_length));
  put_u32_be(chunk + 8 + data_length, crc);
}

/// The PNG filter-type byte of a filter.
std::uint8_t filter_byte(PngFilter filter) {
  switch (filter) {
    case PngFilter::None:
      return 0;
    case PngFilter::Sub:
      return 1;
    case PngFilter::Up:
      return 2;
  }
  return 0;
}

/// Fills `buf` with the PNG scanline stream: per row, the filter-type byte then the filtered row.
void filter_scanlines(const Image& image, PngFilter filter, std::vector<std::uint8_t>& buf) {
  const std::size_t stride = image.stride();
  const std::size_t bpp = static_cast<std::size_t>(image.channels);
  buf.resize((stride + 1) * static_cast<std::size_t>(image.height));
  std::uint8_t* out = buf.data();
  const std::uint8_t type = filter_byte(filter);
  for (int y = 0; y < image.height; ++y) {
    const std::uint8_t* row = image.row(y);
    *out++ = type;
    if (filter == PngFilter::None) {
      std::memcpy(out, row, stride);
    } else if (filter == PngFilter::Sub) {
      for (std::size_t i = 0; i < bpp; ++i) out[i] = row[i];
      for (std::size_t i = bpp; i < stride; ++i) out[i] = static_cast<std::uint8_t>(row[i] - row[i - bpp]);
    } else if (y == 0) {
      // Up: the row above the first one counts as zeros.
      std::memcpy(out, row, stride);
    } else {
      const std::uint8_t* prior = image.row(y - 1);
      for (std::size_t i = 0; i < stride; ++i) out[i] = static_cast<std::uint8_t>(row[i] - prior[i]);
    }
    out += stride;
  }
}

struct CompressorDeleter {
  void operator()(libdeflate_compressor* c) const { libdeflate_free_compressor(c); }
};

/// This thread's compressor for `level`, made on first use (a compressor is not thread-safe,
/// and allocating one per image would cost more than compressing a small image).
libdeflate_compressor* thread_compressor(int level) {
  thread_local std::array<std::unique_ptr<libdeflate_compressor, CompressorDeleter>, kMaxLibdeflateLevel + 1>
      compressors;
  auto& slot = compressors[static_cast<std::size_t>(level)];
  if (!slot) {
    slot.reset(libdeflate_alloc_compressor(level));
    if (!slot) {
      throw_runtime("encode_png: libdeflate could not allocate a compressor for level " + std::to_string(level) +
                    " (out of memory)");
    }
  }
  return slot.get();
}

/// A zlib compressor for the writer below: compresses `in` into at most `capacity` bytes at `dst`
/// and returns the size, or 0 when it does not fit.
/// `layout` describes the scanlines (only the runs encoder looks at it).
using ZlibCompress = std::size_t (*)(const std::vector<std::uint8_t>& in, int level, const RunsLayout& layout,
                                     std::uint8_t* dst, std::size_t capacity);

std::size_t libdeflate_compress(const std::vector<std::uint8_t>& in, int level, const RunsLayout&, std::uint8_t* dst,
                                std::size_t capacity) {
  return libdeflate_zlib_compress(thread_compressor(level), in.data(), in.size(), dst, capacity);
}

std::size_t runs_compress(const std::vector<std::uint8_t>& in, int level, const RunsLayout& layout, std::uint8_t* dst,
                          std::size_t capacity) {
  return deflate_runs_zlib(in.data(), in.size(), level, layout, dst, capacity);
}

#if defined(FDSL_HAVE_ISAL)
/// ISA-L's AVX-512 and AVX2 code can return with the upper halves of the vector registers
/// still set. The SSE code that runs next (all of this build, and libm) then pays on every
/// vector instruction on Intel cores: measured on the 2-core Xeon VM, dead leaves to PNG with
/// ISA-L took ~0.4 ms more per image than with this (1.46 against 1.05 ms), slower end to end
/// than libdeflate although ISA-L encodes them 2.7x faster. vzeroupper clears them (it exists where
/// AVX does).
void clear_upper_vector_state() {
#if defined(__x86_64__)
  static const bool avx = __builtin_cpu_supports("avx");
  if (avx) __asm__ volatile("vzeroupper");
#endif
}

/// ISA-L's stateless igzip with a zlib wrapper; each thread keeps its level buffer.
std::size_t isal_compress(const std::vector<std::uint8_t>& in, int level, const RunsLayout&, std::uint8_t* dst,
                          std::size_t capacity) {
  static constexpr std::size_t kLevelBuf[] = {ISAL_DEF_LVL0_DEFAULT, ISAL_DEF_LVL1_DEFAULT, ISAL_DEF_LVL2_DEFAULT,
                                              ISAL_DEF_LVL3_DEFAULT};
  thread_local std::vector<std::uint8_t> level_buf;
  if (in.size() > 0xffffffffu || capacity > 0xffffffffu)
    throw_bad_input("encode_png: the isal encoder takes at most 4 GiB of scanlines per image");
  // The hash tables live in the level buffer; stateless compression does not clear them, and a
  // stale entry can change which match is found, so the bytes would depend on the images this
  // thread compressed before. Cleared, the bytes depend on this image only.
  level_buf.assign(kLevelBuf[level], 0);
  // Zeroed: stateless init leaves parts of the internal state as it finds them, and stack garbage
  // there changed the bytes (measured: the same image came out two ways in one thread).
  isal_zstream stream{};
  isal_deflate_stateless_init(&stream);
  stream.level = static_cast<std::uint32_t>(level);
  stream.level_buf = level_buf.empty() ? nullptr : level_buf.data();
  stream.level_buf_size = static_cast<std::uint32_t>(level_buf.size());
  stream.gzip_flag = IGZIP_ZLIB;
  stream.end_of_stream = 1;
  stream.flush = NO_FLUSH;
  stream.next_in = const_cast<std::uint8_t*>(in.data());
  stream.avail_in = static_cast<std::uint32_t>(in.size());
  stream.next_out = dst;
  stream.avail_out = static_cast<std::uint32_t>(capacity);
  const int r = isal_deflate_stateless(&stream);
  clear_upper_vector_state();
  if (r == STATELESS_OVERFLOW) return 0;
  if (r != COMP_OK)
    throw_runtime("encode_png: ISA-L could not compress (error " + std::to_string(r) + ", level " +
                  std::to_string(level) + ")");
  return stream.total_out;
}
#endif

/// Our own PNG writer: signature, IHDR, a single IDAT with the whole zlib stream, IEND.
void write_zlib_png(int width, int height, int bit_depth, int color_type, const std::vector<std::uint8_t>& scanlines,
                    const PngOptions& options, ZlibCompress compress, std::vector<std::uint8_t>& out);

void encode_with_zlib_stream(const Image& image, const PngOptions& options, ZlibCompress compress,
                             std::vector<std::uint8_t>& out) {
  thread_local std::vector<std::uint8_t> scanlines;
  filter_scanlines(image, options.filter, scanlines);
  write_zlib_png(image.width, image.height, 8, image.channels == 1 ? 0 : 2, scanlines, options, compress, out);
  if (scanlines.capacity() > kKeepScratchBytes) std::vector<std::uint8_t>().swap(scanlines);
}

/// The PNG of prepared scanlines (filter byte + row per line) with the given IHDR fields.
void write_zlib_png(int width, int height, int bit_depth, int color_type, const std::vector<std::uint8_t>& scanlines,
                    const PngOptions& options, ZlibCompress compress, std::vector<std::uint8_t>& out) {
  // libdeflate's bound holds for every deflate encoder that falls back to stored blocks; ISA-L
  // may need a little more on incompressible rows, so there is one retry with more room.
  const int bound_level = options.encoder == PngEncoder::Libdeflate ? options.level : 6;
  std::size_t bound = std::max(libdeflate_zlib_compress_bound(thread_compressor(bound_level), scanlines.size()),
                               deflate_runs_bound(scanlines.size())) +
                      1024;
  RunsLayout layout;
  layout.row_bytes = height > 0 ? scanlines.size() / static_cast<std::size_t>(height) : 0;
  layout.pixel_bytes = static_cast<std::size_t>((color_type == 2 ? 3 : 1) * (bit_depth / 8));
  constexpr std::size_t kIhdrChunk = 4 + 4 + 13 + 4;
  constexpr std::size_t kIdatHeader = 4 + 4;
  constexpr std::size_t kIendChunk = 4 + 4 + 4;
  constexpr std::size_t kDataStart = sizeof kPngSignature + kIhdrChunk + kIdatHeader;

  // The stream is compressed into a scratch buffer kept by the thread and left uninitialized
  // (zeroing the bound, ~10x the PNG of a render, cost as much as a fast encoder's own work),
  // then the PNG is assembled in `out`.
  thread_local std::unique_ptr<std::uint8_t[]> scratch;
  thread_local std::size_t scratch_size = 0;
  const auto room = [&](std::size_t n) {
    if (scratch_size < n) {
      scratch.reset();
      scratch = std::make_unique_for_overwrite<std::uint8_t[]>(n);
      scratch_size = n;
    }
    return scratch.get();
  };
  std::size_t compressed = compress(scanlines, options.level, layout, room(bound), bound);
  if (compressed == 0) {
    bound = bound + bound / 8 + 65536;
    compressed = compress(scanlines, options.level, layout, room(bound), bound);
  }
  if (compressed == 0 || compressed > 0x7fffffffu) {
    throw_runtime("encode_png: could not compress a " + std::to_string(width) + "x" + std::to_string(height) +
                  " image");
  }
  out.resize(kDataStart + compressed + 4 + kIendChunk);
  std::uint8_t* p = out.data();
  std::memcpy(p, kPngSignature, sizeof kPngSignature);
  std::uint8_t* ihdr = p + sizeof kPngSignature;
  put_u32_be(ihdr, 13);
  std::memcpy(ihdr + 4, "IHDR", 4);
  put_u32_be(ihdr + 8, static_cast<std::uint32_t>(width));
  put_u32_be(ihdr + 12, static_cast<std::uint32_t>(height));
  ihdr[16] = static_cast<std::uint8_t>(bit_depth);
  ihdr[17] = static_cast<std::uint8_t>(color_type);  // 0 gray, 2 RGB
  ihdr[18] = 0;                                      // compression: deflate
  ihdr[19] = 0;                                      // filter method: adaptive (per-row byte)
  ihdr[20] = 0;                                      // no interlace
  put_chunk_crc(ihdr, 13);

  std::uint8_t* idat = p + kDataStart - kIdatHeader;
  put_u32_be(idat, static_cast<std::uint32_t>(compressed));
  std::memcpy(idat + 4, "IDAT", 4);
  std::memcpy(p + kDataStart, scratch.get(), compressed);
  put_chunk_crc(idat, static_cast<std::uint32_t>(compressed));

  std::uint8_t* iend = p + kDataStart + compressed + 4;
  put_u32_be(iend, 0);
  std::memcpy(iend + 4, "IEND", 4);
  put_chunk_crc(iend, 0);
  if (scratch_size > kKeepScratchBytes) {
    scratch.reset();
    scratch_size = 0;
  }
}

// --- libpng glue -------------------------------------------------------------------------------
// libpng reports errors by longjmp. The functions that call setjmp keep only trivially
// destructible locals (everything else lives in a state struct owned by the caller), so the jump
// skips no destructor; the caller turns the recorded message into an fdsl::Error.

/// What the libpng callbacks share with the caller.
struct LibpngState {
  char error[256] = {};  ///< libpng's last error message
  // Writing.
  const Image* image = nullptr;
  const PngOptions* options = nullptr;
  std::vector<std::uint8_t>* out = nullptr;
  // Reading.
  const std::uint8_t* data = nullptr;
  std::size_t size = 0;
  std::size_t pos = 0;
  Image decoded;
  std::vector<png_bytep> rows;
};

void libpng_error(png_structp png, png_const_charp message) {
  auto* state = static_cast<LibpngState*>(png_get_error_ptr(png));
  std::snprintf(state->error, sizeof state->error, "%s", message ? message : "unknown libpng error");
  png_longjmp(png, 1);
}

/// libpng's default prints warnings to stderr; fdsl never prints, and a warning is not fatal.
void libpng_warning(png_structp, png_const_charp) {}

void libpng_write_to_vector(png_structp png, png_bytep data, std::size_t length) {
  auto* state = static_cast<LibpngState*>(png_get_io_ptr(png));
  bool ok = true;
  try {
    state->out->insert(state->out->end(), data, data + length);
  } catch (...) {
    ok = false;
  }
  // Outside the catch block: png_error longjmps.
  if (!ok) png_error(png, "out of memory while collecting the PNG bytes");
}

void libpng_flush_nothing(png_structp) {}

/// Returns false with state.error set if libpng failed.
bool encode_with_libpng_raw(LibpngState& state) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &state, libpng_error, libpng_warning);
  if (!png) {
    std::snprintf(state.error, sizeof state.error, "libpng could not create a writer");
    return false;
  }
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_write_struct(&png, nullptr);
    std::snprintf(state.error, sizeof state.error, "libpng could not create an info struct");
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  const Image& image = *state.image;
  const PngOptions& options = *state.options;
  png_set_write_fn(png, &state, libpng_write_to_vector, libpng_flush_nothing);
  png_set_IHDR(png, info, static_cast<png_uint_32>(image.width), static_cast<png_uint_32>(image.height), 8,
               image.channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  int filter = PNG_FILTER_NONE;
  if (options.filter == PngFilter::Sub) filter = PNG_FILTER_SUB;
  if (options.filter == PngFilter::Up) filter = PNG_FILTER_UP;
  png_set_filter(png, PNG_FILTER_TYPE_BASE, filter);
  png_set_compression_level(png, options.level);
  bool rle = options.strategy == PngStrategy::Rle || (options.strategy == PngStrategy::Auto && image.channels == 1);
  png_set_compression_strategy(png, rle ? Z_RLE : Z_DEFAULT_STRATEGY);
  png_write_info(png, info);
  for (int y = 0; y < image.height; ++y) png_write_row(png, image.row(y));
  png_write_end(png, info);
  png_destroy_write_struct(&png, &info);
  return true;
}

void libpng_read_from_memory(png_structp png, png_bytep out, std::size_t length) {
  auto* state = static_cast<LibpngState*>(png_get_io_ptr(png));
  if (length > state->size - state->pos) png_error(png, "unexpected end of data (truncated file)");
  std::memcpy(out, state->data + state->pos, length);
  state->pos += length;
}

/// Allocates the decoded image and its row pointers; false if that throws (the caller is inside
/// a setjmp region, so no exception may leave it).
bool allocate_decoded(LibpngState& state, int width, int height, int channels) {
  try {
    state.decoded = Image(width, height, channels);
    state.rows.resize(static_cast<std::size_t>(height));
    for (int y = 0; y < height; ++y) state.rows[static_cast<std::size_t>(y)] = state.decoded.row(y);
    return true;
  } catch (const std::exception& e) {
    std::snprintf(state.error, sizeof state.error, "%s", e.what());
    return false;
  }
}

/// Returns false with state.error set if the data is not a PNG libpng can decode.
bool decode_with_libpng_raw(LibpngState& state) {
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &state, libpng_error, libpng_warning);
  if (!png) {
    std::snprintf(state.error, sizeof state.error, "libpng could not create a reader");
    return false;
  }
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    std::snprintf(state.error, sizeof state.error, "libpng could not create an info struct");
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  png_set_read_fn(png, &state, libpng_read_from_memory);
  png_read_info(png, info);
  const png_uint_32 width = png_get_image_width(png, info);
  const png_uint_32 height = png_get_image_height(png, info);
  const int color_type = png_get_color_type(png, info);
  const int bit_depth = png_get_bit_depth(png, info);
  if (width < 1 || height < 1 || width > static_cast<png_uint_32>(kMaxImageSide) ||
      height > static_cast<png_uint_32>(kMaxImageSide)) {
    std::snprintf(state.error, sizeof state.error, "image size %ux%u is outside the valid range 1..%d per side", width,
                  height, kMaxImageSide);
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  // Normalize every input to 8-bit gray or RGB without alpha (tRNS is ignored).
  if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (bit_depth == 16) png_set_strip_16(png);
  if (color_type & PNG_COLOR_MASK_ALPHA) png_set_strip_alpha(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  const int channels = (color_type & PNG_COLOR_MASK_COLOR) ? 3 : 1;
  if (png_get_channels(png, info) != channels || png_get_bit_depth(png, info) != 8 ||
      png_get_rowbytes(png, info) != static_cast<std::size_t>(width) * channels) {
    std::snprintf(state.error, sizeof state.error, "unsupported PNG layout (color type %d, bit depth %d)", color_type,
                  bit_depth);
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  if (!allocate_decoded(state, static_cast<int>(width), static_cast<int>(height), channels)) {
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  png_read_image(png, state.rows.data());
  png_read_end(png, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);
  return true;
}

/// Big-endian 32-bit value at p.
std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}

/// What inflate_unfiltered found: the header and the unfiltered rows.
struct RawPng {
  std::uint32_t width = 0, height = 0;
  int color = -1, depth = 0, bytes_per_pixel = 0;
  std::size_t stride = 0;         ///< bytes a row, without its filter byte
  std::vector<std::uint8_t> raw;  ///< height rows of 1 + stride bytes, the filter byte first
  const std::uint8_t* row(std::uint32_t y) const { return raw.data() + y * (stride + 1) + 1; }
};

/// The chunk walk, inflate (libdeflate, about twice zlib's rate) and unfiltering of the common
/// case: not interlaced and, for images, 8-bit gray, gray+alpha, RGB or RGBA; for label maps
/// (`label`), 8- or 16-bit gray. Returns false for anything else and for any damage (a bad CRC
/// in a critical chunk, a bad zlib stream, a wrong data size, an unknown filter), and the caller
/// decodes with libpng, which accepts or rejects the file with its own message: the fast path
/// never changes what is accepted.
bool inflate_unfiltered(const std::uint8_t* data, std::size_t size, bool label, RawPng& out) {
  if (size < 8 + 25 || std::memcmp(data, kPngSignature, 8) != 0) return false;
  std::size_t pos = 8;
  std::uint32_t width = 0, height = 0;
  int color = -1, depth = 0;
  std::vector<std::uint8_t> idat;
  const std::uint8_t* only_idat = nullptr;  // the data of a single IDAT chunk, not copied
  std::size_t only_idat_size = 0, idat_chunks = 0;
  bool seen_idat = false, ended = false;
  int idat_run = 0;  // 0 before the IDAT chunks, 1 among them, 2 after
  while (pos + 12 <= size) {
    const std::uint32_t len = be32(data + pos);
    if (len > 0x7fffffffu || len > size - pos - 12) return false;
    const std::uint8_t* type = data + pos + 4;
    const std::uint8_t* body = data + pos + 8;
    for (int k = 0; k < 4; ++k)
      if (!((type[k] >= 'A' && type[k] <= 'Z') || (type[k] >= 'a' && type[k] <= 'z'))) return false;  // as libpng
    const bool critical = (type[0] & 0x20) == 0;
    const bool is_idat = std::memcmp(type, "IDAT", 4) == 0;
    if (critical && be32(body + len) != static_cast<std::uint32_t>(libdeflate_crc32(0, type, len + 4))) return false;
    if (pos == 8) {
      if (std::memcmp(type, "IHDR", 4) != 0 || len != 13) return false;
      width = be32(body);
      height = be32(body + 4);
      depth = body[8];
      color = body[9];
      if (body[10] != 0 || body[11] != 0 || body[12] != 0) return false;
      if (label ? (color != 0 || (depth != 8 && depth != 16))
                : (depth != 8 || (color != 0 && color != 2 && color != 4 && color != 6)))
        return false;
      if (width < 1 || height < 1 || width > static_cast<std::uint32_t>(kMaxImageSide) ||
          height > static_cast<std::uint32_t>(kMaxImageSide))
        return false;
    } else if (is_idat) {
      if (idat_run == 2) return false;  // IDAT chunks must be consecutive
      idat_run = 1;
      seen_idat = true;
      if (idat_chunks == 0) {
        only_idat = body, only_idat_size = len;
      } else {
        if (idat_chunks == 1) idat.assign(only_idat, only_idat + only_idat_size);
        idat.insert(idat.end(), body, body + len);
      }
      ++idat_chunks;
    } else if (std::memcmp(type, "IEND", 4) == 0) {
      ended = true;
      break;
    } else {
      if (critical) return false;  // PLTE (color type 3 is not taken here) or unknown
    }
    if (!is_idat && idat_run == 1) idat_run = 2;
    pos += 12 + static_cast<std::size_t>(len);
  }
  if (!ended || !seen_idat) return false;
  const int in_channels = color == 0 ? 1 : color == 2 ? 3 : color == 4 ? 2 : 4;
  const std::size_t bpp = static_cast<std::size_t>(in_channels) * static_cast<std::size_t>(depth / 8);
  const std::size_t stride = static_cast<std::size_t>(width) * bpp;
  const std::size_t raw_size = (stride + 1) * height;
  try {
    out.raw.resize(raw_size);
    thread_local std::unique_ptr<libdeflate_decompressor, void (*)(libdeflate_decompressor*)> d(
        libdeflate_alloc_decompressor(), libdeflate_free_decompressor);
    if (!d) return false;
    const std::uint8_t* z = idat.empty() ? only_idat : idat.data();
    const std::size_t z_size = idat.empty() ? only_idat_size : idat.size();
    std::size_t in_used = 0, got = 0;
    if (libdeflate_zlib_decompress_ex(d.get(), z, z_size, out.raw.data(), out.raw.size(), &in_used, &got) !=
            LIBDEFLATE_SUCCESS ||
        got != raw_size || in_used != z_size)
      return false;
    // Unfilter in place, row by row (PNG spec section 9).
    std::uint8_t* prev = nullptr;
    for (std::uint32_t y = 0; y < height; ++y) {
      std::uint8_t* row = out.raw.data() + y * (stride + 1);
      const int filter = row[0];
      std::uint8_t* r = row + 1;
      switch (filter) {
        case 0:
          break;
        case 1:
          for (std::size_t i = bpp; i < stride; ++i) r[i] = static_cast<std::uint8_t>(r[i] + r[i - bpp]);
          break;
        case 2:
          if (prev)
            for (std::size_t i = 0; i < stride; ++i) r[i] = static_cast<std::uint8_t>(r[i] + prev[i]);
          break;
        case 3:
          for (std::size_t i = 0; i < stride; ++i) {
            const unsigned a = i >= bpp ? r[i - bpp] : 0, b = prev ? prev[i] : 0;
            r[i] = static_cast<std::uint8_t>(r[i] + ((a + b) >> 1));
          }
          break;
        case 4:
          for (std::size_t i = 0; i < stride; ++i) {
            const int a = i >= bpp ? r[i - bpp] : 0, b = prev ? prev[i] : 0, c = i >= bpp && prev ? prev[i - bpp] : 0;
            const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
            r[i] = static_cast<std::uint8_t>(r[i] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c));
          }
          break;
        default:
          return false;
      }
      prev = r;
    }
  } catch (const std::exception&) {
    return false;
  }
  out.width = width;
  out.height = height;
  out.color = color;
  out.depth = depth;
  out.bytes_per_pixel = static_cast<int>(bpp);
  out.stride = stride;
  return true;
}

/// An 8-bit image through inflate_unfiltered (gray+alpha and RGBA lose their alpha, as
/// libpng's path does).
bool decode_with_libdeflate(const std::uint8_t* data, std::size_t size, Image& out) {
  thread_local RawPng r;
  if (!inflate_unfiltered(data, size, false, r)) return false;
  try {
    const int in_channels = r.bytes_per_pixel;
    const int channels = (r.color & 2) ? 3 : 1;
    out = Image(static_cast<int>(r.width), static_cast<int>(r.height), channels);
    for (std::uint32_t y = 0; y < r.height; ++y) {
      const std::uint8_t* row = r.row(y);
      std::uint8_t* o = out.row(static_cast<int>(y));
      if (in_channels == channels) {
        std::memcpy(o, row, r.stride);
      } else {
        for (std::uint32_t x = 0; x < r.width; ++x)
          for (int k = 0; k < channels; ++k) o[x * channels + k] = row[x * in_channels + k];
      }
    }
  } catch (const std::exception&) {
    return false;
  }
  if (r.raw.capacity() > kKeepScratchBytes) std::vector<std::uint8_t>().swap(r.raw);
  return true;
}

/// A label map (8- or 16-bit gray) through inflate_unfiltered; `bits` gets its depth.
bool decode_label_with_libdeflate(const std::uint8_t* data, std::size_t size, LabelMap& out, int& bits) {
  thread_local RawPng r;
  if (!inflate_unfiltered(data, size, true, r)) return false;
  try {
    out.reset(static_cast<int>(r.width), static_cast<int>(r.height));
  } catch (const std::exception&) {
    return false;
  }
  std::uint16_t* v = out.values.data();
  for (std::uint32_t y = 0; y < r.height; ++y, v += r.width) {
    const std::uint8_t* row = r.row(y);
    if (r.depth == 8)
      for (std::uint32_t x = 0; x < r.width; ++x) v[x] = row[x];
    else
      for (std::uint32_t x = 0; x < r.width; ++x) v[x] = static_cast<std::uint16_t>(row[2 * x] << 8 | row[2 * x + 1]);
  }
  bits = r.depth;
  if (r.raw.capacity() > kKeepScratchBytes) std::vector<std::uint8_t>().swap(r.raw);
  return true;
}
}  // namespace
}  // namespace detail

bool png_encoder_available(PngEncoder encoder) {
#if defined(FDSL_HAVE_ISAL)
  (void)encoder;
  return true;
#else
  return encoder != PngEncoder::Isal;
#endif
}

int png_max_level(PngEncoder encoder) {
  switch (encoder) {
    case PngEncoder::Libpng:
      return detail::kMaxLibpngLevel;
    case PngEncoder::Libdeflate:
      return detail::kMaxLibdeflateLevel;
    case PngEncoder::Isal:
      return 3;
    case PngEncoder::Runs:
      return kMaxRunsLevel;
  }
  return 0;
}

void encode_png(const Image& image, const PngOptions& options, std::vector<std::uint8_t>& out) {
  detail::check_encodable(image);
  const char* name = options.encoder == PngEncoder::Libpng       ? "libpng"
                     : options.encoder == PngEncoder::Libdeflate ? "libdeflate"
                     : options.encoder == PngEncoder::Runs       ? "runs"
                                                                 : "isal";
  const int max_level = png_max_level(options.encoder);
  if (options.level < 0 || options.level > max_level) {
    throw_bad_input(std::string("encode_png: level must be 0..") + std::to_string(max_level) + " for the " + name +
                    " encoder, got " + std::to_string(options.level));
  }
  if (options.encoder == PngEncoder::Libdeflate) {
    detail::encode_with_zlib_stream(image, options, detail::libdeflate_compress, out);
    return;
  }
  if (options.encoder == PngEncoder::Runs) {
    detail::encode_with_zlib_stream(image, options, detail::runs_compress, out);
    return;
  }
  if (options.encoder == PngEncoder::Isal) {
#if defined(FDSL_HAVE_ISAL)
    detail::encode_with_zlib_stream(image, options, detail::isal_compress, out);
    return;
#else
    throw_bad_input(
        "encode_png: this fdsl was built without Intel ISA-L (Debian: libisal-dev); use the "
        "libdeflate or libpng encoder");
#endif
  }
  out.clear();
  detail::LibpngState state;
  state.image = &image;
  state.options = &options;
  state.out = &out;
  if (!detail::encode_with_libpng_raw(state)) {
    throw_runtime(std::string("encode_png: libpng failed: ") + state.error);
  }
}

void encode_label_png(const LabelMap& labels, int bits, const PngOptions& options, std::vector<std::uint8_t>& out) {
  check_image_size(labels.width, labels.height, "encode_label_png");
  if (bits != 8 && bits != 16) throw_bad_input("encode_label_png: bits must be 8 or 16, got " + std::to_string(bits));
  const std::size_t w = static_cast<std::size_t>(labels.width), h = static_cast<std::size_t>(labels.height);
  if (labels.values.size() != w * h)
    throw_bad_input("encode_label_png: a " + std::to_string(w) + "x" + std::to_string(h) + " label map needs " +
                    std::to_string(w * h) + " values, it has " + std::to_string(labels.values.size()));
  PngOptions o = options;
  // Label maps go through fdsl's own writer for every encoder (libpng's levels 0-9 are
  // libdeflate levels too): the bytes stay a function of the labels and the level.
#if defined(FDSL_HAVE_ISAL)
  const bool isal = o.encoder == PngEncoder::Isal;
#else
  const bool isal = false;
#endif
  const bool runs = o.encoder == PngEncoder::Runs;
  if (!isal && !runs) o.encoder = PngEncoder::Libdeflate;
  o.level = std::clamp(o.level, 0, isal ? 3 : runs ? kMaxRunsLevel : detail::kMaxLibdeflateLevel);
  thread_local std::vector<std::uint8_t> scanlines;
  const std::size_t row_bytes = w * static_cast<std::size_t>(bits / 8);
  scanlines.resize((row_bytes + 1) * h);
  std::uint8_t* p = scanlines.data();
  const std::uint16_t* v = labels.values.data();
  for (std::size_t y = 0; y < h; ++y) {
    *p++ = 0;  // filter None
    if (bits == 8) {
      for (std::size_t x = 0; x < w; ++x) {
        if (v[x] > 255) throw_bad_input("encode_label_png: label " + std::to_string(v[x]) + " does not fit 8 bits");
        p[x] = static_cast<std::uint8_t>(v[x]);
      }
    } else {
      for (std::size_t x = 0; x < w; ++x) {  // PNG samples are big-endian
        p[2 * x] = static_cast<std::uint8_t>(v[x] >> 8);
        p[2 * x + 1] = static_cast<std::uint8_t>(v[x]);
      }
    }
    p += row_bytes;
    v += w;
  }
#if defined(FDSL_HAVE_ISAL)
  const detail::ZlibCompress compress = isal   ? detail::isal_compress
                                        : runs ? detail::runs_compress
                                               : detail::libdeflate_compress;
#else
  const detail::ZlibCompress compress = runs ? detail::runs_compress : detail::libdeflate_compress;
#endif
  detail::write_zlib_png(labels.width, labels.height, bits, 0, scanlines, o, compress, out);
  if (scanlines.capacity() > detail::kKeepScratchBytes) std::vector<std::uint8_t>().swap(scanlines);
}

namespace {
/// Reads an 8- or 16-bit gray PNG into `out` through libpng; false with `error` set otherwise.
/// Only trivially destructible locals live in the setjmp region (see the libpng glue above).
struct LabelReadState {
  detail::LibpngState base;
  LabelMap* out = nullptr;
  int bits = 0;
  std::vector<png_bytep> rows;
  std::vector<std::uint8_t> raw;
};

bool decode_label_raw(LabelReadState& st) {
  png_structp png =
      png_create_read_struct(PNG_LIBPNG_VER_STRING, &st.base, detail::libpng_error, detail::libpng_warning);
  if (!png) {
    std::snprintf(st.base.error, sizeof st.base.error, "libpng could not create a reader");
    return false;
  }
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    std::snprintf(st.base.error, sizeof st.base.error, "libpng could not create an info struct");
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  png_set_read_fn(png, &st.base, detail::libpng_read_from_memory);
  png_read_info(png, info);
  const png_uint_32 width = png_get_image_width(png, info), height = png_get_image_height(png, info);
  const int color_type = png_get_color_type(png, info), bit_depth = png_get_bit_depth(png, info);
  if (width < 1 || height < 1 || width > static_cast<png_uint_32>(kMaxImageSide) ||
      height > static_cast<png_uint_32>(kMaxImageSide) || color_type != PNG_COLOR_TYPE_GRAY ||
      (bit_depth != 8 && bit_depth != 16)) {
    std::snprintf(st.base.error, sizeof st.base.error,
                  "not a label map: %ux%u, color type %d, bit depth %d (label maps are 8- or 16-bit gray, "
                  "1..%d pixels a side)",
                  width, height, color_type, bit_depth, kMaxImageSide);
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  const std::size_t row_bytes = png_get_rowbytes(png, info);
  bool ok = true;
  try {
    st.raw.resize(row_bytes * height);
    st.rows.resize(height);
    for (png_uint_32 y = 0; y < height; ++y) st.rows[y] = st.raw.data() + y * row_bytes;
    st.out->reset(static_cast<int>(width), static_cast<int>(height));
  } catch (const std::exception& e) {
    std::snprintf(st.base.error, sizeof st.base.error, "%s", e.what());
    ok = false;
  }
  if (!ok) {
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  png_read_image(png, st.rows.data());
  png_read_end(png, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);
  st.bits = bit_depth;
  const std::size_t n = static_cast<std::size_t>(width) * height;
  std::uint16_t* v = st.out->values.data();
  const std::uint8_t* r = st.raw.data();
  if (bit_depth == 8)
    for (std::size_t i = 0; i < n; ++i) v[i] = r[i];
  else
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint16_t>(r[2 * i] << 8 | r[2 * i + 1]);
  return true;
}
}  // namespace

LabelMap decode_label_png(const std::uint8_t* data, std::size_t size, const std::string& what, int* bits) {
  if (size < sizeof detail::kPngSignature || png_sig_cmp(data, 0, sizeof detail::kPngSignature) != 0)
    throw_bad_input(what + " is not a PNG: it does not start with the PNG signature");
  LabelMap out;
  int fast_bits = 0;
  if (detail::decode_label_with_libdeflate(data, size, out, fast_bits)) {
    out.bits = fast_bits;
    if (bits) *bits = fast_bits;
    return out;
  }
  return detail::decode_label_png_with_libpng(data, size, what, bits);
}

LabelMap detail::decode_label_png_with_libpng(const std::uint8_t* data, std::size_t size, const std::string& what,
                                              int* bits) {
  if (size < sizeof detail::kPngSignature || png_sig_cmp(data, 0, sizeof detail::kPngSignature) != 0)
    throw_bad_input(what + " is not a PNG: it does not start with the PNG signature");
  LabelMap out;
  LabelReadState st;
  st.base.data = data;
  st.base.size = size;
  st.out = &out;
  if (!decode_label_raw(st)) throw_bad_input(what + " is not a valid label PNG: " + st.base.error);
  out.bits = st.bits;
  if (bits) *bits = st.bits;
  return out;
}

std::vector<std::uint8_t> encode_png(const Image& image, const PngOptions& options) {
  std::vector<std::uint8_t> out;
  encode_png(image, options, out);
  return out;
}

Image decode_png(const std::uint8_t* data, std::size_t size, const std::string& what) {
  if (size == 0 || data == nullptr) throw_bad_input(what + " is not a PNG: it is empty");
  if (size < sizeof detail::kPngSignature || png_sig_cmp(data, 0, sizeof detail::kPngSignature) != 0) {
    throw_bad_input(what + " is not a PNG: it does not start with the PNG signature");
  }
  Image fast;
  if (detail::decode_with_libdeflate(data, size, fast)) return fast;
  return detail::decode_png_with_libpng(data, size, what);
}

Image detail::decode_png_with_libpng(const std::uint8_t* data, std::size_t size, const std::string& what) {
  if (size == 0 || data == nullptr) throw_bad_input(what + " is not a PNG: it is empty");
  if (size < sizeof detail::kPngSignature || png_sig_cmp(data, 0, sizeof detail::kPngSignature) != 0) {
    throw_bad_input(what + " is not a PNG: it does not start with the PNG signature");
  }
  detail::LibpngState state;
  state.data = data;
  state.size = size;
  if (!detail::decode_with_libpng_raw(state)) {
    throw_bad_input(what + " is not a valid PNG: " + state.error);
  }
  return std::move(state.decoded);
}

Image read_png(const std::filesystem::path& path) {
  std::vector<std::uint8_t> bytes = read_file(path);
  return decode_png(bytes.data(), bytes.size(), path.string());
}

}  // namespace fdsl
