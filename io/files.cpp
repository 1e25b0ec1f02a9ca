#include "fdsl/io/files.h"

#include <fcntl.h>
#include <libdeflate.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <system_error>

#include "fdsl/core/error.h"

namespace fdsl {

namespace fs = std::filesystem;

namespace detail {
namespace {

/// The text of an errno value (thread-safe, unlike strerror).
std::string os_error(int err) { return std::generic_category().message(err); }

/// Closes a descriptor on scope exit unless released; keeps the error paths short.
class FdGuard {
 public:
  explicit FdGuard(int fd) : fd_(fd) {}
  ~FdGuard() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  int get() const { return fd_; }
  /// Closes now and returns close()'s result (errors like ENOSPC on NFS show up here).
  int close_now() {
    int fd = fd_;
    fd_ = -1;
    return ::close(fd);
  }

 private:
  int fd_;
};

/// Removes the temporary file on scope exit unless the rename succeeded.
class TempFileGuard {
 public:
  explicit TempFileGuard(const fs::path& path) : path_(path) {}
  ~TempFileGuard() {
    if (active_) ::unlink(path_.c_str());
  }
  TempFileGuard(const TempFileGuard&) = delete;
  TempFileGuard& operator=(const TempFileGuard&) = delete;
  void release() { active_ = false; }

 private:
  fs::path path_;
  bool active_ = true;
};

/// open() retried on EINTR.
int open_retry(const char* path, int flags, mode_t mode = 0) {
  int fd;
  do {
    fd = ::open(path, flags, mode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

/// A fresh temporary name next to `path`: ".<name>.tmp-<pid>-<n>".
fs::path temporary_name(const fs::path& path) {
  static std::atomic<unsigned long> counter{0};
  // Built by append: GCC 12 gives a false -Wrestrict warning for `"." + std::string`.
  std::string name = ".";
  name += path.filename().string();
  name += ".tmp-";
  name += std::to_string(::getpid());
  name += '-';
  name += std::to_string(counter.fetch_add(1, std::memory_order_relaxed));
  return path.parent_path() / name;
}

/// True for names write_file_atomic makes: "." <name> ".tmp-" <digits> "-" <digits>. Stricter than
/// the glob ".*.tmp-*" so that a user's own ".notes.tmp-old" is never deleted.
bool is_temporary_name(const std::string& name) {
  if (name.size() < 2 || name[0] != '.') return false;
  std::size_t tag = name.rfind(".tmp-");
  if (tag == std::string::npos || tag < 1) return false;
  std::size_t i = tag + 5;
  auto digits = [&](std::size_t& pos) {
    std::size_t start = pos;
    while (pos < name.size() && name[pos] >= '0' && name[pos] <= '9') ++pos;
    return pos > start;
  };
  if (!digits(i)) return false;
  if (i >= name.size() || name[i] != '-') return false;
  ++i;
  if (!digits(i)) return false;
  return i == name.size();
}

}  // namespace
}  // namespace detail

void write_file_atomic(const fs::path& path, std::span<const std::uint8_t> bytes, bool sync) {
  using detail::os_error;
  if (path.filename().empty()) {
    throw_runtime("cannot write " + path.string() + ": the path names no file");
  }
  fs::path parent = path.parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec) {
      throw_runtime("cannot write " + path.string() + ": cannot create folder " + parent.string() +
                    ": " + ec.message());
    }
  }

  fs::path temp = detail::temporary_name(path);
  // O_EXCL: never reuse (and clobber) a name another writer holds.
  int fd = detail::open_retry(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    int err = errno;
    throw_runtime("cannot write " + path.string() + ": cannot create temporary file " +
                  temp.string() + ": " + os_error(err));
  }
  detail::TempFileGuard temp_guard(temp);
  detail::FdGuard fd_guard(fd);

  const std::uint8_t* data = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = ::write(fd, data, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      throw_runtime("cannot write " + path.string() + ": write failed after " +
                    std::to_string(bytes.size() - left) + " of " + std::to_string(bytes.size()) +
                    " bytes: " + os_error(err));
    }
    if (n == 0) {
      // write() returning 0 for a non-empty buffer means the device takes no more data.
      throw_runtime("cannot write " + path.string() + ": write made no progress after " +
                    std::to_string(bytes.size() - left) + " of " + std::to_string(bytes.size()) +
                    " bytes: " + os_error(ENOSPC));
    }
    data += n;
    left -= static_cast<std::size_t>(n);
  }
  if (sync && ::fsync(fd) != 0) {
    int err = errno;
    throw_runtime("cannot write " + path.string() + ": fsync failed: " + os_error(err));
  }
  if (fd_guard.close_now() != 0) {
    int err = errno;
    throw_runtime("cannot write " + path.string() + ": close failed: " + os_error(err));
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    int err = errno;
    throw_runtime("cannot write " + path.string() + ": cannot rename " + temp.string() +
                  " onto it: " + os_error(err));
  }
  temp_guard.release();

