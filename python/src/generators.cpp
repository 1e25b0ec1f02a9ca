// generators: the registry (names, summaries, parameter tables) and Sample.
#include <string>

#include <pybind11/stl.h>

#include "convert.h"
#include "fdsl/dataset/spec.h"
#include "fdsl/generators/generator.h"
#include "fdsl/render/polyline.h"
#include "module.h"

namespace fdsl::python {

namespace {

/// fdsl.Sample: a generated sample, its buffers owned by NumPy arrays.
struct PySample {
  std::int64_t category = 0, instance = 0, label = 0;
  py::list labels;
  py::list views;
  py::object image = py::none(), cloud = py::none(), normals = py::none();
  py::object mask = py::none(), instances = py::none();
  py::object point_instances = py::none(), point_classes = py::none(), point_parts = py::none();
  py::object meta;
  std::string name;
  int draw = 0;
  py::list guard_failed;
};

std::string shape_text(const py::object& array) {
  if (array.is_none()) return "None";
  return std::string(py::str(array.attr("shape"))) + " " + std::string(py::str(array.attr("dtype")));
}

py::list param_list(const ParamTable& table) {
  py::list out;
  for (const ParamSpec& p : table) out.append(py::cast(p, py::return_value_policy::reference));
  return out;
}

}  // namespace

py::object sample_to_python(Sample&& s) {
  PySample out;
  out.category = s.category;
  out.instance = s.instance;
  out.label = s.label;
  for (std::int64_t l : s.labels) out.labels.append(l);
  out.draw = s.draw;
  for (const std::string& g : s.guard_failed) out.guard_failed.append(g);
  out.name = std::move(s.name);
  out.meta = s.meta.is_null() ? py::dict() : json_to_python(s.meta);
  if (!s.image.empty()) {
    const Image& img = s.image;
    std::vector<py::ssize_t> shape{img.height, img.width};
    if (img.channels != 1) shape.push_back(img.channels);
    out.image = adopt_vector(std::move(s.image.pixels), std::move(shape));
  }
  if (!s.semantic.empty()) out.mask = adopt_vector(std::move(s.semantic.values), {s.semantic.height, s.semantic.width});
  if (!s.instances.empty())
    out.instances = adopt_vector(std::move(s.instances.values), {s.instances.height, s.instances.width});
  for (Image& v : s.views) {
    std::vector<py::ssize_t> shape{v.height, v.width};
    if (v.channels != 1) shape.push_back(v.channels);
    out.views.append(adopt_vector(std::move(v.pixels), std::move(shape)));
  }
  PointCloud& c = s.cloud;
  const auto n = static_cast<py::ssize_t>(c.size());
  if (!c.empty()) out.cloud = adopt_vector(std::move(c.xyz), {n, 3});
  if (!c.normals.empty()) out.normals = adopt_vector(std::move(c.normals), {n, 3});
  if (!c.instance_ids.empty()) out.point_instances = adopt_vector(std::move(c.instance_ids), {n});
  if (!c.class_ids.empty()) out.point_classes = adopt_vector(std::move(c.class_ids), {n});
  if (!c.part_ids.empty()) out.point_parts = adopt_vector(std::move(c.part_ids), {n});
  return py::cast(std::move(out));
}

void bind_generators(py::module_& m) {
  py::class_<PySample>(m, "Sample",
                       "One generated sample. `image` (HxW or HxWx3 uint8) and `cloud` (Nx3 float32) are NumPy "
                       "arrays over the buffers the generator made: no copy was taken.")
      .def_readonly("category", &PySample::category)
      .def_readonly("instance", &PySample::instance)
      .def_readonly("label", &PySample::label, "the class index")
      .def_readonly("labels", &PySample::labels, "multi-label target (multi-object images); empty otherwise")
      .def_readonly("image", &PySample::image, "HxW (gray) or HxWx3 (RGB) uint8 array; None without an image")
      .def_readonly("mask", &PySample::mask,
                    "with `masks: true`: HxW uint16 class mask (mask category + 1 per pixel, 0 background); None "
                    "otherwise")
      .def_readonly("instances", &PySample::instances,
                    "with `masks: true`: HxW uint16 instance mask (objects 1, 2, ... in drawing order, 0 "
                    "background); None otherwise")
      .def_readonly("views", &PySample::views,
                    "multi-view samples: one HxW or HxWx3 uint8 array per view (their cameras are meta['cameras']); "
                    "empty otherwise")
      .def_readonly("cloud", &PySample::cloud, "Nx3 float32 points; None without a point cloud")
      .def_readonly("normals", &PySample::normals, "Nx3 float32 normals, or None")
      .def_readonly("point_instances", &PySample::point_instances, "N int32 per-point instance ids, or None")
      .def_readonly("point_classes", &PySample::point_classes, "N int32 per-point class ids, or None")
      .def_readonly("point_parts", &PySample::point_parts,
                    "N int32 per-point part ids (part_labels: the IFS map that placed each point), or None")
      .def_readonly("meta", &PySample::meta, "extra per-sample data (cameras, boxes) as a dict")
      .def_readonly("name", &PySample::name, "file name without extension, as `fdsl generate` writes it")
      .def_readonly("draw", &PySample::draw,
                    "generation guards (min_ink, ...): which draw of the sample this is (0: the first)")
      .def_readonly("guard_failed", &PySample::guard_failed,
                    "the guards no draw passed (then this is draw 0); empty otherwise")
      .def("__repr__", [](const PySample& s) {
        return "Sample(category=" + std::to_string(s.category) + ", instance=" + std::to_string(s.instance) +
               ", label=" + std::to_string(s.label) + ", image=" + shape_text(s.image) +
               (s.mask.is_none() ? "" : ", mask=" + shape_text(s.mask)) +
               (s.views.empty() ? "" : ", views=" + std::to_string(s.views.size())) +
               (s.cloud.is_none() ? "" : ", cloud=" + shape_text(s.cloud)) + ", name='" + s.name + "')";
      });

  m.def(
      "_pillow_polygon",
      [](int width, int height, std::vector<double> xs, std::vector<double> ys, int value) {
        if (xs.size() != ys.size()) throw py::value_error("xs and ys differ in length");
        check_image_size(width, height, "_pillow_polygon");
        Image im(width, height, 1, 0);
        fill_polygon_pillow(im, xs.data(), ys.data(), xs.size(), static_cast<std::uint8_t>(value & 255));
        return adopt_vector(std::move(im.pixels), {height, width});
      },
      py::arg("width"), py::arg("height"), py::arg("xs"), py::arg("ys"), py::arg("value") = 255,
      "For tests: fdsl's port of Pillow 9.4's ImageDraw.polygon(fill=value) on a black L image (what "
      "segrcdb's M2 and M3 masks use), as an HxW uint8 array");
  m.def(
      "list_generators",
      [] {
        py::list out;
        for (const GeneratorInfo& g : generator_registry()) {
          py::dict d;
          d["name"] = g.name;
          d["summary"] = g.summary;
          out.append(d);
        }
        return out;
      },
      "Every generator family: a list of {'name', 'summary'} dicts, in registry order.");

  m.def(
      "params",
      [](const py::object& generator) {
        if (generator.is_none()) return param_list(dataset_params());
        return param_list(*find_generator(generator.cast<std::string>()).params);
      },
      py::arg("generator") = py::none(),
      "The declared parameters of a generator family (ParamSpec list), or with no argument the keys every "
      "dataset config has (generator, seed, classes, size, ...). Unknown names raise ValueError.");
}

}  // namespace fdsl::python
