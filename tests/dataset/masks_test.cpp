// Dense labels: label PNGs (8 and 16 bits), orienting masks with their image, COCO RLE, the masks
// of ifs_sigma and dead_leaves (they mark exactly the inked pixels, do not change the image, and
// number the objects as documented), and the dataset files (trees, COCO, any thread count).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>

#include "fdsl/core/error.h"
#include "fdsl/dataset/coco.h"
#include "fdsl/dataset/generate.h"
#include "fdsl/dataset/preview.h"
#include "fdsl/dataset/spec.h"
#include "fdsl/dataset/verify.h"
#include "fdsl/io/files.h"
#include "fdsl/io/png.h"
#include "fdsl/render/image_ops.h"
#include "test_support.h"

namespace fdsl {
namespace {

namespace fs = std::filesystem;

DatasetSpec spec_from(const std::string& yaml, int threads = 0) {
  SpecOptions o;
  o.threads = threads;
  return make_dataset_spec(parse_config_text(yaml, "cfg.yaml"), o, fs::temp_directory_path());
}

LabelMap random_labels(int w, int h, int max_value, unsigned seed) {
  LabelMap m(w, h);
  std::mt19937 rng(seed);
  // Blobs of one value, as masks are, with some single-pixel noise.
  for (int k = 0; k < 12; ++k) {
    const int v = static_cast<int>(rng() % static_cast<unsigned>(max_value + 1));
    const int x0 = static_cast<int>(rng() % w), y0 = static_cast<int>(rng() % h);
    const int bw = 1 + static_cast<int>(rng() % w), bh = 1 + static_cast<int>(rng() % h);
    for (int y = y0; y < std::min(h, y0 + bh); ++y)
      for (int x = x0; x < std::min(w, x0 + bw); ++x) m.at(x, y) = static_cast<std::uint16_t>(v);
  }
  for (int k = 0; k < w; ++k)
    m.at(static_cast<int>(rng() % w), static_cast<int>(rng() % h)) =
        static_cast<std::uint16_t>(rng() % (max_value + 1));
  return m;
}

TEST(LabelPng, RoundTripsEightAndSixteenBits) {
  for (int bits : {8, 16})
    for (auto [w, h] : {std::pair{1, 1}, std::pair{37, 5}, std::pair{64, 64}}) {
      const LabelMap m = random_labels(w, h, bits == 8 ? 255 : 65535, static_cast<unsigned>(w * 7 + bits));
      std::vector<std::uint8_t> png;
      encode_label_png(m, bits, PngOptions{}, png);
      int got_bits = 0;
      const LabelMap back = decode_label_png(png.data(), png.size(), "t", &got_bits);
      EXPECT_EQ(got_bits, bits);
      EXPECT_EQ(back.width, w);
      EXPECT_EQ(back.height, h);
      EXPECT_EQ(back.values, m.values) << bits << " bits " << w << "x" << h;
      if (bits == 8) {
        // An 8-bit label PNG is an ordinary gray PNG: the image decoder reads the same values.
        const Image im = decode_png(png.data(), png.size());
        ASSERT_EQ(im.channels, 1);
        for (std::size_t i = 0; i < m.values.size(); ++i) ASSERT_EQ(im.pixels[i], m.values[i]);
      }
    }
}

TEST(LabelPng, RefusesWhatDoesNotFit) {
  LabelMap m(4, 4, 300);
  std::vector<std::uint8_t> png;
  EXPECT_THROW(encode_label_png(m, 8, PngOptions{}, png), Error);
  EXPECT_THROW(encode_label_png(m, 12, PngOptions{}, png), Error);
  m.values.pop_back();
  EXPECT_THROW(encode_label_png(m, 16, PngOptions{}, png), Error);
  const std::vector<std::uint8_t> rgb = encode_png(Image(4, 4, 3, 9));
  try {
    decode_label_png(rgb.data(), rgb.size(), "x.png");
    FAIL() << "an RGB PNG is no label map";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("x.png"), std::string::npos) << e.what();
  }
}

TEST(LabelMapOrient, FollowsTheImageInEveryOrientation) {
  const LabelMap m = random_labels(13, 7, 255, 3);
  Image im(13, 7, 1);
  for (std::size_t i = 0; i < m.values.size(); ++i) im.pixels[i] = static_cast<std::uint8_t>(m.values[i]);
  for (int k = 0; k < 8; ++k) {
    const Orientation o{(k & 1) != 0, (k & 2) != 0, (k & 4) != 0};
    LabelMap lm = m;
    Image oi = im;
    orient(lm, o);
    orient(oi, o.transpose, o.flip_v, o.flip_h);
    ASSERT_EQ(lm.width, oi.width);
    ASSERT_EQ(lm.height, oi.height);
    for (std::size_t i = 0; i < lm.values.size(); ++i) ASSERT_EQ(lm.values[i], oi.pixels[i]) << k;
  }
}

/// pycocotools' rleFrString, written from its definition: the inverse of coco_rle_string.
std::vector<std::uint32_t> rle_from_string(const std::string& s) {
  std::vector<std::uint32_t> counts;
  std::size_t p = 0;
  while (p < s.size()) {
    std::int64_t x = 0;
    int k = 0;
    bool more = true;
    while (more) {
      const std::int64_t c = static_cast<std::int64_t>(s[p]) - 48;
      x |= (c & 0x1f) << (5 * k);
      more = (c & 0x20) != 0;
      ++p;
      ++k;
      if (!more && (c & 0x10)) x |= -(std::int64_t{1} << (5 * k));
    }
    if (counts.size() > 2) x += counts[counts.size() - 2];
    counts.push_back(static_cast<std::uint32_t>(x));
  }
  return counts;
}

TEST(Coco, RleStringsDecodeToEachObjectsPixels) {
  for (unsigned seed = 0; seed < 40; ++seed) {
    const int w = 5 + static_cast<int>(seed % 23), h = 3 + static_cast<int>(seed % 17);
    const LabelMap inst = random_labels(w, h, 9, seed);
    LabelMap sem(w, h);
    for (std::size_t i = 0; i < inst.values.size(); ++i) sem.values[i] = inst.values[i] ? inst.values[i] % 3 + 1 : 0;
    const std::vector<CocoObject> objects = coco_objects(inst, sem, "t");
    std::set<std::uint32_t> present;
    for (std::uint16_t v : inst.values)
      if (v) present.insert(v);
    ASSERT_EQ(objects.size(), present.size());
    for (const CocoObject& o : objects) {
      EXPECT_EQ(o.category, o.instance % 3 + 1);
      const std::vector<std::uint32_t> counts = rle_from_string(coco_rle_string(o.counts));
      ASSERT_EQ(counts, o.counts) << "the string decodes to the runs";
      // Runs, column-major, from background: exactly the object's pixels.
      std::vector<std::uint8_t> mask;
      for (std::size_t r = 0; r < counts.size(); ++r) mask.insert(mask.end(), counts[r], r % 2);
      ASSERT_EQ(mask.size(), inst.values.size());
      std::int64_t area = 0;
      int x0 = w, y0 = h, x1 = -1, y1 = -1;
      for (int x = 0; x < w; ++x)
        for (int y = 0; y < h; ++y) {
          const bool in = inst.at(x, y) == o.instance;
          ASSERT_EQ(mask[static_cast<std::size_t>(x) * h + y] != 0, in) << seed;
          if (!in) continue;
          ++area;
          x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
        }
      EXPECT_EQ(o.area, area);
      EXPECT_EQ(o.x0, x0);
      EXPECT_EQ(o.x1, x1);
      EXPECT_EQ(o.y0, y0);
      EXPECT_EQ(o.y1, y1);
    }
  }
  // A known case (pycocotools.mask.encode of a 3x3 mask with its centre set): "31" + ... is
  // computed by hand: runs 4, 1, 4.
  EXPECT_EQ(coco_rle_string({4, 1, 4}), "414");
  LabelMap inst(2, 2, 1), sem(2, 2, 1);
  sem.at(1, 1) = 2;
  EXPECT_THROW(coco_objects(inst, sem, "t"), Error) << "one object, two classes";
  // The per-thread tables are blank again after a refusal: the same map alone gives one object.
  sem.at(1, 1) = 1;
  const std::vector<CocoObject> again = coco_objects(inst, sem, "t");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].area, 4);
  EXPECT_EQ(again[0].category, 1);
}

