#include "fdsl/dataset/encode.h"

#include "fdsl/core/error.h"

namespace fdsl {

OutputSettings OutputSettings::from_params(const Params& params) {
  OutputSettings s;
  s.png.encoder = params.get_string("png_encoder") == "libpng" ? PngEncoder::Libpng : PngEncoder::Libdeflate;
  s.png.level = static_cast<int>(params.get_int("png_level"));
  if (s.png.encoder == PngEncoder::Libpng && s.png.level > 9)
    params.fail("png_level", "libpng accepts levels 0..9 (libdeflate goes to 12)");
  s.cloud = &find_cloud_format(params.get_string("cloud_format"));
  return s;
}

void encode_sample(const Sample& sample, const OutputSettings& settings, std::vector<EncodedFile>& out) {
  std::size_t n = 0;
  auto next = [&]() -> EncodedFile& {
    if (out.size() <= n) out.emplace_back();
    return out[n++];
  };
  if (!sample.image.empty()) {
    EncodedFile& f = next();
    f.path = sample.name + ".png";
    encode_png(sample.image, settings.png, f.bytes);
  }
  if (!sample.cloud.empty()) {
    if (!settings.cloud || settings.cloud->batch())
      throw_bad_input(std::string("cloud_format ") + (settings.cloud ? settings.cloud->name : "(none)") +
                      " writes files of many clouds, not one file per sample");
    thread_local std::vector<CloudFile> cloud_files;
    settings.cloud->encode(sample.cloud, cloud_files);
    for (CloudFile& c : cloud_files) {
      EncodedFile& f = next();
      f.path = sample.name + c.suffix;
      f.bytes.swap(c.bytes);
    }
  }
  if (!sample.meta.is_null() && !sample.meta.empty()) {
    EncodedFile& f = next();
    f.path = sample.name + ".json";
    const std::string text = sample.meta.dump(1) + "\n";
    f.bytes.assign(text.begin(), text.end());
  }
  out.resize(n);
}

}  // namespace fdsl
