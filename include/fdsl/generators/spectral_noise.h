// Spectral noise (Baradad et al., NeurIPS 2021, "Learning to See by Looking at Noise", the
// "spectrum" image model): random-phase images whose amplitude spectrum is 1 / (|fx|^a + |fy|^b),
// a and b the slope s ~ U(0.5, 3.5) plus and minus a small anisotropy, in colour through a random
// palette's principal axes, or gray.
#pragma once

#include <memory>

#include "fdsl/generators/generator.h"

namespace fdsl {

const ParamTable& spectral_noise_params();
std::unique_ptr<Generator> make_spectral_noise(const Params& params, const GeneratorContext& context);

}  // namespace fdsl