/// Whether any channel of pixel i is nonzero.
bool inked(const Image& im, std::size_t i) {
  for (int c = 0; c < im.channels; ++c)
    if (im.pixels[i * static_cast<std::size_t>(im.channels) + static_cast<std::size_t>(c)]) return true;
  return false;
}

TEST(Masks, IfsSigmaMarksTheInkedPixelsAndLeavesTheImageAlone) {
  for (const char* objects : {"1", "5"}) {
    const std::string base = std::string("generator: ifs_sigma\nclasses: 4\ninstances: 6\nsize: 48\npoints: 3000\n") +
                             "objects_min: 1\nobjects_max: " + objects + "\n";
    // Without background and blur the ink is what the image shows: the masks must mark exactly it.
    const DatasetSpec plain = spec_from(base + "background: false\nblur: false\nmasks: true\n");
    const DatasetSpec with = spec_from(base + "masks: true\n"), without = spec_from(base);
    for (std::int64_t c = 0; c < 4; ++c)
      for (std::int64_t i = 0; i < 6; ++i) {
        const Sample p = plain.generator->make(c, i);
        ASSERT_EQ(p.semantic.width, 48);
        ASSERT_EQ(p.instances.height, 48);
        std::map<std::uint16_t, std::set<std::uint16_t>> classes_of;
        for (std::size_t k = 0; k < p.semantic.values.size(); ++k) {
          ASSERT_EQ(p.semantic.values[k] != 0, inked(p.image, k)) << objects << " " << c << " " << i << " @" << k;
          ASSERT_EQ(p.semantic.values[k] != 0, p.instances.values[k] != 0);
          if (p.instances.values[k]) classes_of[p.instances.values[k]].insert(p.semantic.values[k]);
        }
        for (const auto& [id, cls] : classes_of) {
          EXPECT_EQ(cls.size(), 1u) << "an object has one class";
          EXPECT_GE(*cls.begin(), 1);
          EXPECT_LE(*cls.begin(), 4);
          EXPECT_LE(id, std::stoi(objects));
        }
        if (std::string(objects) == "1") {
          for (std::uint16_t v : p.semantic.values) ASSERT_TRUE(v == 0 || v == c + 1) << "a single object is its class";
        }
        // The plasma background and the blur come from streams of their own and after the ink:
        // the masks of the full recipe are those of the plain one (a single fractal's are drawn
        // again for them, not read off the image).
        const Sample f = with.generator->make(c, i);
        EXPECT_EQ(f.semantic.values, p.semantic.values) << objects << " " << c << " " << i;
        EXPECT_EQ(f.instances.values, p.instances.values);
        // Masks on or off, the image is the same; and masks are as pure as images.
        const Sample w = with.generator->make(c, i);
        EXPECT_EQ(w.image.pixels, without.generator->make(c, i).image.pixels);
        EXPECT_EQ(w.semantic.values, with.generator->make(c, i).semantic.values);
        EXPECT_TRUE(without.generator->make(c, i).semantic.empty());
      }
  }
}

