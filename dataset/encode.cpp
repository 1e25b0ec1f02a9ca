#include "fdsl/dataset/encode.h"

#include "fdsl/core/error.h"

namespace fdsl {

OutputSettings OutputSettings::from_params(const Params& params) {
  OutputSettings s;
  const std::string& encoder = params.get_string("png_encoder");
  s.png.encoder = encoder == "libpng" ? PngEncoder::Libpng
                  : encoder == "isal" ? PngEncoder::Isal
                                      : PngEncoder::Libdeflate;
  if (!png_encoder_available(s.png.encoder))
    params.fail("png_encoder", "this fdsl was built without Intel ISA-L (Debian: libisal-dev, then rebuild)");
  s.png.level = static_cast<int>(params.get_int("png_level"));  // libpng's limit: declared (limit_when)
  s.format = params.get_string("output_format") == "tar" ? OutputFormat::Tar : OutputFormat::Folder;
  s.label_files = s.format == OutputFormat::Tar;
  // Keys that only shape tar shards are refused in a folder dataset by their declarations.
  if (s.format == OutputFormat::Tar &&
      params.get_int("shard_samples") != std::get<std::int64_t>(params.spec("shard_samples").default_value) &&
      params.get_int("shard_bytes") > 0)
    params.fail("shard_bytes", "set shard_samples or shard_bytes, not both");
  s.cloud = &find_cloud_format(params.get_string("cloud_format"));
  return s;
}

void encode_sample(const Sample& sample, const OutputSettings& settings, std::vector<EncodedFile>& out) {
  std::size_t n = 0;
  auto next = [&]() -> EncodedFile& {
    if (out.size() <= n) out.emplace_back();
    return out[n++];
  };
  auto put_text = [](EncodedFile& f, const std::string& text) { f.bytes.assign(text.begin(), text.end()); };
  if (!sample.image.empty()) {
    EncodedFile& f = next();
    f.path = sample.name + ".png";
    encode_png(sample.image, settings.png, f.bytes);
  }
  for (std::size_t k = 0; k < sample.views.size(); ++k) {
    EncodedFile& f = next();
    f.path = sample.view_names.at(k) + ".png";
    encode_png(sample.views[k], settings.png, f.bytes);
  }
  if (!sample.cloud.empty() && sample.cloud_file) {
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
  for (const auto& [suffix, bytes] : sample.extra_files) {
    EncodedFile& f = next();
    f.path = sample.name + suffix;
    f.bytes = bytes;
  }
  if (settings.label_files) {
    EncodedFile& f = next();
    f.path = sample.name + ".cls";
    put_text(f, std::to_string(sample.label));
  }
  const bool has_meta = !sample.meta.is_null() && !sample.meta.empty();
  const bool labels_in_json = settings.label_files && !sample.labels.empty();
  if (has_meta || labels_in_json) {
    EncodedFile& f = next();
    f.path = sample.name + "." + (has_meta ? sample.meta_ext : std::string("json"));
    if (labels_in_json) {
      nlohmann::ordered_json j = has_meta ? sample.meta : nlohmann::ordered_json::object();
      j["labels"] = sample.labels;
      put_text(f, j.dump(1) + "\n");
    } else {
      put_text(f, sample.meta.dump(1) + "\n");
    }
  }
  out.resize(n);
}

}  // namespace fdsl
