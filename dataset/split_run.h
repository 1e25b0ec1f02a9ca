// Internal to dataset/: what the processes of a split run share, for the image and tar writer
// (generate.cpp) and the HDF5 writer (hdf5_dataset.cpp).
#pragma once

#include <cerrno>
#include <fcntl.h>
#include <filesystem>
#include <string>
#include <sys/file.h>
#include <system_error>
#include <unistd.h>

#include "fdsl/core/error.h"
#include "fdsl/dataset/generate.h"

namespace fdsl::detail {

/// "" for a single process, "-I-of-N" for part I of N: each process has its own bookkeeping files.
inline std::string part_suffix(const ShardAssignment& part) {
  if (part.count == 1) return "";
  // Built by append: GCC 12 gives a false -Wrestrict warning for `"-" + std::string`.
  std::string s = "-";
  s += std::to_string(part.index);
  s += "-of-";
  s += std::to_string(part.count);
  return s;
}

/// An exclusive lock on DIR/.fdsl-lock for the time of a scope (flock: local filesystems and NFS).
/// The processes of a split run take it to decide which one writes the manifest. Where the
/// filesystem has no locks, it goes on without one: two parts finishing at once then both write
/// the same manifest.
class FolderLock {
 public:
  explicit FolderLock(const std::filesystem::path& dir) {
    const std::filesystem::path path = dir / ".fdsl-lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw_runtime("cannot open " + path.string() + ": " + std::generic_category().message(errno));
    int r;
    do {
      r = ::flock(fd_, LOCK_EX);
    } while (r != 0 && errno == EINTR);
  }
  ~FolderLock() { ::close(fd_); }
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace fdsl::detail
