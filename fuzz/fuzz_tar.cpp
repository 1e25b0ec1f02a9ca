// The tar reader `fdsl verify` checks shards with: any bytes are read member by member to the end,
// or give an fdsl::Error naming the offset.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fdsl/core/error.h"
#include "fdsl/io/tar_reader.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fdsl::fuzz::InputFile file(data, size);
  try {
    fdsl::TarReader reader(file.path());
    fdsl::TarMember member;
    std::vector<std::uint8_t> bytes;
    while (reader.next(member, bytes)) {
    }
    reader.read_to_end();
  } catch (const fdsl::Error&) {
  }
  return 0;
}
