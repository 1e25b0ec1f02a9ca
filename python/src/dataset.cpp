// dataset: fdsl.Generator, a config resolved against the declared parameters with its generator
// built; samples by flat index or (category, instance), and batches rendered on the thread pool.
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <pybind11/stl.h>

#include "convert.h"
#include "fdsl/core/buffer_pool.h"
#include "fdsl/core/error.h"
#include "fdsl/core/parallel.h"
#include "fdsl/dataset/batch.h"
#include "fdsl/dataset/memory_plan.h"
#include "fdsl/dataset/spec.h"
#include "fdsl/dataset/stats.h"
#include "interrupt.h"
#include "module.h"

namespace fdsl::python {

namespace {

namespace fs = std::filesystem;

/// Samples above this working memory are made interruptibly (a helper thread per call costs tens
/// of microseconds; such samples take far longer).
constexpr double kInterruptibleSampleBytes = 64e6;

class PyGenerator {
 public:
  PyGenerator(DatasetSpec spec, int threads)
      : spec_(std::make_shared<DatasetSpec>(std::move(spec))), threads_(threads) {}

  /// Builds from a config file or folder (str / os.PathLike) or a dict, then keyword overrides.
  static PyGenerator from_config(const py::object& config, const py::object& threads_arg, const py::kwargs& overrides) {
    const int threads = thread_count(threads_arg);
    RawConfig raw;
    fs::path config_dir;
    if (py::isinstance<py::dict>(config)) {
      raw = config_from_json(python_to_json(config), "config dict");
      config_dir = fs::current_path();
    } else if (py::isinstance<py::str>(config) || py::hasattr(config, "__fspath__")) {
      const std::string path = python_to_json(config).get<std::string>();
      raw = run_interruptible([&] { return load_dataset_config(path, &config_dir); });
    } else {
      throw py::type_error("Generator.from_config: expected a config path or a dict, not " +
                           std::string(py::str(py::type::of(config))));
    }
    for (auto item : overrides) {
      const std::string key = python_to_json(item.first).get<std::string>();
      const std::string where = "keyword argument " + key + "=" + std::string(py::repr(item.second));
      nlohmann::json one = nlohmann::json::object();
      try {
        one[key] = python_to_json(item.second);
      } catch (const py::value_error& e) {
        throw py::value_error(where + ": " + e.what());
      }
      RawConfig kw = config_from_json(one, where);
      raw.put(std::move(kw.items.front()));
    }
    return build(std::move(raw), threads, config_dir);
  }

  static PyGenerator build(RawConfig raw, int threads, const fs::path& config_dir) {
    check_thread_count(threads, "threads");
    SpecOptions options;
    options.threads = threads;
    // Category search and imports can take a while: Ctrl-C stops them.
    PyGenerator g(run_interruptible([&] { return make_dataset_spec(std::move(raw), options, config_dir); }), threads);
    // A generator whose single sample cannot fit in memory is refused before any is made.
    check_memory(plan_memory(g.gen(), 1));
    return g;
  }

  /// threads= as Python gives it: an int in the library's range (0: all cores).
  static int thread_count(const py::object& value) {
    if (!py::isinstance<py::int_>(value) || py::isinstance<py::bool_>(value))
      throw py::type_error("threads must be an int, not " + std::string(py::str(py::type::of(value))));
    int overflow = 0;
    const long long n = PyLong_AsLongLongAndOverflow(value.ptr(), &overflow);
    if (overflow)
      throw_bad_input("threads " + std::string(py::str(value)) + " is out of range; valid: 0 (all cores) or 1.." +
                      std::to_string(kMaxThreads));
    return check_thread_count(n, "threads");
  }

  const Generator& gen() const { return *spec_->generator; }
  std::int64_t size() const { return gen().num_classes() * gen().instances_per_class(); }

  /// An index as Python gives it (int, numpy integer): IndexError beyond any dataset.
  std::int64_t index_value(py::handle value) const {
    const py::object i = py::reinterpret_steal<py::object>(PyNumber_Index(value.ptr()));
    if (!i) throw py::error_already_set();
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(i.ptr(), &overflow);
    if (overflow)
      throw Error(ErrorKind::OutOfRange, "index " + std::string(py::str(i)) + " is out of range for a dataset of " +
                                             std::to_string(size()) + " samples");
    return v;
  }

