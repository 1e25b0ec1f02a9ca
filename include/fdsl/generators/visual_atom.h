// VisualAtom (Takashima et al., CVPR 2023): contours of q vertices pushed outward orbit after orbit
// by Perlin noise and two sine waves of frequencies n1, n2; compat:
// official replays the official script's CPython `random` stream (section 8).
#pragma once

#include <memory>

#include "fdsl/generators/generator.h"

namespace fdsl {

const ParamTable& visual_atom_params();
std::unique_ptr<Generator> make_visual_atom(const Params& params, const GeneratorContext& context);

}  // namespace fdsl
