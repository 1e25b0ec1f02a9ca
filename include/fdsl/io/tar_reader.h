// Reads a ustar archive member by member, checking it as it goes: header checksums, magic, sizes,
// the end-of-archive marker. Streams from the file (memory: one member), and keeps the CRC-32 of
// every byte read, so one pass both checks a shard against its manifest and parses it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace fdsl {

struct TarMember {
  std::string name;          ///< prefix/name as stored
  char type = '0';           ///< the typeflag: '0' (or NUL) regular file, '5' folder, ...
  std::uint64_t offset = 0;  ///< offset of the header in the archive
  std::uint64_t size = 0;    ///< data bytes
};

class TarReader {
 public:
  /// Opens the archive; throws Error(BadInput) naming the path if it cannot be read.
  explicit TarReader(const std::filesystem::path& path);
  ~TarReader();
  TarReader(const TarReader&) = delete;
  TarReader& operator=(const TarReader&) = delete;

  /// Reads the next member and its data; false at the end-of-archive marker. Throws
  /// Error(BadInput) naming the file and the offset for a damaged archive (bad checksum or magic,
  /// a size that is not octal, data cut short, the file ending without the two zero blocks).
  bool next(TarMember& member, std::vector<std::uint8_t>& data);
  /// Reads whatever follows the end marker; then the size and CRC-32 of the whole file.
  void read_to_end();
  std::uint64_t bytes_read() const { return offset_; }
  std::uint32_t crc() const { return crc_; }

 private:
  /// Reads exactly n bytes, or fewer at the end of the file; returns how many.
  std::size_t read(std::uint8_t* out, std::size_t n);
  [[noreturn]] void fail(std::uint64_t offset, const std::string& why) const;
  std::filesystem::path path_;
  int fd_ = -1;
  std::uint64_t offset_ = 0;
  /// The file's size when it is a regular file (a member claiming more is refused before any
  /// memory is taken for it), else the largest value.
  std::uint64_t file_size_ = ~std::uint64_t{0};
  std::uint32_t crc_ = 0;
  bool ended_ = false;
};

}  // namespace fdsl
