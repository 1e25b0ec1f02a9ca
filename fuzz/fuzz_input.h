// Fuzz targets' shared helper: the input as a file (a memfd, named /proc/self/fd/N), for the
// readers that take a path.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace fdsl::fuzz {

class InputFile {
 public:
  InputFile(const std::uint8_t* data, std::size_t size) {
    fd_ = ::memfd_create("fdsl-fuzz", MFD_CLOEXEC);
    std::size_t done = 0;
    while (fd_ >= 0 && done < size) {
      const ssize_t n = ::write(fd_, data + done, size - done);
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
  }
  ~InputFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

 private:
  int fd_ = -1;
};

}  // namespace fdsl::fuzz
