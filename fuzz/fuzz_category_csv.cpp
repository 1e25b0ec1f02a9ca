// The FractalDB and PC-FractalDB category readers (one category per file, and the dataset table):
// any bytes are categories or an fdsl::Error naming the file and line.
#include <cstddef>
#include <cstdint>

#include "fdsl/core/error.h"
#include "fdsl/io/category_csv.h"
#include "fdsl/io/pc_category_csv.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fdsl::fuzz::InputFile file(data, size);
  try {
    (void)fdsl::read_fractaldb_csv(file.path());
  } catch (const fdsl::Error&) {
  }
  try {
    (void)fdsl::read_category_table(file.path());
  } catch (const fdsl::Error&) {
  }
  try {
    (void)fdsl::read_pc_fractal_csv(file.path());
  } catch (const fdsl::Error&) {
  }
  try {
    (void)fdsl::read_pc_category_table(file.path());
  } catch (const fdsl::Error&) {
  }
  return 0;
}
