// `_fdsl`: the compiled half of the fdsl Python package. Bindings only; no algorithm lives here.
#include "module.h"

#include <string>

#include "fdsl/core/version.h"

namespace {

namespace py = pybind11;

/// pybind11 before 2.12 reads NumPy 2's dtype struct at old offsets: the arrays it makes get
/// stride 0, so every label of a batch would silently be the first one. Refuse to load instead.
void check_numpy_abi() {
#if PYBIND11_VERSION_MAJOR < 2 || (PYBIND11_VERSION_MAJOR == 2 && PYBIND11_VERSION_MINOR < 12)
  std::string version;
  try {
    version = py::str(py::module_::import("numpy").attr("__version__"));
  } catch (const py::error_already_set&) {
    return;  // no NumPy: the array-returning calls fail on their own, loudly
  }
  if (std::stoi(version) >= 2)
    throw py::import_error(
        "fdsl: this _fdsl module was built with pybind11 " PYBIND11_TOSTRING(
            PYBIND11_VERSION_MAJOR) "." PYBIND11_TOSTRING(PYBIND11_VERSION_MINOR) ", which does not support NumPy " +
        version +
        " (found here); `pip install` of the fdsl sources or sdist builds it with pybind11 >= 2.12, or use numpy < 2 "
        "with this build");
#endif
}

}  // namespace

PYBIND11_MODULE(_fdsl, m) {
  check_numpy_abi();
  m.doc() = "fdsl bindings: formula-driven datasets generated in memory (see the fdsl package)";
  m.attr("__version__") = fdsl::kVersion;
  fdsl::python::bind_core(m);
  fdsl::python::bind_generators(m);
  fdsl::python::bind_dataset(m);
  fdsl::python::bind_shared_slots(m);
}
