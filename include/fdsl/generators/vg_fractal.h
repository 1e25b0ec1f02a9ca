// Images and point clouds aligned by construction (FSVGP / VG-FractalDB, MV-FractalDB): the PC-FractalDB
// object clouds of pc_fractal, each seen by one or more cameras. One family covers
//   FSVGP / VG-FractalDB  one view per cloud, saved as a pair (cloud, image, camera JSON, label);
//   MV-FractalDB          a ring of 12 views of the 145 coefficient-scaling instances;
//   ExFractalDB           random viewpoints.
// Every image comes with its camera (intrinsics K, world-to-camera matrix, size), so projecting
// the cloud with it lands on the image's ink.
#pragma once

#include <memory>

#include "fdsl/generators/generator.h"

namespace fdsl {

/// The family's parameters: pc_fractal's object keys (points default 8,192) and the camera,
/// view, shading and layout keys.
const ParamTable& vg_fractal_params();
std::unique_ptr<Generator> make_vg_fractal(const Params& params, const GeneratorContext& context);

}  // namespace fdsl
