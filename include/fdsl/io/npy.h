// NumPy .npy files (format version 1.0): what np.load reads without any other package.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fdsl {

enum class NpyType { Float32, Float64, Int32 };

/// Encodes a C-order array of `type` with `shape` (its product elements at `data`): the magic,
/// version 1.0, the header dict padded with spaces to a multiple of 64 bytes (as NumPy writes it),
/// then the little-endian data. `out` is overwritten.
void encode_npy(const void* data, NpyType type, const std::vector<std::size_t>& shape, std::vector<std::uint8_t>& out);

}  // namespace fdsl
