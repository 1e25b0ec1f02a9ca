// How a dataset is cut into WebDataset tar shards: the sample order (class-major, or a fixed
// permutation keyed by the seed) and a fixed number of samples per shard. A pure function of the
// config, so every process of a split run, a resumed run and `fdsl verify --regenerate` cut the
// same shards.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "fdsl/core/permutation.h"
#include "fdsl/dataset/encode.h"
#include "fdsl/dataset/spec.h"

namespace fdsl {

class TarLayout {
 public:
  /// Reads shard_samples, shard_bytes, shard_prefix and shuffle. With shard_bytes the samples per
  /// shard come from the encoded size of 64 samples spread evenly over the dataset (integer
  /// arithmetic: the same count on every machine). Throws Error(BadInput) naming the key.
  TarLayout(const DatasetSpec& spec, const OutputSettings& settings);

  std::int64_t num_samples() const { return num_samples_; }
  std::int64_t shard_samples() const { return shard_samples_; }
  std::int64_t num_shards() const { return num_shards_; }
  bool shuffled() const { return permutation_.has_value(); }
  const std::string& prefix() const { return prefix_; }

  /// (class, instance) of the sample at `position` of the output order.
  std::pair<std::int64_t, std::int64_t> sample_at(std::int64_t position) const;
  /// Positions [begin, end) of shard `shard`.
  std::int64_t shard_begin(std::int64_t shard) const { return shard * shard_samples_; }
  std::int64_t shard_end(std::int64_t shard) const;
  /// "{prefix}-{shard:06d}.tar".
  std::string shard_name(std::int64_t shard) const;

 private:
  std::int64_t instances_ = 1;
  std::int64_t num_samples_ = 0;
  std::int64_t shard_samples_ = 1;
  std::int64_t num_shards_ = 0;
  std::string prefix_;
  std::optional<IndexPermutation> permutation_;
};

}  // namespace fdsl
