#include "fdsl/dataset/batch.h"

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

}  // namespace fdsl
