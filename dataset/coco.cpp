#include "fdsl/dataset/coco.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <unordered_map>

#include "fdsl/core/error.h"
#include "fdsl/core/parallel.h"
#include "fdsl/io/files.h"
#include "fdsl/io/png.h"

namespace fdsl {

namespace fs = std::filesystem;

std::vector<CocoObject> coco_objects(const LabelMap& instances, const LabelMap& semantic, const std::string& what) {
  if (instances.width != semantic.width || instances.height != semantic.height)
    throw_bad_input(what + ": the instance mask is " + std::to_string(instances.width) + "x" +
                    std::to_string(instances.height) + ", the class mask " + std::to_string(semantic.width) + "x" +
                    std::to_string(semantic.height));
  const int w = instances.width, h = instances.height;
  // Objects by id; `end` is where (column-major) each object's last run of pixels ended.
  std::vector<CocoObject> objects;
  // slot[id]: the object's index, -1 before it is seen; class_of[id]: its class. Kept per thread
  // and put back to their blank state before returning (they are 384 KB).
  thread_local std::vector<std::int32_t> slot(65536, -1);
  thread_local std::vector<std::uint16_t> class_of(65536, 0);
  thread_local std::vector<std::uint16_t> seen;
  struct Reset {
    ~Reset() {
      for (std::uint16_t id : seen) slot[id] = -1, class_of[id] = 0;
      seen.clear();
    }
  } reset;
  std::vector<std::uint64_t> end;
  auto object_of = [&](std::uint16_t id, int x, int y) -> CocoObject& {
    if (slot[id] < 0) {
      slot[id] = static_cast<std::int32_t>(objects.size());
      seen.push_back(id);
      CocoObject o;
      o.instance = id;
      o.category = semantic.at(x, y);
      o.x0 = o.x1 = x;
      o.y0 = o.y1 = y;
      objects.push_back(std::move(o));
      end.push_back(0);
    }
    return objects[static_cast<std::size_t>(slot[id])];
  };
  auto close = [&](std::uint16_t id, std::uint64_t s, std::uint64_t e) {
    if (id == 0) return;
    const std::size_t k = static_cast<std::size_t>(slot[id]);
    CocoObject& o = objects[k];
    o.counts.push_back(static_cast<std::uint32_t>(s - end[k]));
    o.counts.push_back(static_cast<std::uint32_t>(e - s));
    end[k] = e;
  };
  // COCO counts runs column by column: the map is transposed once (in tiles, so both sides stay
  // in cache), then walked in memory order a run at a time, each run updating its object once.
  const std::size_t W = static_cast<std::size_t>(w), H = static_cast<std::size_t>(h);
  thread_local std::vector<std::uint16_t> col;
  col.resize(W * H);
  constexpr std::size_t kTile = 64;
  for (std::size_t y0 = 0; y0 < H; y0 += kTile)
    for (std::size_t x0 = 0; x0 < W; x0 += kTile)
      for (std::size_t y = y0; y < std::min(H, y0 + kTile); ++y) {
        const std::uint16_t* row = instances.values.data() + y * W;
        for (std::size_t x = x0; x < std::min(W, x0 + kTile); ++x) col[x * H + y] = row[x];
      }
  std::uint16_t cur = 0;
  std::uint64_t start = 0;
  for (int x = 0; x < w; ++x) {
    const std::uint16_t* c = col.data() + static_cast<std::size_t>(x) * H;
    for (int y = 0; y < h;) {
      const std::uint16_t v = c[y];
      int y1 = y + 1;
      if constexpr (std::endian::native == std::endian::little) {
        // Four ids a step: the first that differs is the lowest nonzero 16-bit lane of the xor.
        const std::uint64_t same = 0x0001000100010001ull * v;
        for (; y1 + 4 <= h; y1 += 4) {
          std::uint64_t word;
          std::memcpy(&word, c + y1, 8);
          if (const std::uint64_t d = word ^ same) {
            y1 += std::countr_zero(d) / 16;
            break;
          }
        }
      }
      while (y1 < h && c[y1] == v) ++y1;
      if (v != 0) {
        CocoObject& o = object_of(v, x, y);
        o.area += y1 - y;
        o.x0 = std::min(o.x0, x);
        o.x1 = std::max(o.x1, x);
        o.y0 = std::min(o.y0, y);
        o.y1 = std::max(o.y1, y1 - 1);
      }
      if (v != cur) {
        const std::uint64_t pos = static_cast<std::uint64_t>(x) * H + static_cast<std::uint64_t>(y);
        close(cur, start, pos);
        cur = v;
        start = pos;
      }
      y = y1;
    }
  }
  const std::uint64_t total = static_cast<std::uint64_t>(W) * H;
  close(cur, start, total);
  // Every pixel of an object has the object's class.
  for (const CocoObject& o : objects) class_of[o.instance] = static_cast<std::uint16_t>(o.category);
  const std::uint16_t* iv = instances.values.data();
  const std::uint16_t* sv = semantic.values.data();
  for (std::size_t i = 0; i < W * H; ++i)
    if (iv[i] != 0 && sv[i] != class_of[iv[i]])
      throw_bad_input(what + ": object " + std::to_string(iv[i]) + " has pixels of classes " +
                      std::to_string(class_of[iv[i]]) + " and " + std::to_string(sv[i]));
  if (col.capacity() > (std::size_t{16} << 20)) std::vector<std::uint16_t>().swap(col);
  for (std::size_t k = 0; k < objects.size(); ++k)
    if (end[k] < total) objects[k].counts.push_back(static_cast<std::uint32_t>(total - end[k]));
  std::sort(objects.begin(), objects.end(),
            [](const CocoObject& a, const CocoObject& b) { return a.instance < b.instance; });
  return objects;
}

std::string coco_rle_string(const std::vector<std::uint32_t>& counts) {
  std::string s;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    std::int64_t x = counts[i];
    if (i > 2) x -= static_cast<std::int64_t>(counts[i - 2]);
    bool more = true;
    while (more) {
      std::int64_t c = x & 0x1f;
      x >>= 5;  // arithmetic: negative deltas end at -1
      more = (c & 0x10) ? x != -1 : x != 0;
      if (more) c |= 0x20;
      s.push_back(static_cast<char>(c + 48));
    }
  }
  return s;
}

