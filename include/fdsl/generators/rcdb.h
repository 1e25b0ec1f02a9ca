// RCDB, the radial contour database (Kataoka et al., CVPR 2022): contours of q ~ Exp(100)
// vertices perturbed by Perlin noise, on white; compat: official
// replays the official script's CPython `random` stream (section 8). The categories are also
// written in the official param/NNNNN.csv form.
#pragma once

#include <memory>
#include <string>

#include "fdsl/generators/generator.h"

namespace fdsl {

const ParamTable& rcdb_params();
std::unique_ptr<Generator> make_rcdb(const Params& params, const GeneratorContext& context);

/// A double as Python's repr() writes it (the shortest text that reads back as the same value:
/// "0.1", "256.0", "1e-05", "1.5e+16"), the form of the official param CSVs.
std::string python_float_repr(double value);

}  // namespace fdsl
