#include "fdsl/dataset/tar_layout.h"

#include <cstdio>

#include "fdsl/core/error.h"
#include "fdsl/core/rng.h"
#include "fdsl/io/tar_writer.h"

namespace fdsl {

TarLayout::TarLayout(const DatasetSpec& spec, const OutputSettings& settings) {
  const Generator& gen = *spec.generator;
  const Params& p = spec.params;
  instances_ = gen.instances_per_class();
  num_samples_ = gen.num_classes() * instances_;
  if (num_samples_ <= 0) throw_bad_input(spec.source + ": the dataset has no samples");
  prefix_ = p.get_string("shard_prefix").empty() ? p.get_string("split") : p.get_string("shard_prefix");
  if (prefix_.empty() || prefix_.find_first_not_of(
                             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != std::string::npos)
    p.fail("shard_prefix", "must be letters, digits, '_' or '-' (it starts every shard name and names the split)");
  if (p.get_bool("shuffle"))
    permutation_.emplace(static_cast<std::uint64_t>(num_samples_),
                         detail::mix64(static_cast<std::uint64_t>(p.get_int("seed")) ^ 0x5348554646ULL));

  const std::int64_t target = p.get_int("shard_bytes");
  if (target <= 0) {
    shard_samples_ = p.get_int("shard_samples");
  } else {
    // Samples per shard from the tar size of a fixed probe: samples spread evenly over the
    // class-major order, whatever the shuffle, so the estimate is a function of the config only.
    const std::int64_t probes = std::min<std::int64_t>(64, num_samples_);
    std::vector<EncodedFile> files;
    std::int64_t probe_bytes = 0;
    for (std::int64_t j = 0; j < probes; ++j) {
      const std::int64_t g = static_cast<std::int64_t>(static_cast<__int128>(j) * num_samples_ / probes);
      encode_sample(gen.make(g / instances_, g % instances_), settings, files);
      for (const EncodedFile& f : files)
        probe_bytes += static_cast<std::int64_t>(TarWriter::member_size(f.bytes.size()));
    }
    const std::int64_t room = target - static_cast<std::int64_t>(TarWriter::kEndSize);
    shard_samples_ = std::max<std::int64_t>(
        1, static_cast<std::int64_t>(static_cast<__int128>(room) * probes / std::max<std::int64_t>(1, probe_bytes)));
  }
  num_shards_ = (num_samples_ + shard_samples_ - 1) / shard_samples_;
  if (num_shards_ > 1000000)
    p.fail(target > 0 ? "shard_bytes" : "shard_samples",
           "makes " + std::to_string(num_shards_) + " shards; names have 6 digits (at most 1,000,000 shards)");
}

std::pair<std::int64_t, std::int64_t> TarLayout::sample_at(std::int64_t position) const {
  const std::int64_t g =
      permutation_ ? static_cast<std::int64_t>((*permutation_)(static_cast<std::uint64_t>(position))) : position;
  return {g / instances_, g % instances_};
}

std::int64_t TarLayout::shard_end(std::int64_t shard) const {
  return std::min(num_samples_, (shard + 1) * shard_samples_);
}

std::string TarLayout::shard_name(std::int64_t shard) const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "-%06lld.tar", static_cast<long long>(shard));
  return prefix_ + buf;
}

}  // namespace fdsl
