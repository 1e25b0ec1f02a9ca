#include "fdsl/dataset/batch.h"

#include <algorithm>

#include "fdsl/core/error.h"
#include "fdsl/core/parallel.h"
#include "fdsl/render/image_ops.h"

namespace fdsl {

ImageShape batch_image_shape(const Generator& gen) {
  const std::optional<ImageShape> shape = gen.image_shape();
  if (!shape) throw_bad_input("batch: family '" + gen.family() + "' makes no single image per sample (use sample())");
  return *shape;
}

void render_batch(const Generator& gen, const std::vector<std::pair<std::int64_t, std::int64_t>>& where,
                  BatchLayout layout, std::uint8_t* dst, std::int64_t* labels, int threads) {
  const ImageShape shape = batch_image_shape(gen);
  const std::int64_t pixels = static_cast<std::int64_t>(shape.height) * shape.width;
  const std::size_t bytes = static_cast<std::size_t>(pixels) * static_cast<std::size_t>(shape.channels);
  const bool split = layout == BatchLayout::ChannelsFirst && shape.channels > 1;
  parallel_for(0, static_cast<std::int64_t>(where.size()), threads, [&](std::int64_t k) {
    const auto [c, i] = where[static_cast<std::size_t>(k)];
    std::uint8_t* slot = dst + static_cast<std::size_t>(k) * bytes;
    if (!split) {
      labels[k] = gen.make_image_into(c, i, slot, shape.width, shape.height, shape.channels);
      return;
    }
    thread_local std::vector<std::uint8_t> interleaved;
    interleaved.resize(bytes);
    labels[k] = gen.make_image_into(c, i, interleaved.data(), shape.width, shape.height, shape.channels);
    interleaved_to_planar(interleaved.data(), pixels, shape.channels, slot);
  });
}

void render_batch_with_masks(const Generator& gen, const std::vector<std::pair<std::int64_t, std::int64_t>>& where,
                             BatchLayout layout, std::uint8_t* dst, std::int64_t* labels, std::uint16_t* semantic,
                             std::uint16_t* instances, int threads) {
  const ImageShape shape = batch_image_shape(gen);
  if (!gen.masks().on)
    throw_bad_input("batch: masks were asked for, but family '" + gen.family() +
                    "' makes none with this config (set masks: true; families with objects: ifs_sigma, dead_leaves, "
                    "segrcdb)");
  const std::int64_t pixels = static_cast<std::int64_t>(shape.height) * shape.width;
  const std::size_t bytes = static_cast<std::size_t>(pixels) * static_cast<std::size_t>(shape.channels);
  const auto area = static_cast<std::size_t>(pixels);
  parallel_for(0, static_cast<std::int64_t>(where.size()), threads, [&](std::int64_t k) {
    const auto [c, i] = where[static_cast<std::size_t>(k)];
    const Sample s = gen.make(c, i);
    if (s.image.pixels.size() != bytes || s.semantic.values.size() != area || s.instances.values.size() != area)
      throw_runtime("batch: sample " + s.name + " does not have the image and masks of the family's shape");
    std::uint8_t* slot = dst + static_cast<std::size_t>(k) * bytes;
    if (layout == BatchLayout::ChannelsFirst && shape.channels > 1)
      interleaved_to_planar(s.image.pixels.data(), pixels, shape.channels, slot);
    else
      std::copy(s.image.pixels.begin(), s.image.pixels.end(), slot);
    labels[k] = s.label;
    std::copy(s.semantic.values.begin(), s.semantic.values.end(), semantic + static_cast<std::size_t>(k) * area);
    std::copy(s.instances.values.begin(), s.instances.values.end(), instances + static_cast<std::size_t>(k) * area);
  });
}

}  // namespace fdsl