TEST(Masks, DeadLeavesNumbersTheVisibleShapes) {
  const std::string base = "generator: dead_leaves\ninstances: 8\nsize: 64\nmasks: true\n";
  for (const char* shape : {"mixed", "circle", "triangle"}) {
    const DatasetSpec s = spec_from(base + "shape: " + shape + "\n");
    const DatasetSpec off =
        spec_from(std::string("generator: dead_leaves\ninstances: 8\nsize: 64\nshape: ") + shape + "\n");
    EXPECT_EQ(s.generator->masks().categories.size(), 6u);
    EXPECT_EQ(s.generator->masks().instance_bits, 16) << "up to 5000 shapes";
    for (std::int64_t i = 0; i < 8; ++i) {
      const Sample a = s.generator->make(0, i);
      EXPECT_EQ(a.image.pixels, off.generator->make(0, i).image.pixels);
      std::set<std::uint16_t> ids, kinds;
      for (std::size_t k = 0; k < a.instances.values.size(); ++k) {
        ASSERT_EQ(a.instances.values[k] != 0, a.semantic.values[k] != 0);
        if (a.instances.values[k]) ids.insert(a.instances.values[k]), kinds.insert(a.semantic.values[k]);
      }
      ASSERT_FALSE(ids.empty());
      EXPECT_EQ(*ids.begin(), 1);
      EXPECT_EQ(*ids.rbegin(), ids.size()) << "visible shapes are numbered 1..m without gaps";
      for (std::uint16_t k : kinds) EXPECT_TRUE(k >= 1 && k <= 6);
      if (std::string(shape) == "circle") {
        EXPECT_EQ(kinds, std::set<std::uint16_t>{1});
      }
      if (std::string(shape) == "triangle") {
        EXPECT_EQ(kinds, std::set<std::uint16_t>{5});
      }
      // Flat colours: a shape's pixels share one colour (neighbours of one id agree).
      const auto& im = a.image;
      for (int y = 0; y < 64; ++y)
        for (int x = 1; x < 64; ++x)
          if (a.instances.at(x, y) == a.instances.at(x - 1, y)) {
            for (int c = 0; c < 3; ++c) ASSERT_EQ(im.at(x, y, c), im.at(x - 1, y, c));
          }
    }
  }
  try {
    spec_from(base + "max_shapes: 70000\n");
    FAIL() << "more shapes than 16 bits number";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("max_shapes"), std::string::npos) << e.what();
  }
}

