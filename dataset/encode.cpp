#include "fdsl/dataset/encode.h"

#include <cstring>

#include "fdsl/core/error.h"

namespace fdsl {

namespace {
/// Where the tree folder of a mask-dataset path starts: 0, or after "train/", "val/", "test/".
std::size_t tree_start(const std::string& path) {
  for (const char* split : {"train/", "val/", "test/"}) {
    const std::size_t n = std::strlen(split);
    if (path.compare(0, n, split) == 0) return n;
  }
  return 0;
}
bool starts_at(const std::string& path, std::size_t at, const std::string& prefix) {
  return path.compare(at, prefix.size(), prefix) == 0;
}
bool ends_with(const std::string& s, const char* suffix) {
  const std::size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}
}  // namespace

// fdsl's trees and SegRCDB's official ones.
const std::string kImageTrees[] = {"images/", "image/"};
const std::string kMaskTrees[] = {"masks/", "instances/", "mask/", "instance/"};

bool is_mask_file(const std::string& path) {
  if (ends_with(path, ".seg.png") || ends_with(path, ".inst.png")) return true;
  for (std::size_t at : {std::size_t{0}, tree_start(path)})
    for (const std::string& tree : kMaskTrees)
      if (starts_at(path, at, tree)) return true;
  return false;
}

std::string strip_mask_tree(const std::string& path) {
  for (std::size_t at : {std::size_t{0}, tree_start(path)}) {
    for (const std::string& tree : kImageTrees)
      if (starts_at(path, at, tree)) return path.substr(0, at) + path.substr(at + tree.size());
    for (const std::string& tree : kMaskTrees)
      if (starts_at(path, at, tree)) return path.substr(0, at) + path.substr(at + tree.size());
  }
  return path;
}

OutputSettings OutputSettings::from_params(const Params& params) {
  OutputSettings s;
  const std::string& encoder = params.get_string("png_encoder");
  s.png.encoder = encoder == "libpng" ? PngEncoder::Libpng
                  : encoder == "isal" ? PngEncoder::Isal
                  : encoder == "runs" ? PngEncoder::Runs
                                      : PngEncoder::Libdeflate;
  if (!png_encoder_available(s.png.encoder))
    params.fail("png_encoder", "this fdsl was built without Intel ISA-L (Debian: libisal-dev, then rebuild)");
  s.png.level = static_cast<int>(params.get_int("png_level"));  // libpng's limit: declared (limit_when)
  const std::string& filter = params.get_string("png_filter");
  s.png.filter = filter == "sub" ? PngFilter::Sub : filter == "up" ? PngFilter::Up : PngFilter::None;
  s.format = params.get_string("output_format") == "tar" ? OutputFormat::Tar : OutputFormat::Folder;
  s.label_files = s.format == OutputFormat::Tar;
  // Keys that only shape tar shards are refused in a folder dataset by their declarations.
  if (s.format == OutputFormat::Tar &&
      params.get_int("shard_samples") != std::get<std::int64_t>(params.spec("shard_samples").default_value) &&
      params.get_int("shard_bytes") > 0)
    params.fail("shard_bytes", "set shard_samples or shard_bytes, not both");
  s.cloud = &find_cloud_format(params.get_string("cloud_format"));
  if (params.has("coco")) s.coco = params.get_bool("coco");
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
  bool tree = false;
  if (!sample.semantic.empty() || !sample.instances.empty()) {
    // A folder dataset with masks is an images/ tree (class folders, as ImageFolder reads it)
    // beside masks/ and instances/ trees of the same names (mmsegmentation's img_dir / ann_dir);
    // in tar shards the masks are members of the sample (<key>.seg.png, <key>.inst.png).
    tree = settings.format == OutputFormat::Folder;
    if (!sample.semantic.empty()) {
      EncodedFile& f = next();
      f.path = tree ? settings.masks_dir + sample.name + ".png" : sample.name + ".seg.png";
      encode_label_png(sample.semantic, sample.semantic.bits, settings.png, f.bytes);
    }
    if (!sample.instances.empty()) {
      EncodedFile& f = next();
      f.path = tree ? settings.instances_dir + sample.name + ".png" : sample.name + ".inst.png";
      encode_label_png(sample.instances, sample.instances.bits, settings.png, f.bytes);
    }
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
  if (tree)
    for (EncodedFile& f : out)
      if (f.path.compare(0, settings.masks_dir.size(), settings.masks_dir) != 0 &&
          f.path.compare(0, settings.instances_dir.size(), settings.instances_dir) != 0)
        f.path.insert(0, settings.images_dir);
}

}  // namespace fdsl
