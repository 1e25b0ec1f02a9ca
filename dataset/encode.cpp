#include "fdsl/dataset/encode.h"

#include "fdsl/core/error.h"

namespace fdsl {

OutputSettings OutputSettings::from_params(const Params& params) {
  OutputSettings s;
  s.png.encoder = params.get_string("png_encoder") == "libpng" ? PngEncoder::Libpng : PngEncoder::Libdeflate;
  s.png.level = static_cast<int>(params.get_int("png_level"));
  if (s.png.encoder == PngEncoder::Libpng && s.png.level > 9)
    params.fail("png_level", "libpng accepts levels 0..9 (libdeflate goes to 12)");
  s.format = params.get_string("output_format") == "tar" ? OutputFormat::Tar : OutputFormat::Folder;
  s.label_files = s.format == OutputFormat::Tar;
  // A config saved with a dataset spells out every key, so "set" means "differs from the default".
  auto changed = [&](const char* key) {
    const ParamValue& def = params.spec(key).default_value;
    if (const auto* i = std::get_if<std::int64_t>(&def)) return params.get_int(key) != *i;
    if (const auto* b = std::get_if<bool>(&def)) return params.get_bool(key) != *b;
    if (const auto* t = std::get_if<std::string>(&def)) return params.get_string(key) != *t;
    return false;
  };
  if (s.format == OutputFormat::Folder) {
    // Keys that only shape tar shards would be silently ignored: say so instead.
    for (const char* key : {"shuffle", "shard_samples", "shard_bytes", "shard_prefix"})
      if (changed(key))
        params.fail(key, "applies to tar shards only; add output_format: tar (a folder has no sample order or shards)");
  } else if (changed("shard_samples") && params.get_int("shard_bytes") > 0) {
    params.fail("shard_bytes", "set shard_samples or shard_bytes, not both");
  }
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
