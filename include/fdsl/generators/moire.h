// Moiré (MoireDB, arXiv 2502.01490: interference-fringe images made by formula, used as the mixing
// set of PixMix-style augmentation): the product of two or more gratings, each a line grating
// (parallel stripes at a random angle) or a circle grating (rings about a random centre), of
// random frequency and phase; where their frequencies and angles nearly agree the product shows
// the low-frequency beat fringes of moiré. Gray or in the colours of a random two-colour ramp.
#pragma once

#include <memory>

#include "fdsl/generators/generator.h"

namespace fdsl {

const ParamTable& moire_params();
std::unique_ptr<Generator> make_moire(const Params& params, const GeneratorContext& context);

}  // namespace fdsl
