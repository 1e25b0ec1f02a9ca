#include "fdsl/io/tar_writer.h"

#include <array>
#include <cstdio>
#include <cstring>

#include "fdsl/core/error.h"

namespace fdsl {

namespace detail {

std::pair<std::string, std::string> split_ustar_name(std::string_view name) {
  auto refuse = [&](const std::string& why) -> std::pair<std::string, std::string> {
    std::string message = "tar member name '";
    message += name;
    message += "' ";
    message += why;
    throw_bad_input(message);
  };
  if (name.empty()) return refuse("is empty");
  if (name.front() == '/') return refuse("is absolute");
  if (name.back() == '/') return refuse("ends with '/'");
  if (name.find('\0') != std::string_view::npos) return refuse("holds a NUL byte");
  if (name.size() <= 100) return {"", std::string(name)};
  // The longest prefix that fits leaves the shortest name; try every '/' from the right.
  for (std::size_t slash = name.rfind('/'); slash != std::string_view::npos && slash > 0;
       slash = name.rfind('/', slash - 1)) {
    const std::size_t rest = name.size() - slash - 1;
    if (rest > 100) break;  // moving left only makes the name longer
    if (slash <= 155) return {std::string(name.substr(0, slash)), std::string(name.substr(slash + 1))};
  }
  return refuse(std::to_string(name.size()) +
                " bytes long, does not fit a ustar header: it needs a '/' that leaves at most 155 bytes before it "
                "and 100 after it");
}

}  // namespace detail

namespace {

/// Writes `value` as zero-padded octal into a field of `width` bytes, the last one NUL.
void put_octal(char* field, std::size_t width, std::uint64_t value) {
  std::snprintf(field, width, "%0*llo", static_cast<int>(width - 1), static_cast<unsigned long long>(value));
}

void put_text(char* field, std::size_t width, std::string_view text) {
  std::memcpy(field, text.data(), std::min(width, text.size()));
}

}  // namespace

void TarWriter::add(std::string_view name, std::span<const std::uint8_t> data) {
  if (finished_) throw_runtime("tar writer: member '" + std::string(name) + "' added after finish()");
  if (data.size() > kMaxMemberSize)
    throw_bad_input("tar member '" + std::string(name) + "' is " + std::to_string(data.size()) +
                    " bytes; a ustar header holds at most " + std::to_string(kMaxMemberSize));
  const auto [prefix, short_name] = detail::split_ustar_name(name);

  // The ustar header (POSIX.1-1988): offsets as in the standard.
  std::array<char, kBlock> h{};
  put_text(&h[0], 100, short_name);
  put_octal(&h[100], 8, 0644);  // mode
  put_octal(&h[108], 8, 0);     // uid
  put_octal(&h[116], 8, 0);     // gid
  put_octal(&h[124], 12, data.size());
  put_octal(&h[136], 12, static_cast<std::uint64_t>(kMtime));
  std::memset(&h[148], ' ', 8);      // checksum: spaces while summing
  h[156] = '0';                      // regular file
  std::memcpy(&h[257], "ustar", 6);  // magic with its NUL
  std::memcpy(&h[263], "00", 2);     // version
  // uname (265), gname (297), devmajor (329) and devminor (337) stay NUL, as Python's tarfile
  // leaves them for a regular file: numeric owner 0:0.
  put_text(&h[345], 155, prefix);
  unsigned sum = 0;
  for (char c : h) sum += static_cast<unsigned char>(c);
  std::snprintf(&h[148], 8, "%06o", sum);  // six digits, NUL, and the space left from above
  h[155] = ' ';

  sink_.write(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(h.data()), h.size()));
  sink_.write(data);
  static const std::array<std::uint8_t, kBlock> zeros{};
  const std::size_t pad = (kBlock - data.size() % kBlock) % kBlock;
  if (pad) sink_.write(std::span<const std::uint8_t>(zeros.data(), pad));
  size_ += member_size(data.size());
}

void TarWriter::add(std::string_view name, std::string_view text) {
  add(name, std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

void TarWriter::finish() {
  if (finished_) return;
  static const std::array<std::uint8_t, kEndSize> zeros{};
  sink_.write(zeros);
  size_ += kEndSize;
  finished_ = true;
}

}  // namespace fdsl