  /// (category, instance) of a flat index; negative indices count from the end, as in Python.
  std::pair<std::int64_t, std::int64_t> locate(std::int64_t index) const {
    const std::int64_t n = size();
    const std::int64_t i = index < 0 ? index + n : index;
    if (i < 0 || i >= n)
      throw Error(ErrorKind::OutOfRange, "index " + std::to_string(index) + " is out of range for a dataset of " +
                                             std::to_string(n) + " samples (" + std::to_string(gen().num_classes()) +
                                             " classes x " + std::to_string(gen().instances_per_class()) +
                                             " instances)");
    return {i / gen().instances_per_class(), i % gen().instances_per_class()};
  }

  py::object sample(std::int64_t category, std::int64_t instance) const {
    Sample s;
    // A large sample (a huge image, a cloud with normals) can take seconds: Ctrl-C stops it.
    if (gen().sample_memory().bytes > kInterruptibleSampleBytes) {
      s = run_interruptible([&] { return gen().make(category, instance); });
    } else {
      py::gil_scoped_release release;
      s = gen().make(category, instance);
    }
    return sample_to_python(std::move(s));
  }

  /// Renders `indices` into one uint8 array (N, H, W[, C]), or (N, C, H, W) when `channels_first`,
  /// and their labels (N,) int64.
  py::tuple batch(const py::object& index_list, const py::object& threads_arg, const py::object& out_arg,
                  bool channels_first, bool masks) const {
    const int threads = thread_count(threads_arg);
    std::vector<std::int64_t> indices;
    for (py::handle i : py::iter(index_list)) indices.push_back(index_value(i));
    const auto n = static_cast<py::ssize_t>(indices.size());
    std::vector<std::pair<std::int64_t, std::int64_t>> where;
    where.reserve(indices.size());
    for (std::int64_t i : indices) where.push_back(locate(i));
    if (n == 0) throw_bad_input("batch: no indices given");
    check_memory(plan_memory(gen(), threads, static_cast<double>(n) * gen().sample_memory().output_bytes));

    const ImageShape shape = batch_image_shape(gen());
    std::vector<py::ssize_t> dims{n, shape.height, shape.width};
    if (channels_first)
      dims = {n, shape.channels, shape.height, shape.width};
    else if (shape.channels != 1)
      dims.push_back(shape.channels);
    py::array_t<std::uint8_t> images = out_arg.is_none() ? py::array_t<std::uint8_t>(dims) : check_out(out_arg, dims);
    py::array_t<std::int64_t> labels(n);
    std::uint8_t* dst = images.mutable_data();
    std::int64_t* lab = labels.mutable_data();
    if (masks) {
      py::array_t<std::uint16_t> semantic(
          {n, static_cast<py::ssize_t>(shape.height), static_cast<py::ssize_t>(shape.width)});
      py::array_t<std::uint16_t> instances(
          {n, static_cast<py::ssize_t>(shape.height), static_cast<py::ssize_t>(shape.width)});
      std::uint16_t* sem = semantic.mutable_data();
      std::uint16_t* ins = instances.mutable_data();
      run_interruptible([&] {
        render_batch_with_masks(gen(), where, channels_first ? BatchLayout::ChannelsFirst : BatchLayout::ChannelsLast,
                                dst, lab, sem, ins, threads);
      });
      return py::make_tuple(images, labels, semantic, instances);
    }
    run_interruptible([&] {
      render_batch(gen(), where, channels_first ? BatchLayout::ChannelsFirst : BatchLayout::ChannelsLast, dst, lab,
                   threads);
    });
    return py::make_tuple(images, labels);
  }

  /// The resolved config as a dict: every key with its value; enough to rebuild this generator.
  py::object config() const { return json_to_python(spec_->resolved_config()); }

  const DatasetSpec& spec() const { return *spec_; }
  int threads() const { return threads_; }

 private:
  static py::array_t<std::uint8_t> check_out(const py::object& out, const std::vector<py::ssize_t>& shape) {
    auto want = [&] {
      std::string s = "(";
      for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
      return s + ")";
    };
    if (!py::isinstance<py::array>(out)) throw_bad_input("batch: out must be a numpy uint8 array of shape " + want());
    py::array a = out.cast<py::array>();
    bool ok = a.dtype().is(py::dtype::of<std::uint8_t>()) && a.ndim() == static_cast<py::ssize_t>(shape.size()) &&
              (a.flags() & py::array::c_style) && a.writeable();
    for (std::size_t i = 0; ok && i < shape.size(); ++i) ok = a.shape(static_cast<py::ssize_t>(i)) == shape[i];
    if (!ok)
      throw_bad_input("batch: out must be a writeable C-contiguous uint8 array of shape " + want() + ", got " +
                      std::string(py::str(a.attr("dtype"))) + " " + std::string(py::str(a.attr("shape"))));
    return py::reinterpret_borrow<py::array_t<std::uint8_t>>(a);
  }

