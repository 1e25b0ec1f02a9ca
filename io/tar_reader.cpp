#include "fdsl/io/tar_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <system_error>

#include "fdsl/core/error.h"
#include "fdsl/io/files.h"

namespace fdsl {

namespace {

constexpr std::size_t kBlock = 512;

/// Parses an octal field (leading spaces allowed, ended by NUL or space); false if malformed.
bool parse_octal(const std::uint8_t* field, std::size_t width, std::uint64_t& value) {
  std::size_t i = 0;
  while (i < width && field[i] == ' ') ++i;
  value = 0;
  std::size_t digits = 0;
  for (; i < width && field[i] >= '0' && field[i] <= '7'; ++i, ++digits) value = value * 8 + (field[i] - '0');
  if (digits == 0) return false;
  for (; i < width; ++i)
    if (field[i] != '\0' && field[i] != ' ') return false;
  return true;
}

std::string field_text(const std::uint8_t* field, std::size_t width) {
  const auto* end = std::find(field, field + width, std::uint8_t{0});
  return std::string(field, end);
}

}  // namespace

TarReader::TarReader(const std::filesystem::path& path) : path_(path) {
  do {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd_ < 0 && errno == EINTR);
  if (fd_ < 0) throw_bad_input("cannot read " + path.string() + ": " + std::generic_category().message(errno));
  struct stat st {};
  if (::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode)) file_size_ = static_cast<std::uint64_t>(st.st_size);
}

TarReader::~TarReader() {
  if (fd_ >= 0) ::close(fd_);
}

void TarReader::fail(std::uint64_t offset, const std::string& why) const {
  throw_bad_input(path_.string() + ": not a valid tar archive at byte " + std::to_string(offset) + ": " + why);
}

std::size_t TarReader::read(std::uint8_t* out, std::size_t n) {
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = ::read(fd_, out + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw_bad_input("cannot read " + path_.string() + ": " + std::generic_category().message(errno));
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  crc_ = crc32(std::span<const std::uint8_t>(out, got), crc_);
  offset_ += got;
  return got;
}

bool TarReader::next(TarMember& member, std::vector<std::uint8_t>& data) {
  if (ended_) return false;
  std::array<std::uint8_t, kBlock> h{};
  const std::uint64_t at = offset_;
  const std::size_t got = read(h.data(), kBlock);
  if (got == 0) fail(at, "the file ends without the end-of-archive marker (truncated?)");
  if (got < kBlock) fail(at, "the file ends inside a header (truncated)");
  if (std::all_of(h.begin(), h.end(), [](std::uint8_t b) { return b == 0; })) {
    if (read(h.data(), kBlock) < kBlock || !std::all_of(h.begin(), h.end(), [](std::uint8_t b) { return b == 0; }))
      fail(at, "a single zero block where the end-of-archive marker needs two (truncated?)");
    ended_ = true;
    return false;
  }
  std::uint64_t stored = 0;
  if (!parse_octal(&h[148], 8, stored)) fail(at, "the header checksum field is not octal");
  unsigned sum = 0;
  int signed_sum = 0;
  for (std::size_t i = 0; i < kBlock; ++i) {
    const bool in_field = i >= 148 && i < 156;
    sum += in_field ? ' ' : h[i];
    signed_sum += in_field ? ' ' : static_cast<signed char>(h[i]);
  }
  if (stored != sum && static_cast<std::int64_t>(stored) != signed_sum)
    fail(at, "header checksum mismatch (stored " + std::to_string(stored) + ", computed " + std::to_string(sum) + ")");
  if (std::string(reinterpret_cast<const char*>(&h[257]), 5) != "ustar") fail(at, "no ustar magic in the header");
  if (!parse_octal(&h[124], 12, member.size)) fail(at, "the size field is not octal");
  const std::string prefix = field_text(&h[345], 155);
  const std::string name = field_text(&h[0], 100);
  member.name = prefix.empty() ? name : prefix + "/" + name;
  member.type = static_cast<char>(h[156]);
  member.offset = at;
  // A damaged size field can claim gigabytes: refuse what the file cannot hold before allocating.
  if (member.size > file_size_ - std::min(file_size_, offset_))
    fail(at, "member '" + member.name + "' is cut short: it declares " + std::to_string(member.size) +
                 " bytes of data and the file has " + std::to_string(file_size_ - std::min(file_size_, offset_)) +
                 " left (truncated or damaged)");
  data.resize(static_cast<std::size_t>(member.size));
  if (read(data.data(), data.size()) < data.size())
    fail(at, "member '" + member.name + "' is cut short: the file ends inside its " + std::to_string(member.size) +
                 " bytes of data (truncated)");
  const std::size_t pad = (kBlock - member.size % kBlock) % kBlock;
  if (pad && read(h.data(), pad) < pad) fail(offset_, "the file ends inside the padding of '" + member.name + "'");
  return true;
}

void TarReader::read_to_end() {
  std::array<std::uint8_t, 65536> buf;
  while (read(buf.data(), buf.size()) > 0) {
  }
}

}  // namespace fdsl
