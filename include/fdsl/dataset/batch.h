// Batches for training loops: many samples' images rendered on the thread pool straight into one
// caller's buffer (a NumPy array, a torch tensor, a shared-memory slot), in the layout models take.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "fdsl/generators/generator.h"

namespace fdsl {

enum class BatchLayout {
  ChannelsLast,   ///< N x H x W x C, as images are stored
  ChannelsFirst,  ///< N x C x H x W, as torch models take them
};

/// The image shape every sample of `gen` has; Error(BadInput) for families without one image per
/// sample (point clouds, several views).
ImageShape batch_image_shape(const Generator& gen);

/// Renders the images of samples `where` ((category, instance) each) into `dst`, N images of
/// gen.image_shape() in `layout` (N * H * W * C bytes), and their labels into `labels` (N), on
/// `threads` threads (0: all cores). Families that draw into a buffer skip a copy per sample;
/// channels first goes through a per-thread image split into planes while it is in cache. The
/// bytes do not depend on the thread count and equal make()'s images.
void render_batch(const Generator& gen, const std::vector<std::pair<std::int64_t, std::int64_t>>& where,
                  BatchLayout layout, std::uint8_t* dst, std::int64_t* labels, int threads);

/// The same, with each sample's class mask and instance mask (gen.masks().on) into `semantic` and
/// `instances` (N * H * W values each, as Sample.semantic / Sample.instances hold them).
/// Error(BadInput) when the family makes no masks (`masks: true` not set, or a family without
/// objects).
void render_batch_with_masks(const Generator& gen, const std::vector<std::pair<std::int64_t, std::int64_t>>& where,
                             BatchLayout layout, std::uint8_t* dst, std::int64_t* labels, std::uint16_t* semantic,
                             std::uint16_t* instances, int threads);

}  // namespace fdsl
