#include "fdsl/io/files.h"

#include <fcntl.h>
#include <libdeflate.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <random>
#include <system_error>
#include <thread>

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

/// open() retried on EINTR.
int open_retry(const char* path, int flags, mode_t mode = 0) {
  int fd;
  do {
    fd = ::open(path, flags, mode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

/// A fresh temporary name next to `path`: ".<name>.tmp-<pid>-<n>". The counter starts at a random
/// value, so processes on different machines writing into one shared folder (same pid, another
/// host) rarely pick the same name; O_EXCL and a retry settle the rest.
fs::path temporary_name(const fs::path& path) {
  static std::atomic<unsigned long> counter{std::random_device{}() & 0xffffffu};
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

namespace {
std::atomic<int> create_delay_us{0};
}  // namespace

void set_file_create_delay_for_bench(int microseconds) { create_delay_us.store(microseconds); }

AtomicFileWriter::AtomicFileWriter(fs::path path) : path_(std::move(path)) {
  using detail::os_error;
  if (const int delay = create_delay_us.load(std::memory_order_relaxed); delay > 0)
    std::this_thread::sleep_for(std::chrono::microseconds(delay));
  if (path_.filename().empty()) throw_runtime("cannot write " + path_.string() + ": the path names no file");
  const fs::path parent = path_.parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec)
      throw_runtime("cannot write " + path_.string() + ": cannot create folder " + parent.string() + ": " +
                    ec.message());
  }
  // O_EXCL: never reuse (and clobber) a name another writer holds; another name on a clash.
  for (int attempt = 0;; ++attempt) {
    temp_ = detail::temporary_name(path_);
    fd_ = detail::open_retry(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd_ >= 0) break;
    const int err = errno;
    if (err != EEXIST || attempt == 8)
      throw_runtime("cannot write " + path_.string() + ": cannot create temporary file " + temp_.string() + ": " +
                    os_error(err));
  }
}

AtomicFileWriter::~AtomicFileWriter() { abandon(); }

void AtomicFileWriter::abandon() noexcept {
  if (fd_ < 0) return;
  ::close(fd_);
  fd_ = -1;
  ::unlink(temp_.c_str());
}

void AtomicFileWriter::write(std::span<const std::uint8_t> bytes) {
  if (fd_ < 0) throw_runtime("cannot write " + path_.string() + ": the file is already closed");
  constexpr std::size_t kBuffer = std::size_t{1} << 20;
  crc_ = crc32(bytes, crc_);
  size_ += bytes.size();
  if (buffer_.size() + bytes.size() <= kBuffer) {
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
    return;
  }
  flush();
  if (bytes.size() < kBuffer) {
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
    return;
  }
  buffer_.assign(bytes.begin(), bytes.end());  // a large piece goes out at once
  flush();
}

void AtomicFileWriter::flush() {
  const std::uint8_t* data = buffer_.data();
  std::size_t left = buffer_.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, data, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // write() returning 0 for a non-empty buffer means the device takes no more data.
      const int err = n < 0 ? errno : ENOSPC;
      const std::uint64_t done = size_ - buffer_.size() + static_cast<std::uint64_t>(data - buffer_.data());
      abandon();
      throw_runtime("cannot write " + path_.string() + ": write failed after " + std::to_string(done) +
                    " bytes: " + detail::os_error(err));
    }
    data += n;
    left -= static_cast<std::size_t>(n);
  }
  buffer_.clear();
}

void AtomicFileWriter::commit(bool sync) {
  using detail::os_error;
  if (fd_ < 0) throw_runtime("cannot write " + path_.string() + ": the file is already closed");
  flush();
  if (sync && ::fsync(fd_) != 0) {
    const int err = errno;
    abandon();
    throw_runtime("cannot write " + path_.string() + ": fsync failed: " + os_error(err));
  }
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) {  // errors like ENOSPC on NFS show up here
    const int err = errno;
    ::unlink(temp_.c_str());
    throw_runtime("cannot write " + path_.string() + ": close failed: " + os_error(err));
  }
  if (::rename(temp_.c_str(), path_.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp_.c_str());
    throw_runtime("cannot write " + path_.string() + ": cannot rename " + temp_.string() +
                  " onto it: " + os_error(err));
  }
  if (sync) {
    // The rename is only durable once the folder entry is on disk too.
    const fs::path dir = path_.parent_path().empty() ? fs::path(".") : path_.parent_path();
    const int dfd = detail::open_retry(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
      const int err = errno;
      throw_runtime("wrote " + path_.string() + " but cannot open its folder to fsync it: " + os_error(err));
    }
    detail::FdGuard dir_guard(dfd);
    if (::fsync(dfd) != 0) {
      const int err = errno;
      throw_runtime("wrote " + path_.string() + " but fsync of its folder failed: " + os_error(err));
    }
  }
}

void write_file_atomic(const fs::path& path, std::span<const std::uint8_t> bytes, bool sync) {
  AtomicFileWriter file(path);
  file.write(bytes);
  file.commit(sync);
}

void write_file_atomic(const fs::path& path, std::string_view text, bool sync) {
  write_file_atomic(
      path, std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), sync);
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
  auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code type_ec;
    if (!it->is_regular_file(type_ec)) continue;
    if (!detail::is_temporary_name(it->path().filename().string())) continue;
    if (::unlink(it->path().c_str()) != 0) {
      int err = errno;
      throw_runtime("cannot remove leftover temporary file " + it->path().string() + ": " + detail::os_error(err));
    }
    ++removed;
  }
  if (ec) throw_runtime("cannot list " + dir.string() + " for leftover temporary files: " + ec.message());
  return removed;
}

std::string crc32_hex(std::uint32_t crc) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(crc));
  return buf;
}

}  // namespace fdsl
