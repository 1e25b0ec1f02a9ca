// The point-cloud readers of `fdsl stats`: any bytes as PLY, PCD or NPY give a cloud or an
// fdsl::Error; never a crash, a sanitizer report or an allocation the file cannot back.
#include <cstddef>
#include <cstdint>

#include "fdsl/core/error.h"
#include "fdsl/io/cloud_read.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  for (const char* ext : {"ply", "pcd", "npy"}) {
    try {
      (void)fdsl::decode_cloud(data, size, ext, "fuzz");
    } catch (const fdsl::Error&) {
    }
  }
  return 0;
}
