// PC-FractalDB scenes for 3D detection: PC-FractalDB objects placed on a floor (count, size,
// centre, yaw and source drawn per scene), with per-point class and instance ids and oriented
// boxes in VoteNet's convention.
#pragma once

#include <memory>

#include "fdsl/generators/generator.h"

namespace fdsl {

/// The family's parameters (declared once): the object table's keys and the scene's own.
const ParamTable& pc_scenes_params();

std::unique_ptr<Generator> make_pc_scenes(const Params& params, const GeneratorContext& context);

}  // namespace fdsl
