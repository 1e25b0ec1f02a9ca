// Every shipped recipe config loads, resolves and renders; the published recipes have their
// published sizes.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "fdsl/core/error.h"
#include "fdsl/dataset/spec.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace fdsl;

namespace {

std::vector<fs::path> shipped_configs() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(fdsl::test::source_path("configs")))
    if (e.path().extension() == ".yaml") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST(Configs, EveryShippedConfigLoadsAndRenders) {
  const auto configs = shipped_configs();
  ASSERT_GE(configs.size(), 5u);
  for (const auto& path : configs) {
    SCOPED_TRACE(path.filename().string());
    const RawConfig raw = load_config_file(path.string());
    // Keys, types and ranges as written.
    EXPECT_NO_THROW(resolve_dataset_params(raw));
    // Build the first few categories only (categories are prefix-stable) and render one sample.
    // A compat run splits classes evenly over its workers: one class each then.
    const RawConfig::Item* workers = raw.find("workers");
    // A recipe of one class (the noise families' unlabelled sets) stays one class.
    const RawConfig::Item* given = raw.find("classes");
    const std::int64_t classes = given && given->text == "1" ? 1 : workers ? std::stoll(workers->text) : 2;
    SpecOptions so;
    so.overrides = {"classes=" + std::to_string(classes)};
    // A pool of textures is made before the first sample (10,000 in the textured recipe).
    if (raw.find("texture_pool")) so.overrides.push_back("texture_pool=2");
    const DatasetSpec spec = make_dataset_spec(raw, so, path.parent_path());
    // Scenes mix object categories: the dataset itself has one class (scenes are its instances).
    const bool scenes = raw.find("generator")->text == "pc_scenes";
    ASSERT_EQ(spec.generator->num_classes(), scenes ? 1 : classes);
    const Sample s = spec.generator->make(scenes || classes == 1 ? 0 : 1, spec.generator->instances_per_class() - 1);
    EXPECT_FALSE(s.image.empty() && s.cloud.empty() && s.views.empty());
  }
}

TEST(Configs, PublishedRecipesHaveTheirPublishedSizes) {
  struct Expect {
    std::int64_t classes, instances;
    int size;
  };
  const std::map<std::string, Expect> recipes = {
      {"fractaldb-1k.yaml", {1000, 1000, 362}},
      {"ifs-sigma.yaml", {1000, 100, 224}},
      {"1p-frac.yaml", {1000, 1, 512}},
      {"ofdb-1k.yaml", {1000, 1, 362}},
      {"quickstart.yaml", {20, 100, 256}},
      {"dead-leaves-mixed.yaml", {1, 105000, 128}},
      {"spectrum.yaml", {1, 105000, 128}},
      {"segrcdb.yaml", {1, 20000, 512}},
      {"spectrum-color.yaml", {1, 105000, 128}},
      {"wmm.yaml", {1, 105000, 128}},
      {"spectrum-color-wmm.yaml", {1, 105000, 128}},
  };
  for (const auto& [file, e] : recipes) {
    SCOPED_TRACE(file);
    const DatasetSpec spec = load_dataset_spec(fdsl::test::source_path("configs/" + file).string());
    EXPECT_EQ(spec.generator->num_classes(), e.classes);
    EXPECT_EQ(spec.generator->instances_per_class(), e.instances);
    EXPECT_EQ(spec.params.get_int("size"), e.size);
  }
  // FractalDB-10k searches 10,000 categories: check the resolved recipe without running it.
  const Params p =
      resolve_dataset_params(load_config_file(fdsl::test::source_path("configs/fractaldb-10k.yaml").string()));
  EXPECT_EQ(p.get_int("classes"), 10000);
  EXPECT_EQ(p.get_string("categories"), "search");
  EXPECT_DOUBLE_EQ(p.get_float("fill_threshold"), 0.2);
  EXPECT_DOUBLE_EQ(p.get_float("weight_k"), 0.4);
  EXPECT_EQ(p.get_int("points"), 200000);
  // The textured dead leaves make 10,000 textures first: the resolved recipe only.
  const Params t =
      resolve_dataset_params(load_config_file(fdsl::test::source_path("configs/dead-leaves-textured.yaml").string()));
  EXPECT_EQ(t.get_int("instances"), 105000);
  EXPECT_EQ(t.get_int("size"), 128);
  EXPECT_EQ(t.get_int("texture_pool"), 10000);
  EXPECT_EQ(t.get_string("texture_model"), "spectrum_color_wmm");
}

TEST(Configs, AConfigOfAMillionStrayKeysFailsAtTheFirst) {
  // Every key is checked against the declared tables as it is read: the error names line 2 and
  // comes without the rest of the file being parsed.
  fdsl::test::TempDir dir("configs");
  std::string text = "generator: fractaldb\n";
  text.reserve(16 << 20);
  for (int i = 0; i < 1000000; ++i) text += "stray" + std::to_string(i) + ": 1\n";
  fdsl::test::write_text(dir / "big.yaml", text);
  try {
    load_dataset_spec((dir / "big.yaml").string());
    ADD_FAILURE() << "a config of unknown keys was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    const std::string msg = e.what();
    EXPECT_NE(msg.find("big.yaml:2: unknown key 'stray0'"), std::string::npos) << msg;
  }
}

TEST(Configs, AKeyOfAnotherFamilyIsRefusedByTheGeneratorsTable) {
  // Known to some table (visual_atom's n1_min) but not fractaldb's: resolve_params names it.
  fdsl::test::TempDir dir("configs");
  fdsl::test::write_text(dir / "c.yaml", "generator: fractaldb\nclasses: 2\nn1_min: 3\n");
  try {
    load_dataset_spec((dir / "c.yaml").string());
    ADD_FAILURE() << "accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("c.yaml:3: unknown key 'n1_min'"), std::string::npos) << e.what();
  }
}