TEST(Masks, PreviewsShowTheOverlayBesideTheImage) {
  const DatasetSpec s = spec_from("generator: dead_leaves\ninstances: 2\nsize: 32\nmasks: true\n");
  const Sample a = s.generator->make(0, 1);
  const Image pic = sample_picture(a, 32);
  ASSERT_EQ(pic.width, 64);
  ASSERT_EQ(pic.height, 32);
  const Image over = mask_overlay(a);
  for (int y = 0; y < 32; ++y)
    for (int x = 0; x < 32; ++x)
      for (int c = 0; c < 3; ++c) {
        ASSERT_EQ(pic.at(x, y, c), a.image.at(x, y, c)) << "the image on the left";
        ASSERT_EQ(pic.at(32 + x, y, c), over.at(x, y, c)) << "the overlay on the right";
      }
  // Two objects side by side get different colours in the overlay.
  bool differs = false;
  for (int y = 0; y < 32 && !differs; ++y)
    for (int x = 1; x < 32 && !differs; ++x)
      if (a.instances.at(x, y) != a.instances.at(x - 1, y) && a.instances.at(x, y) && a.instances.at(x - 1, y))
        differs = over.at(x, y, 0) != over.at(x - 1, y, 0) || over.at(x, y, 1) != over.at(x - 1, y, 1) ||
                  over.at(x, y, 2) != over.at(x - 1, y, 2);
  EXPECT_TRUE(differs);
}

TEST(Masks, RefusedForFamiliesWithoutObjects) {
  for (const char* family : {"rcdb", "fractaldb", "spectral_noise", "pc_fractal"}) {
    try {
      spec_from(std::string("generator: ") + family + "\nclasses: 2\nmasks: true\n");
      FAIL() << family;
    } catch (const Error& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find("masks"), std::string::npos) << m;
      EXPECT_NE(m.find("ifs_sigma"), std::string::npos) << "names the families that have them: " << m;
    }
  }
}

GenerateOptions quiet(const fs::path& out, int threads) {
  GenerateOptions o;
  o.output = out;
  o.threads = threads;
  o.progress = ProgressMode::Quiet;
  return o;
}

