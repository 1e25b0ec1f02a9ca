// segrcdb: SegRCDB (Shinoda et al., ICCV 2023), images of RCDB contour stacks with their
// semantic masks; see generators/segrcdb.cpp.
#pragma once

#include <memory>

#include "fdsl/core/params.h"
#include "fdsl/generators/generator.h"

namespace fdsl {

const ParamTable& segrcdb_params();
std::unique_ptr<Generator> make_segrcdb(const Params& params, const GeneratorContext& context);

}  // namespace fdsl
