// A POSIX ustar archive writer that streams into a ByteSink: one header block per member, the
// data padded to 512 bytes, two zero blocks at the end. Every header field that could vary
// between machines or runs is fixed (mtime, uid, gid, user and group names, mode), so the same
// members in the same order give the same bytes anywhere: shards are byte-reproducible.
//
//   AtomicFileWriter file(dir / "train-000000.tar");
//   TarWriter tar(file);
//   tar.add("00000/00000_00000.png", png_bytes);
//   tar.add("00000/00000_00000.cls", label_text);
//   tar.finish();
//   file.commit(true);
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "fdsl/io/byte_sink.h"

namespace fdsl {

class TarWriter {
 public:
  static constexpr std::uint64_t kBlock = 512;
  /// The fixed modification time of every member: 2020-01-01T00:00:00Z.
  static constexpr std::int64_t kMtime = 1577836800;
  /// The largest member a ustar header can describe (11 octal digits): 8 GiB - 1.
  static constexpr std::uint64_t kMaxMemberSize = (std::uint64_t{1} << 33) - 1;

  explicit TarWriter(ByteSink& sink) : sink_(sink) {}

  /// Appends a regular file (mode 0644, owner 0:0). Names longer than 100 bytes are split at a
  /// '/' into the ustar prefix (up to 155 bytes) and name (up to 100); a name that cannot be
  /// split so, an empty or absolute name, or data over kMaxMemberSize throw Error(BadInput).
  void add(std::string_view name, std::span<const std::uint8_t> data);
  /// Text overload.
  void add(std::string_view name, std::string_view text);
  /// Writes the end-of-archive marker (two zero blocks). Nothing may be added afterwards.
  void finish();

  /// Bytes written so far.
  std::uint64_t size() const { return size_; }
  /// Bytes a member of `data_size` bytes takes: its header and its padded data.
  static std::uint64_t member_size(std::uint64_t data_size) {
    return kBlock + (data_size + kBlock - 1) / kBlock * kBlock;
  }
  /// Bytes of the end-of-archive marker.
  static constexpr std::uint64_t kEndSize = 2 * kBlock;

 private:
  ByteSink& sink_;
  std::uint64_t size_ = 0;
  bool finished_ = false;
};

namespace detail {
/// Splits a member name into the ustar (prefix, name) fields; throws Error(BadInput) if it does
/// not fit.
std::pair<std::string, std::string> split_ustar_name(std::string_view name);
}  // namespace detail

}  // namespace fdsl
