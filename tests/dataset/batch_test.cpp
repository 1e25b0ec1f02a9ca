// Batches in the library: every family's declared image shape is its samples' shape, and a
// batch holds make()'s images in either layout for any thread count.
#include "fdsl/dataset/batch.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "fdsl/core/error.h"
#include "fdsl/dataset/spec.h"
#include "test_support.h"

namespace fdsl {
namespace {

namespace fs = std::filesystem;

DatasetSpec spec_of(const std::string& yaml) {
  return make_dataset_spec(parse_config_text(yaml, "cfg.yaml"), SpecOptions{}, fs::temp_directory_path());
}

TEST(Batch, EveryShippedConfigDeclaresTheShapeItsSamplesHave) {
  for (const auto& e : fs::directory_iterator(test::source_path("configs"))) {
    if (e.path().extension() != ".yaml") continue;
    SCOPED_TRACE(e.path().filename().string());
    SpecOptions o;
    o.overrides = {"size=40"};
    o.search_limit = 2;
    RawConfig raw = load_dataset_config(e.path().string());
    // The textured dead leaves make 10,000 textures before the first sample: a few do here.
    if (raw.find("texture_pool")) o.overrides.push_back("texture_pool=2");
    const DatasetSpec spec = make_dataset_spec(raw, o, e.path().parent_path());
    const Sample s = spec.generator->make(0, 0);
    const auto shape = spec.generator->image_shape();
    if (s.image.empty()) {
      EXPECT_FALSE(shape.has_value());
      continue;
    }
    ASSERT_TRUE(shape.has_value());
    EXPECT_EQ(*shape, (ImageShape{s.image.height, s.image.width, s.image.channels}));
  }
}

TEST(Batch, HoldsMakesImagesInEitherLayoutForAnyThreadCount) {
  for (const std::string yaml :
       {"generator: ifs_sigma\nclasses: 3\ninstances: 3\nsize: 24\npoints: 3000\n",
        "generator: fractaldb\ncategories: official\nclasses: 2\ninstances: 5\nsize: 20\npoints: 2000\n",
        "generator: vg_fractal\nclasses: 2\ninstances: 2\npoints: 300\nsize: 16\nshading: height\n",
        "generator: rcdb\nclasses: 2\ninstances: 2\nsize: 24\n",
        "generator: spectral_noise\nclasses: 2\ninstances: 2\nsize: 24\n",
        "generator: dead_leaves\nclasses: 2\ninstances: 2\nsize: 24\nsigma_min: 2\nsigma_max: 4\n"}) {
    SCOPED_TRACE(yaml);
    const DatasetSpec spec = spec_of(yaml);
    const Generator& gen = *spec.generator;
    const ImageShape shape = batch_image_shape(gen);
    const std::vector<std::pair<std::int64_t, std::int64_t>> where = {{1, 1}, {0, 0}, {1, 0}, {0, 1}};
    const std::size_t bytes = static_cast<std::size_t>(shape.height) * shape.width * shape.channels;
    for (int threads : {1, 2}) {
      std::vector<std::uint8_t> last(where.size() * bytes, 0xab), first(where.size() * bytes, 0xcd);
      std::vector<std::int64_t> labels(where.size(), -1), labels2(where.size(), -1);
      render_batch(gen, where, BatchLayout::ChannelsLast, last.data(), labels.data(), threads);
      render_batch(gen, where, BatchLayout::ChannelsFirst, first.data(), labels2.data(), threads);
      for (std::size_t k = 0; k < where.size(); ++k) {
        const Sample s = gen.make(where[k].first, where[k].second);
        EXPECT_EQ(labels[k], s.label);
        EXPECT_EQ(labels2[k], s.label);
        EXPECT_TRUE(std::equal(s.image.pixels.begin(), s.image.pixels.end(), last.begin() + k * bytes));
        const std::size_t plane = static_cast<std::size_t>(shape.height) * shape.width;
        for (std::size_t p = 0; p < plane; ++p)
          for (int c = 0; c < shape.channels; ++c)
            ASSERT_EQ(first[k * bytes + c * plane + p], s.image.pixels[p * shape.channels + c]) << k << " " << p;
      }
    }
  }
}

TEST(Batch, FamiliesWithoutOneImageAreRefused) {
  const DatasetSpec spec = spec_of("generator: pc_fractal\nclasses: 2\ninstances: 2\npoints: 100\n");
  std::vector<std::uint8_t> out(16);
  std::vector<std::int64_t> labels(1);
  EXPECT_THROW(render_batch(*spec.generator, {{0, 0}}, BatchLayout::ChannelsLast, out.data(), labels.data(), 1), Error);
}

}  // namespace
}  // namespace fdsl
