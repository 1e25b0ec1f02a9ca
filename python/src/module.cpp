// `_fdsl`: the compiled half of the fdsl Python package. Bindings only; no algorithm lives here.
#include "module.h"

#include "fdsl/core/version.h"

PYBIND11_MODULE(_fdsl, m) {
  m.doc() = "fdsl bindings: formula-driven datasets generated in memory (see the fdsl package)";
  m.attr("__version__") = fdsl::kVersion;
  fdsl::python::bind_core(m);
  fdsl::python::bind_generators(m);
  fdsl::python::bind_dataset(m);
  fdsl::python::bind_shared_slots(m);
}
