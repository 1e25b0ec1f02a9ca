// 1p-frac (Nakamura et al., ECCV 2024): one sigma-factor system, each class a perturbation of its
// parameters by factors U(1 - delta, 1 + delta), accepted by the fraction of inked pixels.
#pragma once

#include <memory>

#include "fdsl/generators/generator.h"

namespace fdsl {

const ParamTable& one_frac_params();
std::unique_ptr<Generator> make_one_frac(const Params& params, const GeneratorContext& context);

}  // namespace fdsl