TEST(Masks, FolderDatasetHasTreesAndCocoTheSameForAnyThreadCount) {
  test::TempDir dir("masks_folder");
  const std::string yaml =
      "generator: ifs_sigma\nclasses: 3\ninstances: 5\nsize: 40\npoints: 2000\nobjects_max: 3\nmasks: true\n";
  const DatasetSpec spec = spec_from(yaml, 1);
  generate_dataset(spec, quiet(dir.path() / "one", 1));
  generate_dataset(spec, quiet(dir.path() / "two", 2));
  const std::string name = spec.generator->sample_name(2, 4);
  for (const char* tree : {"images/", "masks/", "instances/"}) {
    const fs::path a = dir.path() / "one" / (tree + name + ".png"), b = dir.path() / "two" / (tree + name + ".png");
    ASSERT_TRUE(fs::exists(a)) << a;
    EXPECT_EQ(read_file(a), read_file(b)) << tree;
  }
  const fs::path coco = fs::path("annotations") / "instances_train.json";
  ASSERT_TRUE(fs::exists(dir.path() / "one" / coco));
  EXPECT_EQ(read_file(dir.path() / "one" / coco), read_file(dir.path() / "two" / coco));
  const auto j = nlohmann::json::parse(read_text_file(dir.path() / "one" / coco));
  EXPECT_EQ(j["images"].size(), 15u);
  EXPECT_EQ(j["categories"].size(), 3u);
  EXPECT_GE(j["annotations"].size(), 15u);
  // The masks written are the generator's.
  const auto bytes = read_file(dir.path() / "one" / ("instances/" + name + ".png"));
  EXPECT_EQ(decode_label_png(bytes.data(), bytes.size()).values, spec.generator->make(2, 4).instances.values);
}

// coco: false keeps the masks and the split list and leaves the COCO file out, in a folder and in
// shards; the dataset verifies, its card says so, the masks are the same bytes as with COCO; and
// the key is refused, naming it, for a dataset without masks.
TEST(Masks, CocoFalseWritesTheMasksWithoutTheCocoFile) {
  test::TempDir dir("masks_nococo");
  const std::string base =
      "generator: dead_leaves\nclasses: 2\ninstances: 4\nsize: 32\nsigma_min: 2\nsigma_max: 4\nmasks: true\n";
  for (const std::string format : {"folder", "tar"}) {
    const std::string fmt = "output_format: " + format + "\n";
    const fs::path with = dir.path() / (format + "-with"), without = dir.path() / (format + "-without");
    generate_dataset(spec_from(base + fmt, 1), quiet(with, 1));
    generate_dataset(spec_from(base + fmt + "coco: false\n", 1), quiet(without, 1));
    const fs::path coco = fs::path("annotations") / "instances_train.json";
    EXPECT_TRUE(fs::exists(with / coco)) << format;
    EXPECT_FALSE(fs::exists(without / coco)) << format;
    EXPECT_FALSE(fs::exists(without / "annotations")) << format;
    const VerifyReport r = verify_dataset(without);
    EXPECT_TRUE(r.ok()) << format << ": " << r.to_json();
    EXPECT_TRUE(r.complete) << format;
    const std::string card = read_text_file(without / "README.md");
    EXPECT_NE(card.find("COCO file was written (`coco: false`)"), std::string::npos) << card;
    EXPECT_EQ(card.find("pycocotools"), std::string::npos) << "no COCO loading recipe without the file";
    if (format == "folder") {
      EXPECT_TRUE(fs::exists(without / "splits" / "train.txt")) << "mmsegmentation's split list stays";
      const std::string name = spec_from(base, 1).generator->sample_name(1, 3);
      for (const std::string tree : {"images/", "masks/", "instances/"})
        EXPECT_EQ(read_file(with / (tree + name + ".png")), read_file(without / (tree + name + ".png"))) << tree;
    }
  }
  // Every layout refuses it: image folders and shards, and a cloud family's HDF5 files.
  const std::pair<std::string, std::string> refused[] = {
      {"rcdb-folder", "generator: rcdb\nclasses: 2\ninstances: 2\nsize: 32\noutput_format: folder\n"},
      {"rcdb-tar", "generator: rcdb\nclasses: 2\ninstances: 2\nsize: 32\noutput_format: tar\n"},
      {"pc-hdf5",
       "generator: pc_fractal\nclasses: 2\ninstances: 2\npoints: 256\nsearch_points: 2000\ncloud_format: hdf5\n"}};
  for (const auto& [format, yaml] : refused) {
    const fs::path out = dir.path() / format;
    try {
      generate_dataset(spec_from(yaml + "coco: false\n", 1), quiet(out, 1));
      FAIL() << format;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::BadInput);
      EXPECT_NE(std::string(e.what()).find("coco"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(out / "manifest.json"));
  }
}

}  // namespace
}  // namespace fdsl