  std::shared_ptr<DatasetSpec> spec_;
  int threads_ = 0;
};

/// fdsl.BufferPool: the library's pool (core/buffer_pool.h) handing out NumPy arrays; an array's
/// buffer goes back when its last reference dies (the capsule that owns it is its base).
class PyBufferPool {
 public:
  explicit PyBufferPool(int max_free) : pool_(check(max_free)) {}

  py::array_t<std::uint8_t> array(const std::vector<py::ssize_t>& shape) {
    std::size_t bytes = 1;
    for (py::ssize_t d : shape) {
      if (d < 0) throw_bad_input("BufferPool.array: negative dimension " + std::to_string(d));
      bytes *= static_cast<std::size_t>(d);
    }
    std::unique_ptr<BufferPool::Buffer> buffer = pool_.acquire(bytes);
    std::uint8_t* data = buffer->data();
    py::capsule owner(buffer.release(), [](void* p) { delete static_cast<BufferPool::Buffer*>(p); });
    return py::array_t<std::uint8_t>(shape, data, owner);
  }

  const BufferPool& pool() const { return pool_; }

 private:
  static std::size_t check(int max_free) {
    if (max_free < 0) throw_bad_input("BufferPool: max_free must be 0 or more, not " + std::to_string(max_free));
    return static_cast<std::size_t>(max_free);
  }
  BufferPool pool_;
};

/// The flagging thresholds of `fdsl stats` as keyword arguments (the CLI's option names, without
/// the dashes): ValueError naming the key and its range, TypeError for an unknown key.
StatsThresholds stats_thresholds(const py::kwargs& kw) {
  StatsThresholds t;
  struct Key {
    const char* name;
    double* value;
  };
  const Key keys[] = {{"blank_ink", &t.blank_ink},
                      {"full_ink", &t.full_ink},
                      {"flat", &t.flat},
                      {"distinct", &t.distinct},
                      {"static_spread", &t.static_spread}};
  for (auto item : kw) {
    const std::string key = py::str(item.first);
    bool known = false;
    for (const Key& k : keys) {
      if (key != k.name) continue;
      known = true;
      const double v = item.second.cast<double>();
      if (!(v >= 0 && v <= 1))
        throw py::value_error(key + "=" + std::string(py::repr(item.second)) + " is out of range; valid: 0..1");
      *k.value = v;
    }
    if (key == "pairs") {
      known = true;
      if (!py::isinstance<py::int_>(item.second) || py::isinstance<py::bool_>(item.second))
        throw py::type_error("pairs must be an int, not " + std::string(py::str(py::type::of(item.second))));
      const long long v = item.second.cast<long long>();
      if (v < 0 || v > 1000) throw py::value_error("pairs=" + std::to_string(v) + " is out of range; valid: 0..1000");
      t.similar_pairs = static_cast<int>(v);
    }
    if (!known)
      throw py::type_error("unknown keyword argument " + key +
                           "; the thresholds are blank_ink, full_ink, flat, distinct, static_spread (0..1) and pairs "
                           "(0..1000)");
  }
  return t;
}

}  // namespace

void bind_dataset(py::module_& m) {
  m.def(
      "dataset_stats",
      [](const py::object& path, const py::object& threads_arg, const py::kwargs& kw) {
        StatsOptions o;
        o.threads = PyGenerator::thread_count(threads_arg);
        o.thresholds = stats_thresholds(kw);
        const std::string dir = python_to_json(path).get<std::string>();
        return json_to_python(run_interruptible([&] { return dataset_stats(dir, o); }));
      },
      py::arg("path"), py::kw_only(), py::arg("threads") = 0,
      "dataset_stats(path, *, threads=0, **thresholds) -> dict\n\n"
      "What `fdsl stats DIR` writes to stats.json, as a dict: every PNG image and PLY/PCD/NPY/HDF5 cloud of "
      "the dataset folder measured (ink, bounding box, intensity, file size; cloud variance, flatness, "
      "repeated points), per class, with the blank, saturated and degenerate samples by name, the classes that "
      "do not vary and the closest class pairs. thresholds: blank_ink, full_ink, flat, distinct, static_spread "
      "(0..1) and pairs (0..1000), as the CLI's options. The same report for any thread count; Ctrl-C stops it.");
  m.def(
      "stats_text",
      [](const py::object& report) { return stats_text(nlohmann::ordered_json::parse(python_to_json(report).dump())); },
      py::arg("report"),
      "The one-screen summary `fdsl stats` prints, of a report from dataset_stats() or Generator.stats().");

  py::class_<PyBufferPool>(m, "BufferPool",
                           "Reusable uint8 arrays: array(shape) hands out a buffer of a freed array of the same size "
                           "when there is one (its pages already mapped), else a new one. An array returns to the "
                           "pool when its last reference (a torch tensor from from_numpy included) is gone; the pool "
                           "keeps at most max_free buffers.")
      .def(py::init<int>(), py::arg("max_free") = 4)
      .def("array", &PyBufferPool::array, py::arg("shape"),
           "array(shape) -> uninitialized C-contiguous uint8 array of that shape")
      .def(
          "__len__", [](const PyBufferPool& p) { return p.pool().free_count(); }, "buffers waiting to be reused")
      .def_property_readonly(
          "allocated", [](const PyBufferPool& p) { return p.pool().allocated(); }, "buffers allocated so far")
      .def_property_readonly(
          "reused", [](const PyBufferPool& p) { return p.pool().reused(); },
          "arrays served from a freed buffer so far");

  py::class_<PyGenerator>(m, "Generator",
                          "A dataset generated in memory: a config resolved against the declared parameters, with "
                          "its generator built. Sample i is (category, instance) = (i // instances_per_class, "
                          "i % instances_per_class) and holds exactly the pixels `fdsl generate` writes for it.")
      .def_static("from_config", &PyGenerator::from_config, py::arg("config"), py::kw_only(), py::arg("threads") = 0,
                  "from_config(config, *, threads=0, **overrides)\n\n"
                  "config: a YAML or JSON config, a dataset folder, or a dict of parameters; keyword overrides "
                  "(size=64, seed=3, ...) win over it. threads bounds the pool used while building "
                  "(category search); 0: all cores.")
      .def("__len__", &PyGenerator::size)
      .def(
          "__getitem__",
          [](const PyGenerator& g, const py::object& index) {
            const auto [c, i] = g.locate(g.index_value(index));
            return g.sample(c, i);
          },
          py::arg("index"))
      .def(
          "sample",
          [](const PyGenerator& g, const py::object& category, const py::object& instance) {
            return g.sample(g.index_value(category), g.index_value(instance));
          },
          py::arg("category"), py::arg("instance"), "The sample (category, instance); IndexError outside the dataset.")
      .def("batch", &PyGenerator::batch, py::arg("indices"), py::kw_only(), py::arg("threads") = 0,
           py::arg("out") = py::none(), py::arg("channels_first") = false, py::arg("masks") = false,
           "batch(indices, *, threads=0, out=None, channels_first=False, masks=False) -> (images, labels)\n\n"
           "Renders the samples at `indices` into one uint8 array (N, H, W) or (N, H, W, 3), or (N, C, H, W) "
           "with channels_first (as torch models take it), written in place into `out` when given, with "
           "labels (N,) int64. Renders on `threads` threads (0: all cores) with the "
           "GIL released; the result does not depend on the thread count. Inside DataLoader workers use "
           "threads=1. With masks=True (a config with masks: true) it returns (images, labels, masks, instances), "
           "the class and instance masks (N, H, W) uint16 as Sample.mask and Sample.instances hold them.")
      .def(
          "stats",
          [](const PyGenerator& g, std::int64_t samples, const py::object& threads_arg, const py::kwargs& kw) {
            if (samples < 1 || samples > 10000000)
              throw py::value_error("samples=" + std::to_string(samples) + " is out of range; valid: 1..10000000");
            const int threads = PyGenerator::thread_count(threads_arg);
            const StatsThresholds t = stats_thresholds(kw);
            check_memory(plan_memory(g.gen(), threads));
            return json_to_python(run_interruptible(
                [&] { return sample_stats(g.gen(), g.spec().params, "Generator.stats", samples, t, threads); }));
          },
          py::arg("samples") = 1000, py::kw_only(), py::arg("threads") = 0,
          "stats(samples=1000, *, threads=0, **thresholds) -> dict\n\n"
          "What `fdsl stats CONFIG --sample N` writes to stats.json, as a dict: about `samples` samples of the "
          "first classes (at least 8 instances each) rendered in memory and measured as dataset_stats() measures "
          "files, PNG sizes included. Thresholds as in fdsl.dataset_stats(). Ctrl-C stops it.")
      .def_property_readonly("family", [](const PyGenerator& g) { return g.gen().family(); })
      .def_property_readonly(
          "image_shape",
          [](const PyGenerator& g) -> py::object {
            const std::optional<ImageShape> s = g.gen().image_shape();
            if (!s) return py::none();
            if (s->channels == 1) return py::make_tuple(s->height, s->width);
            return py::make_tuple(s->height, s->width, s->channels);
          },
          "the shape of every sample's image, (H, W) or (H, W, C) as sample.image has it; None for families "
          "without one image per sample")
      .def_property_readonly(
          "masks",
          [](const PyGenerator& g) -> py::object {
            const MaskInfo m = g.gen().masks();
            if (!m.on) return py::none();
            py::dict d;
            d["categories"] = m.categories;
            d["objects"] = m.objects;
            d["semantic_bits"] = m.semantic_bits;
            d["instance_bits"] = m.instance_bits;
            return py::object(std::move(d));
          },
          "with `masks: true`: what the masks hold (categories: the names of semantic ids 1, 2, ...; objects; "
          "the PNG depths); None otherwise. sample() gives them as Sample.mask and Sample.instances, "
          "batch(..., masks=True) as arrays (N, H, W)")
      .def_property_readonly("num_classes", [](const PyGenerator& g) { return g.gen().num_classes(); })
      .def_property_readonly("instances_per_class", [](const PyGenerator& g) { return g.gen().instances_per_class(); })
      .def_property_readonly("threads", &PyGenerator::threads, "the thread count it was built with")
      .def_property_readonly("config", &PyGenerator::config, "the resolved config: every declared key with its value")
      .def_property_readonly(
          "yaml", [](const PyGenerator& g) { return g.spec().resolved_yaml(); },
          "the resolved config as YAML that `fdsl generate` accepts")
      .def(
          "locate", [](const PyGenerator& g, const py::object& index) { return g.locate(g.index_value(index)); },
          py::arg("index"), "(category, instance) of a flat index")
      .def(
          "sample_name",
          [](const PyGenerator& g, const py::object& c, const py::object& i) {
            return g.gen().sample_name(g.index_value(c), g.index_value(i));
          },
          py::arg("category"), py::arg("instance"))
      .def(
          "category",
          [](const PyGenerator& g, const py::object& index) {
            const std::int64_t c = g.index_value(index);
            if (c < 0 || c >= g.gen().num_classes())
              throw Error(ErrorKind::OutOfRange, "category " + std::to_string(c) + " is out of range [0, " +
                                                     std::to_string(g.gen().num_classes()) + ")");
            return json_to_python(g.gen().category_json(c));
          },
          py::arg("category"), "the category's parameters (IFS maps, ...) as a dict")
      .def(
          "save_categories",
          [](const PyGenerator& g, const py::object& dir) {
            const std::string path = python_to_json(dir).get<std::string>();
            run_interruptible([&] { g.gen().save_categories(path); });
          },
          py::arg("folder"), "writes categories.json (and categories.csv for IFS families) into `folder`")
      .def("__repr__",
           [](const PyGenerator& g) {
             return "fdsl.Generator(" + g.gen().family() + ": " + std::to_string(g.gen().num_classes()) +
                    " classes x " + std::to_string(g.gen().instances_per_class()) + " instances)";
           })
      .def(py::pickle([](const PyGenerator& g) { return py::make_tuple(g.config(), g.threads()); },
                      [](const py::tuple& state) {
                        if (state.size() != 2) throw_bad_input("fdsl.Generator: bad pickled state");
                        RawConfig raw = config_from_json(python_to_json(state[0]), "pickled fdsl.Generator");
                        return PyGenerator::build(std::move(raw), PyGenerator::thread_count(state[1]),
                                                  fs::current_path());
                      }));
}

}  // namespace fdsl::python
