// core: fdsl::Error as Python exceptions, parameter declarations, JSON <-> Python values.
#include <cmath>
#include <exception>
#include <string>

#include <pybind11/stl.h>

#include "convert.h"
#include "fdsl/core/error.h"
#include "fdsl/core/params.h"
#include "interrupt.h"
#include "module.h"

namespace fdsl::python {

py::object json_to_python(const nlohmann::ordered_json& value) {
  switch (value.type()) {
    case nlohmann::ordered_json::value_t::null:
    case nlohmann::ordered_json::value_t::discarded:
      return py::none();
    case nlohmann::ordered_json::value_t::boolean:
      return py::bool_(value.get<bool>());
    case nlohmann::ordered_json::value_t::number_integer:
      return py::int_(value.get<std::int64_t>());
    case nlohmann::ordered_json::value_t::number_unsigned:
      return py::int_(value.get<std::uint64_t>());
    case nlohmann::ordered_json::value_t::number_float:
      return py::float_(value.get<double>());
    case nlohmann::ordered_json::value_t::string:
      return py::str(value.get_ref<const std::string&>());
    case nlohmann::ordered_json::value_t::binary:
      return py::bytes(std::string(value.get_binary().begin(), value.get_binary().end()));
    case nlohmann::ordered_json::value_t::array: {
      py::list out;
      for (const auto& v : value) out.append(json_to_python(v));
      return out;
    }
    case nlohmann::ordered_json::value_t::object: {
      py::dict out;
      for (auto it = value.begin(); it != value.end(); ++it) out[py::str(it.key())] = json_to_python(it.value());
      return out;
    }
  }
  return py::none();
}

namespace {

/// A Python int as a 64-bit integer; ValueError beyond what a config value can hold.
std::int64_t python_int(const py::handle& value) {
  int overflow = 0;
  const long long v = PyLong_AsLongLongAndOverflow(value.ptr(), &overflow);
  if (overflow != 0)
    throw py::value_error("the integer " + std::string(py::str(value)) +
                          " is out of range for an fdsl value (a 64-bit integer: -2**63 .. 2**63-1)");
  if (v == -1 && PyErr_Occurred()) throw py::error_already_set();
  return v;
}

/// A Python str as UTF-8; ValueError for text that has no UTF-8 form (a lone surrogate).
std::string python_text(const py::handle& value) {
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(value.ptr(), &size);
  if (!data) {
    PyErr_Clear();
    throw py::value_error("the text " + std::string(py::repr(value)) +
                          " is not valid Unicode (a lone surrogate?): fdsl values are UTF-8 text");
  }
  return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace

nlohmann::json python_to_json(const py::handle& value) {
  if (value.is_none()) return nullptr;
  // bool before int: True is an int in Python.
  if (py::isinstance<py::bool_>(value)) return value.cast<bool>();
  if (py::isinstance<py::int_>(value)) return python_int(value);
  if (py::isinstance<py::float_>(value)) return value.cast<double>();
  if (py::isinstance<py::str>(value)) return python_text(value);
  if (py::hasattr(value, "__fspath__")) {
    const py::object path = py::module_::import("os").attr("fspath")(value);
    if (!py::isinstance<py::str>(path)) throw py::type_error("a bytes path cannot be an fdsl value: give it as str");
    return python_text(path);
  }
  if (py::isinstance<py::dict>(value)) {
    nlohmann::json out = nlohmann::json::object();
    for (auto item : value.cast<py::dict>()) {
      if (!py::isinstance<py::str>(item.first))
        throw py::type_error("config keys must be strings, not " + std::string(py::str(py::type::of(item.first))));
      out[python_text(item.first)] = python_to_json(item.second);
    }
    return out;
  }
  if (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value)) {
    nlohmann::json out = nlohmann::json::array();
    for (auto v : value) out.push_back(python_to_json(v));
    return out;
  }
  // NumPy scalars and other numbers: integers through __index__, the rest through __float__.
  if (py::hasattr(value, "__index__")) return python_int(py::reinterpret_borrow<py::object>(value).attr("__index__")());
  if (py::hasattr(value, "__float__"))
    return py::reinterpret_borrow<py::object>(value).attr("__float__")().cast<double>();
  throw py::type_error("cannot use a value of type " + std::string(py::str(py::type::of(value))) +
                       " in an fdsl config (expected str, int, float, bool or None)");
}

py::object param_value_to_python(const ParamValue& value) {
  return std::visit([](const auto& v) -> py::object { return py::cast(v); }, value);
}

namespace {

void translate_error(std::exception_ptr p) {
  try {
    if (p) std::rethrow_exception(p);
  } catch (const Error& e) {
    switch (e.kind()) {
      case ErrorKind::BadInput:
        PyErr_SetString(PyExc_ValueError, e.what());
        return;
      case ErrorKind::OutOfRange:
        PyErr_SetString(PyExc_IndexError, e.what());
        return;
      case ErrorKind::Runtime:
        PyErr_SetString(PyExc_RuntimeError, e.what());
        return;
      case ErrorKind::Interrupted:
        PyErr_SetString(PyExc_KeyboardInterrupt, e.what());
        return;
    }
    PyErr_SetString(PyExc_RuntimeError, e.what());
  }
}

py::object bound(double v) { return std::isfinite(v) ? py::object(py::float_(v)) : py::object(py::none()); }

}  // namespace

namespace {
unsigned long g_main_thread = 0;
}  // namespace

bool on_main_thread() { return PyThread_get_thread_ident() == g_main_thread; }

void bind_core(py::module_& m) {
  py::register_exception_translator(&translate_error);
  g_main_thread = py::module_::import("threading").attr("main_thread")().attr("ident").cast<unsigned long>();

  py::class_<ParamSpec>(m, "ParamSpec",
                        "One declared parameter: the same declaration validates configs and prints `fdsl list`.")
      .def_readonly("name", &ParamSpec::name)
      .def_property_readonly("type", &ParamSpec::type_name, "int, float, bool, string or enum")
      .def_property_readonly("default", [](const ParamSpec& p) { return param_value_to_python(p.default_value); })
      .def_property_readonly(
          "min", [](const ParamSpec& p) { return bound(p.min); }, "lower bound (None: unbounded)")
      .def_property_readonly(
          "max", [](const ParamSpec& p) { return bound(p.max); }, "upper bound (None: unbounded)")
      .def_readonly("min_open", &ParamSpec::min_open, "True: the lower bound itself is not allowed")
      .def_readonly("max_open", &ParamSpec::max_open, "True: the upper bound itself is not allowed")
      .def_readonly("choices", &ParamSpec::choices, "allowed values of an enum")
      .def_readonly("help", &ParamSpec::help)
      .def_property_readonly("range", &ParamSpec::range_text, "the valid values as text, e.g. '[2, 100000000]'")
      .def("__repr__", [](const ParamSpec& p) {
        std::string r = "ParamSpec(" + p.name + ": " + p.type_name() + " = " +
                        std::string(py::repr(param_value_to_python(p.default_value)));
        if (!p.range_text().empty()) r += ", " + p.range_text();
        return r + ")";
      });
}

}  // namespace fdsl::python
