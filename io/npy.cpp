#include "fdsl/io/npy.h"

#include <bit>
#include <cstring>
#include <string>

#include "fdsl/core/error.h"

namespace fdsl {

void encode_npy(const void* data, NpyType type, const std::vector<std::size_t>& shape, std::vector<std::uint8_t>& out) {
  static_assert(std::endian::native == std::endian::little, "the NPY writer assumes a little-endian host");
  std::string dims;
  std::size_t count = 1;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    dims += (i ? ", " : "") + std::to_string(shape[i]);
    count *= shape[i];
  }
  if (shape.size() == 1) dims += ",";  // Python's one-element tuple
  std::string header = std::string("{'descr': '") +
                       (type == NpyType::Float32   ? "<f4"
                        : type == NpyType::Float64 ? "<f8"
                                                   : "<i4") +
                       "', 'fortran_order': False, 'shape': (" + dims + "), }";
  // Magic (6) + version (2) + length (2) + header + '\n', padded to a multiple of 64.
  const std::size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  if (header.size() > 65535) throw_bad_input("NPY writer: shape too long for a version 1.0 header");
  const std::size_t bytes = count * (type == NpyType::Float64 ? 8 : 4);
  out.resize(10 + header.size() + bytes);
  std::memcpy(out.data(), "\x93NUMPY\x01\x00", 8);
  out[8] = static_cast<std::uint8_t>(header.size() & 0xff);
  out[9] = static_cast<std::uint8_t>(header.size() >> 8);
  std::memcpy(out.data() + 10, header.data(), header.size());
  if (bytes) std::memcpy(out.data() + 10 + header.size(), data, bytes);
}

}  // namespace fdsl
