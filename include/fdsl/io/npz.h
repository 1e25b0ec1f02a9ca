// NumPy .npz archives: a ZIP of .npy members, what np.load(path)[name] reads.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace fdsl {

/// Writes the members (name without ".npy", encoded NPY bytes) as a ZIP archive with stored
/// (uncompressed) entries, as np.savez does, with a fixed timestamp so the bytes depend on the
/// contents only. Members over 4 GiB (ZIP64) are refused. `out` is overwritten.
void encode_npz(const std::vector<std::pair<std::string, std::vector<std::uint8_t>>>& members,
                std::vector<std::uint8_t>& out);

}  // namespace fdsl