namespace {

std::string json_string(const std::string& s) { return nlohmann::json(s).dump(); }

/// One image's objects and size, read back from its mask files.
struct ImageObjects {
  int width = 0, height = 0;
  std::vector<CocoObject> objects;
};

/// One image's objects and size from its encoded masks (`*_what` name them in errors).
ImageObjects decode_objects(const std::vector<std::uint8_t>& inst_png, const std::string& inst_what,
                            const std::vector<std::uint8_t>& sem_png, const std::string& sem_what) {
  const LabelMap inst = decode_label_png(inst_png.data(), inst_png.size(), inst_what);
  const LabelMap sem = decode_label_png(sem_png.data(), sem_png.size(), sem_what);
  ImageObjects r;
  r.objects = coco_objects(inst, sem, inst_what);
  r.width = inst.width;
  r.height = inst.height;
  return r;
}

ImageObjects read_objects(const CocoImage& image) {
  return decode_objects(read_file(image.instances), image.instances.string(), read_file(image.semantic),
                        image.semantic.string());
}

}  // namespace

/// The file as it is written: the categories and annotations stream to the temporary file, the
/// "images" entries wait in memory (a line each) for the end.
struct CocoWriter::State {
  explicit State(const fs::path& out) : file(out) {}
  AtomicFileWriter file;
  std::string buf, images_json;
  std::int64_t next_image = 1, next_id = 1;
  void flush() {
    file.write(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(buf.data()), buf.size()));
    buf.clear();
  }
  void add(const ImageObjects& im, const std::string& file_name, const std::string& extra) {
    const std::int64_t i = next_image++;
    images_json += std::string(i > 1 ? ",\n" : "\n") + "{\"id\":" + std::to_string(i) +
                   ",\"file_name\":" + json_string(file_name) + ",\"width\":" + std::to_string(im.width) +
                   ",\"height\":" + std::to_string(im.height) + (extra.empty() ? "" : "," + extra) + "}";
    for (const CocoObject& o : im.objects) {
      buf += std::string(next_id > 1 ? ",\n" : "\n") + "{\"id\":" + std::to_string(next_id) +
             ",\"image_id\":" + std::to_string(i) + ",\"category_id\":" + std::to_string(o.category) +
             ",\"segmentation\":{\"size\":[" + std::to_string(im.height) + "," + std::to_string(im.width) +
             "],\"counts\":" + json_string(coco_rle_string(o.counts)) + "},\"area\":" + std::to_string(o.area) +
             ",\"bbox\":[" + std::to_string(o.x0) + "," + std::to_string(o.y0) + "," + std::to_string(o.x1 - o.x0 + 1) +
             "," + std::to_string(o.y1 - o.y0 + 1) + "],\"iscrowd\":0}";
      ++next_id;
    }
    if (buf.size() > (1u << 20)) flush();
  }
};

