// Whole-file reads, atomic writes, CRC-32 and output folder checks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fdsl/io/byte_sink.h"

namespace fdsl {

/// A file written under a temporary name in its folder (".<name>.tmp-<pid>-<n>") and renamed onto
/// its path by commit(), so the path either does not exist or holds the complete file. Writes are
/// buffered; the size and CRC-32 of everything written are kept as it goes. Destroyed without a
/// commit (an error, a stop), it removes the temporary file. Every failure throws Error(Runtime)
/// whose message names the path and the OS error (ENOSPC, EFBIG, EACCES, EROFS, ...).
class AtomicFileWriter final : public ByteSink {
 public:
  /// Creates missing parent folders and the temporary file.
  explicit AtomicFileWriter(std::filesystem::path path);
  ~AtomicFileWriter() override;
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  void write(std::span<const std::uint8_t> bytes) override;
  /// Flushes, optionally fsyncs the file, renames it onto the path and (with `sync`) fsyncs the
  /// folder, so the file survives a crash of the machine.
  void commit(bool sync);
  /// Removes the temporary file now (also done by the destructor).
  void abandon() noexcept;

  const std::filesystem::path& path() const { return path_; }
  std::uint64_t size() const { return size_; }
  std::uint32_t crc() const { return crc_; }

 private:
  void flush();
  std::filesystem::path path_, temp_;
  int fd_ = -1;
  std::vector<std::uint8_t> buffer_;
  std::uint64_t size_ = 0;
  std::uint32_t crc_ = 0;
};

/// Writes `bytes` to a temporary name in the same folder (".<name>.tmp-<pid>-<n>"), optionally
/// fsyncs it, and renames it onto `path`, so `path` either does not exist or is complete. Creates
/// missing parent folders. On any failure (including ENOSPC, EACCES, EROFS, short writes) removes
/// the temporary file and throws Error(Runtime) whose message names `path` and the OS error.
/// With `sync`, the file and then its folder are fsynced, so the new content survives a crash.
void write_file_atomic(const std::filesystem::path& path, std::span<const std::uint8_t> bytes, bool sync = false);

/// Text overload of write_file_atomic: writes the characters of `text` as they are.
void write_file_atomic(const std::filesystem::path& path, std::string_view text, bool sync = false);

/// Reads a whole file; throws Error(BadInput) naming the path if it cannot be read.
std::vector<std::uint8_t> read_file(const std::filesystem::path& path);

/// Reads a whole file as text (bytes as they are); throws Error(BadInput) naming the path if it
/// cannot be read.
std::string read_text_file(const std::filesystem::path& path);

/// CRC-32 (the zlib/PNG polynomial, same value as Python's zlib.crc32) of a byte range; `crc`
/// continues a previous value.
std::uint32_t crc32(std::span<const std::uint8_t> bytes, std::uint32_t crc = 0);

/// Creates `dir` (and parents) if needed and checks that a file can be created in it; throws
/// Error(BadInput) "output directory <dir> is not writable: <reason>" otherwise.
void ensure_writable_dir(const std::filesystem::path& dir);

/// For benchmarks: every file an AtomicFileWriter creates costs `microseconds` more (a sleep before
/// the create), as on a network filesystem where a create takes milliseconds. 0 (the default): no
/// delay. Not for production use.
void set_file_create_delay_for_bench(int microseconds);

/// Removes leftover temporary files (".<name>.tmp-<pid>-<n>") written by write_file_atomic under
/// `dir`, recursively; returns how many. A missing `dir` removes nothing.
std::size_t remove_temporary_files(const std::filesystem::path& dir);

/// Formats crc as 8 lowercase hex digits.
std::string crc32_hex(std::uint32_t crc);

}  // namespace fdsl
