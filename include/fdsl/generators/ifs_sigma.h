// Anderson & Farrell's sigma-factor fractals ("Improving Fractal Pre-training", WACV 2022) with
// their render and augmentation options: graded or binary ink, one random patch per image,
// color, plasma backgrounds, jitter, random windows, flips, blur, multi-instance images.
#pragma once

#include <memory>

#include "fdsl/generators/generator.h"

namespace fdsl {

const ParamTable& ifs_sigma_params();
std::unique_ptr<Generator> make_ifs_sigma(const Params& params, const GeneratorContext& context);

}  // namespace fdsl
