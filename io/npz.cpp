#include "fdsl/io/npz.h"

#include <limits>

#include "fdsl/core/error.h"
#include "fdsl/io/files.h"

namespace fdsl {

namespace {

void put16(std::vector<std::uint8_t>& out, std::uint32_t v) {
  out.push_back(static_cast<std::uint8_t>(v & 0xff));
  out.push_back(static_cast<std::uint8_t>((v >> 8) & 0xff));
}
void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  put16(out, v & 0xffff);
  put16(out, v >> 16);
}

// 1980-01-01 00:00:00 in MS-DOS date and time, the earliest a ZIP entry can say.
constexpr std::uint32_t kDosTime = 0, kDosDate = (1 << 5) | 1;

}  // namespace

void encode_npz(const std::vector<std::pair<std::string, std::vector<std::uint8_t>>>& members,
                std::vector<std::uint8_t>& out) {
  out.clear();
  struct Entry {
    std::string name;
    std::uint32_t crc, size, offset;
  };
  std::vector<Entry> entries;
  constexpr std::size_t kMax = std::numeric_limits<std::uint32_t>::max() - 1;
  if (members.size() > 65535) throw_bad_input("NPZ writer: more than 65,535 arrays in one archive");
  for (const auto& [stem, bytes] : members) {
    const std::string name = stem + ".npy";
    if (bytes.size() > kMax || out.size() > kMax)
      throw_bad_input("NPZ writer: array '" + stem + "' makes the archive larger than 4 GiB (ZIP64 is not written)");
    Entry e{name, crc32(bytes), static_cast<std::uint32_t>(bytes.size()), static_cast<std::uint32_t>(out.size())};
    put32(out, 0x04034b50);  // local file header
    put16(out, 20);          // version needed: 2.0
    put16(out, 0);           // flags
    put16(out, 0);           // method: stored
    put16(out, kDosTime);
    put16(out, kDosDate);
    put32(out, e.crc);
    put32(out, e.size);  // compressed size
    put32(out, e.size);  // uncompressed size
    put16(out, static_cast<std::uint32_t>(name.size()));
    put16(out, 0);  // extra field length
    out.insert(out.end(), name.begin(), name.end());
    out.insert(out.end(), bytes.begin(), bytes.end());
    entries.push_back(std::move(e));
  }
  if (out.size() > kMax) throw_bad_input("NPZ writer: the archive is larger than 4 GiB (ZIP64 is not written)");
  const auto directory = static_cast<std::uint32_t>(out.size());
  for (const Entry& e : entries) {
    put32(out, 0x02014b50);  // central directory header
    put16(out, 20);          // made by: 2.0
    put16(out, 20);          // version needed
    put16(out, 0);
    put16(out, 0);
    put16(out, kDosTime);
    put16(out, kDosDate);
    put32(out, e.crc);
    put32(out, e.size);
    put32(out, e.size);
    put16(out, static_cast<std::uint32_t>(e.name.size()));
    put16(out, 0);  // extra
    put16(out, 0);  // comment
    put16(out, 0);  // disk number
    put16(out, 0);  // internal attributes
    put32(out, 0);  // external attributes
    put32(out, e.offset);
    out.insert(out.end(), e.name.begin(), e.name.end());
  }
  const auto directory_size = static_cast<std::uint32_t>(out.size() - directory);
  put32(out, 0x06054b50);  // end of central directory
  put16(out, 0);
  put16(out, 0);
  put16(out, static_cast<std::uint32_t>(entries.size()));
  put16(out, static_cast<std::uint32_t>(entries.size()));
  put32(out, directory_size);
  put32(out, directory);
  put16(out, 0);  // comment length
}

}  // namespace fdsl
