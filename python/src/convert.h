// Conversions between fdsl values and Python objects, shared by the binding files.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <nlohmann/json.hpp>

#include "fdsl/core/params.h"
#include "fdsl/generators/generator.h"

namespace fdsl::python {

namespace py = pybind11;

/// Hands a vector's buffer to NumPy without copying: the array's base is a capsule that owns the
/// vector and frees it when the last view of the array goes away.
template <class T>
py::array_t<T> adopt_vector(std::vector<T>&& values, std::vector<py::ssize_t> shape) {
  auto* owner = new std::vector<T>(std::move(values));
  py::capsule base(owner, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>(std::move(shape), owner->data(), base);
}

/// JSON (a sample's meta, a category, a resolved config) as dicts, lists and scalars.
py::object json_to_python(const nlohmann::ordered_json& value);
/// A Python value (dict, list, str, int, float, bool, None, os.PathLike) as JSON; TypeError otherwise.
nlohmann::json python_to_json(const py::handle& value);
/// A declared default or resolved value as a Python scalar.
py::object param_value_to_python(const ParamValue& value);

/// A Sample as fdsl.Sample; its image and cloud buffers move into NumPy arrays without a copy.
py::object sample_to_python(Sample&& sample);

}  // namespace fdsl::python
