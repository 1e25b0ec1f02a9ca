// The config parser and the parameter tables: any text is a config or an fdsl::Error, never a
// crash, a hang or another exception.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fdsl/core/error.h"
#include "fdsl/dataset/encode.h"
#include "fdsl/dataset/spec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    fdsl::RawConfig raw = fdsl::parse_config_text(text, "fuzz.yaml");
    const fdsl::Params params = fdsl::resolve_dataset_params(raw);
    (void)fdsl::OutputSettings::from_params(params);
  } catch (const fdsl::Error&) {
  }
  return 0;
}
