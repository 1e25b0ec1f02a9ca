// How a dataset is cut into shards: every sample once, a pure function of the config, shuffles
// fixed by the seed, shard_bytes turned into one sample count for every machine.
#include "fdsl/dataset/tar_layout.h"

#include <gtest/gtest.h>

#include <set>

#include "fdsl/core/error.h"

namespace fdsl {
namespace {

DatasetSpec spec_of(const std::string& extra) {
  RawConfig raw = parse_config_text(
      "generator: fractaldb\ncategories: official\nclasses: 3\nsize: 48\npoints: 3000\npatch_draws: 1\nflips: 2\n"
      "output_format: tar\n" +
          extra,
      "test.yaml");
  return make_dataset_spec(raw, SpecOptions{}, ".");
}

std::vector<std::pair<std::int64_t, std::int64_t>> order(const TarLayout& l) {
  std::vector<std::pair<std::int64_t, std::int64_t>> v;
  for (std::int64_t p = 0; p < l.num_samples(); ++p) v.push_back(l.sample_at(p));
  return v;
}

TEST(TarLayout, ShardsHoldEverySampleOnceInClassOrder) {
  const DatasetSpec spec = spec_of("shard_samples: 40\n");
  const TarLayout l(spec, OutputSettings::from_params(spec.params));
  EXPECT_EQ(l.num_samples(), 150);
  EXPECT_EQ(l.num_shards(), 4);
  EXPECT_EQ(l.shard_begin(3), 120);
  EXPECT_EQ(l.shard_end(3), 150);
  EXPECT_EQ(l.shard_name(3), "train-000003.tar");
  EXPECT_EQ(l.sample_at(0), (std::pair<std::int64_t, std::int64_t>{0, 0}));
  EXPECT_EQ(l.sample_at(51), (std::pair<std::int64_t, std::int64_t>{1, 1}));
  EXPECT_FALSE(l.shuffled());
}

TEST(TarLayout, ShuffleIsAFixedPermutationOfTheSeed) {
  const DatasetSpec a = spec_of("shuffle: true\n"), b = spec_of("shuffle: true\nseed: 5\n");
  const TarLayout la(a, OutputSettings::from_params(a.params)), la2(a, OutputSettings::from_params(a.params)),
      lb(b, OutputSettings::from_params(b.params));
  const auto oa = order(la);
  EXPECT_EQ(oa, order(la2));
  EXPECT_NE(oa, order(lb));
  EXPECT_EQ(std::set(oa.begin(), oa.end()).size(), 150u);
  int class_changes = 0;
  for (std::size_t i = 1; i < oa.size(); ++i) class_changes += oa[i].first != oa[i - 1].first;
  EXPECT_GT(class_changes, 60) << "a shuffled order mixes classes";
}

TEST(TarLayout, ShardBytesGiveOneCountForEveryMachine) {
  const DatasetSpec spec = spec_of("shard_bytes: 20000\n");
  const TarLayout l1(spec, OutputSettings::from_params(spec.params)),
      l2(spec, OutputSettings::from_params(spec.params));
  EXPECT_EQ(l1.shard_samples(), l2.shard_samples());
  // 48 px gray PNGs of a few hundred bytes plus a .cls member: 1 KiB + 0.5 KiB of tar per sample.
  EXPECT_GE(l1.shard_samples(), 8);
  EXPECT_LE(l1.shard_samples(), 20);
}

TEST(TarLayout, BadKeysAreRefusedNamingThem) {
  auto error_of = [](const std::string& extra) {
    try {
      const DatasetSpec spec = spec_of(extra);
      TarLayout l(spec, OutputSettings::from_params(spec.params));
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(error_of("shard_prefix: a.b\n").find("shard_prefix"), std::string::npos);
  EXPECT_NE(error_of("shard_samples: 10\nshard_bytes: 100000\n").find("not both"), std::string::npos);
  EXPECT_NE(error_of("shard_samples: 0\n").find("shard_samples"), std::string::npos);
  std::string folder;
  try {
    const DatasetSpec spec = make_dataset_spec(
        parse_config_text("generator: fractaldb\ncategories: official\nclasses: 2\nshuffle: true\n", "f.yaml"),
        SpecOptions{}, ".");
    OutputSettings::from_params(spec.params);
  } catch (const Error& e) {
    folder = e.what();
  }
  EXPECT_NE(folder.find("f.yaml:4"), std::string::npos) << folder;
  EXPECT_NE(folder.find("shuffle"), std::string::npos) << folder;
  EXPECT_NE(folder.find("applies only when output_format is tar"), std::string::npos) << folder;
}

}  // namespace
}  // namespace fdsl
