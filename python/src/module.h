// The binding files, one per library module: each adds its part of `_fdsl`.
#pragma once

#include <pybind11/pybind11.h>

namespace fdsl::python {

void bind_core(pybind11::module_& m);          ///< errors, parameter declarations
void bind_generators(pybind11::module_& m);    ///< the registry, Sample
void bind_dataset(pybind11::module_& m);       ///< Generator: a config resolved and built
void bind_shared_slots(pybind11::module_& m);  ///< SharedSlots: batches handed between processes

}  // namespace fdsl::python
