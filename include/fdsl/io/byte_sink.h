// Where writers put their bytes: a file being written atomically, a buffer in memory, ... Writers
// (tar, later PLY, NPY) take a ByteSink, so their output can go straight into another container.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace fdsl {

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  /// Appends `bytes`; throws Error(Runtime) naming the destination if it cannot.
  virtual void write(std::span<const std::uint8_t> bytes) = 0;
};

/// A sink that collects the bytes in memory.
class MemorySink final : public ByteSink {
 public:
  void write(std::span<const std::uint8_t> bytes) override { bytes_.insert(bytes_.end(), bytes.begin(), bytes.end()); }
  const std::vector<std::uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<std::uint8_t> bytes_;
};

}  // namespace fdsl
