// The PNG decoder `fdsl verify` checks images with: any bytes decode or give an fdsl::Error.
#include <cstddef>
#include <cstdint>

#include "fdsl/core/error.h"
#include "fdsl/io/png.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    (void)fdsl::decode_png(data, size, "fuzz.png");
  } catch (const fdsl::Error&) {
  }
  return 0;
}
