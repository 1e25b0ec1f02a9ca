// The PNG decoders `fdsl verify`, `fdsl stats` and the COCO writer read files with: any bytes
// decode or give an fdsl::Error, and the fast paths (libdeflate) accept exactly what libpng alone
// accepts, with the same pixels and labels (a difference aborts, so libFuzzer reports it).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "fdsl/core/error.h"
#include "fdsl/io/png.h"

namespace {

template <class Decode>
bool decodes(Decode decode) {
  try {
    decode();
    return true;
  } catch (const fdsl::Error&) {
    return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fdsl::Image fast, slow;
  const bool fast_ok = decodes([&] { fast = fdsl::decode_png(data, size, "fuzz.png"); });
  const bool slow_ok = decodes([&] { slow = fdsl::detail::decode_png_with_libpng(data, size, "fuzz.png"); });
  if (fast_ok != slow_ok || (fast_ok && (fast.width != slow.width || fast.height != slow.height ||
                                         fast.channels != slow.channels || fast.pixels != slow.pixels)))
    std::abort();
  fdsl::LabelMap lfast, lslow;
  int fb = 0, sb = 0;
  const bool lfast_ok = decodes([&] { lfast = fdsl::decode_label_png(data, size, "fuzz.png", &fb); });
  const bool lslow_ok =
      decodes([&] { lslow = fdsl::detail::decode_label_png_with_libpng(data, size, "fuzz.png", &sb); });
  if (lfast_ok != lslow_ok || (lfast_ok && (fb != sb || lfast.width != lslow.width || lfast.height != lslow.height ||
                                            lfast.values != lslow.values)))
    std::abort();
  return 0;
}
