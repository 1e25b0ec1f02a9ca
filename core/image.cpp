#include "fdsl/core/image.h"

#include "fdsl/core/error.h"

namespace fdsl {

void check_image_size(int width, int height, const std::string& what) {
  if (width < 1 || height < 1 || width > kMaxImageSide || height > kMaxImageSide) {
    throw_bad_input(what + ": image size " + std::to_string(width) + "x" + std::to_string(height) +
                    " is outside the valid range 1.." + std::to_string(kMaxImageSide) +
                    " per side (larger images would not fit in memory)");
  }
}

Image::Image(int w, int h, int c, std::uint8_t fill) : width(w), height(h), channels(c) {
  check_image_size(w, h, "Image");
  if (c != 1 && c != 3) throw_bad_input("Image: channels must be 1 or 3, got " + std::to_string(c));
  pixels.assign(static_cast<std::size_t>(w) * h * c, fill);
}

}  // namespace fdsl