  if (sync) {
    // The rename is only durable once the folder entry is on disk too.
    fs::path dir = parent.empty() ? fs::path(".") : parent;
    int dfd = detail::open_retry(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
      int err = errno;
      throw_runtime("wrote " + path.string() +
                    " but cannot open its folder to fsync it: " + os_error(err));
    }
    detail::FdGuard dir_guard(dfd);
    if (::fsync(dfd) != 0) {
      int err = errno;
      throw_runtime("wrote " + path.string() + " but fsync of its folder failed: " + os_error(err));
    }
  }
}

void write_file_atomic(const fs::path& path, std::string_view text, bool sync) {
  write_file_atomic(path,
                    std::span<const std::uint8_t>(
                        reinterpret_cast<const std::uint8_t*>(text.data()), text.size()),
                    sync);
}

namespace detail {
namespace {

/// Reads all of `path` into `out` (any contiguous byte container).
template <class Container>
void read_whole_file(const fs::path& path, Container& out) {
  int fd = open_retry(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    throw_bad_input("cannot read " + path.string() + ": " + os_error(err));
  }
  FdGuard guard(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    throw_bad_input("cannot read " + path.string() + ": " + os_error(err));
  }
  if (S_ISDIR(st.st_mode)) throw_bad_input("cannot read " + path.string() + ": it is a folder");
  // st_size is only a hint (files in /proc report 0): read until EOF.
  std::size_t capacity = st.st_size > 0 ? static_cast<std::size_t>(st.st_size) + 1 : 4096;
  out.resize(capacity);
  std::size_t used = 0;
  for (;;) {
    if (used == out.size()) out.resize(out.size() * 2);
    ssize_t n = ::read(fd, out.data() + used, out.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      throw_bad_input("cannot read " + path.string() + ": " + os_error(err));
    }
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  out.resize(used);
}

}  // namespace
}  // namespace detail

std::vector<std::uint8_t> read_file(const fs::path& path) {
  std::vector<std::uint8_t> out;
  detail::read_whole_file(path, out);
  return out;
}

std::string read_text_file(const fs::path& path) {
  std::string out;
  detail::read_whole_file(path, out);
  return out;
}

std::uint32_t crc32(std::span<const std::uint8_t> bytes, std::uint32_t crc) {
  if (bytes.empty()) return crc;
  return libdeflate_crc32(crc, bytes.data(), bytes.size());
}

void ensure_writable_dir(const fs::path& dir) {
  auto fail = [&](const std::string& reason) {
    throw_bad_input("output directory " + dir.string() + " is not writable: " + reason);
  };
  if (dir.empty()) fail("the path is empty");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) fail(ec.message());
  if (!fs::is_directory(dir, ec)) fail("it is not a folder");

  // Permission bits do not tell the whole story (root, read-only mounts, ACLs): create a file.
  static std::atomic<unsigned long> counter{0};
  fs::path probe = dir / (".fdsl-write-probe-" + std::to_string(::getpid()) + "-" +
                          std::to_string(counter.fetch_add(1, std::memory_order_relaxed)));
  int fd = detail::open_retry(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    int err = errno;
    fail(detail::os_error(err));
  }
  ::close(fd);
  ::unlink(probe.c_str());
}

std::size_t remove_temporary_files(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return 0;
  std::size_t removed = 0;
  auto it =
      fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code type_ec;
    if (!it->is_regular_file(type_ec)) continue;
    if (!detail::is_temporary_name(it->path().filename().string())) continue;
    if (::unlink(it->path().c_str()) != 0) {
      int err = errno;
      throw_runtime("cannot remove leftover temporary file " + it->path().string() + ": " +
                    detail::os_error(err));
    }
    ++removed;
  }
  if (ec)
    throw_runtime("cannot list " + dir.string() + " for leftover temporary files: " + ec.message());
  return removed;
}

std::string crc32_hex(std::uint32_t crc) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(crc));
  return buf;
}

}  // namespace fdsl