CocoWriter::CocoWriter(const fs::path& out, const MaskInfo& masks) : state_(std::make_unique<State>(out)) {
  std::string& buf = state_->buf;
  buf += "{\"info\":{\"description\":\"instance masks made by fdsl\"},\n\"categories\":[";
  for (std::size_t k = 0; k < masks.categories.size(); ++k)
    buf += std::string(k ? ",\n" : "\n") + "{\"id\":" + std::to_string(k + 1) +
           ",\"name\":" + json_string(masks.categories[k]) + ",\"supercategory\":" + json_string(masks.objects) + "}";
  buf += "],\n\"annotations\":[";
}

CocoWriter::~CocoWriter() = default;

void CocoWriter::add(const std::vector<CocoEncodedImage>& block, int threads) {
  std::vector<ImageObjects> objects(block.size());
  parallel_for(0, static_cast<std::int64_t>(block.size()), threads, [&](std::int64_t i) {
    const CocoEncodedImage& im = block[static_cast<std::size_t>(i)];
    objects[static_cast<std::size_t>(i)] =
        decode_objects(im.instances_png, im.file_name, im.semantic_png, im.file_name);
  });
  for (std::size_t k = 0; k < block.size(); ++k) state_->add(objects[k], block[k].file_name, block[k].extra);
}

void CocoWriter::commit() {
  State& st = *state_;
  st.buf += "],\n\"images\":[";
  st.flush();
  st.buf.swap(st.images_json);
  st.buf += "]}\n";
  st.flush();
  st.file.commit(false);
}

void write_coco_instances(const fs::path& out, const MaskInfo& masks, const std::vector<CocoImage>& images,
                          int threads) {
  CocoWriter writer(out, masks);
  // Blocks of images are read in parallel and written in order, so ids (images 1, 2, ... in the
  // order given; annotations on from 1 in that order) do not depend on the thread count.
  constexpr std::size_t kBlock = 512;
  for (std::size_t b = 0; b < images.size(); b += kBlock) {
    const std::size_t e = std::min(images.size(), b + kBlock);
    std::vector<ImageObjects> block(e - b);
    parallel_for(static_cast<std::int64_t>(b), static_cast<std::int64_t>(e), threads, [&](std::int64_t i) {
      block[static_cast<std::size_t>(i) - b] = read_objects(images[static_cast<std::size_t>(i)]);
    });
    for (std::size_t k = 0; k < block.size(); ++k) writer.state_->add(block[k], images[b + k].file_name, "");
  }
  writer.commit();
}

}  // namespace fdsl
