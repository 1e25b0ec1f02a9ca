#include "explorer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <dlfcn.h>

#include "fdsl/core/error.h"
#include "fdsl/dataset/preview.h"
#include "fdsl/io/files.h"
#include "fdsl/io/png.h"
#include "fdsl/render/color.h"
#include "fdsl/render/image_ops.h"
#include "window/window_api.h"

namespace fdsl::cli {

namespace {

namespace fs = std::filesystem;

constexpr const char* kWindow = "fdsl explorer";
constexpr int kView = 256;                // the render size of the explorer
constexpr std::int64_t kMaxClasses = 64;  // categories are prefix-stable: the first 64 of any recipe

/// A generator parameter on a trackbar: position p in [0, steps] <-> value.
struct Knob {
  std::string key;
  const ParamSpec* spec = nullptr;
  double lo = 0, hi = 1;
  int steps = 100;
  int pos = 0;
  bool touched = false;  ///< moved by the user: until then the config's own value stands
  double value() const {
    if (spec->type == ParamType::Enum) return pos;
    const double v = lo + (hi - lo) * pos / steps;
    return spec->type == ParamType::Int ? std::round(v) : v;
  }
  std::string text() const {
    if (spec->type == ParamType::Enum) return spec->choices[static_cast<std::size_t>(pos)];
    char buf[32];
    std::snprintf(buf, sizeof buf, spec->type == ParamType::Int ? "%.0f" : "%.4g", value());
    return buf;
  }
};

/// The main parameters of a family: the ones a user turns to see what they do.
std::vector<Knob> knobs_for(const Params& params) {
  // The keys whose declarations ask for a slider, by rank.
  std::vector<std::pair<int, std::string>> ranked;
  for (const std::string& name : params.order())
    if (params.spec(name).knob > 0) ranked.emplace_back(params.spec(name).knob, name);
  std::sort(ranked.begin(), ranked.end());
  std::vector<Knob> knobs;
  for (const auto& [rank, key] : ranked) {
    Knob k;
    k.key = key;
    k.spec = &params.spec(key);
    if (k.spec->type == ParamType::Enum) {
      k.steps = static_cast<int>(k.spec->choices.size()) - 1;
      const std::string& v = params.get_string(key);
      k.pos = static_cast<int>(std::find(k.spec->choices.begin(), k.spec->choices.end(), v) - k.spec->choices.begin());
    } else if (k.spec->type == ParamType::Int || k.spec->type == ParamType::Float) {
      const double v = params.get_float(key);
      k.lo = std::isfinite(k.spec->min) ? k.spec->min : 0.0;
      k.hi = std::isfinite(k.spec->max) ? k.spec->max : std::max(1.0, 4 * v);
      // A declared slider range: the part of the range that changes the look (points: 1000..400k).
      if (std::isfinite(k.spec->knob_lo)) k.lo = k.spec->knob_lo;
      if (std::isfinite(k.spec->knob_hi)) k.hi = std::max(k.spec->knob_hi, v);
      const double span = k.hi - k.lo;
      if (k.spec->min_open) k.lo += span * 0.01;
      if (k.spec->max_open) k.hi -= span * 0.01;
      k.steps = k.spec->type == ParamType::Int ? static_cast<int>(std::min(400.0, k.hi - k.lo)) : 100;
      k.pos = static_cast<int>(std::lround((std::clamp(v, k.lo, k.hi) - k.lo) / (k.hi - k.lo) * k.steps));
    } else {
      continue;
    }
    knobs.push_back(k);
    if (knobs.size() == 4) break;
  }
  return knobs;
}

std::string override_text(const Knob& k) { return k.key + "=" + k.text(); }

/// The window module (window/window_api.h): beside the command in a build tree, in
/// ../lib/fdsl/ once installed (a wheel too). Kept loaded until the process ends.
const FdslWindowApi& window_module() {
  std::vector<fs::path> tried;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  const fs::path dir = ec ? fs::path(".") : exe.parent_path();
  for (const fs::path& p : {dir / "fdsl-window.so", dir / ".." / "lib" / "fdsl" / "fdsl-window.so"}) {
    if (!fs::exists(p, ec)) {
      tried.push_back(p);
      continue;
    }
    void* handle = ::dlopen(p.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char* e = ::dlerror();
      throw_bad_input("preview --interactive: cannot load its window module " + p.string() + ": " +
                      (e ? e : "unknown error") +
                      " (it needs OpenCV's highgui: on Debian, apt install libopencv-highgui406)");
    }
    const auto api_of = reinterpret_cast<FdslWindowApiFn>(::dlsym(handle, "fdsl_window_api"));
    const FdslWindowApi* api = api_of ? api_of() : nullptr;
    if (!api || api->abi != FDSL_WINDOW_ABI)
      throw_bad_input("preview --interactive: " + p.string() + " is not this fdsl's window module (ABI " +
                      (api ? std::to_string(api->abi) : std::string("none")) + ", want " +
                      std::to_string(FDSL_WINDOW_ABI) + "); reinstall fdsl");
    return *api;
  }
  std::string where;
  for (const fs::path& p : tried) where += (where.empty() ? "" : ", ") + p.lexically_normal().string();
  throw_bad_input("preview --interactive: its window module is not installed (looked for " + where +
                  "); fdsl was built without it, or installed without lib/fdsl/");
}

struct State {
  RawConfig raw;
  SpecOptions base;
  fs::path config_dir;
  std::vector<Knob> knobs;
  DatasetSpec spec;
  std::string error;  // the last rebuild's error, shown in the window

  void rebuild() {
    SpecOptions so = base;
    for (const Knob& k : knobs)
      if (k.touched) so.overrides.push_back(override_text(k));
    try {
      spec = make_dataset_spec(raw, so, config_dir);
      error.clear();
    } catch (const Error& e) {
      error = e.what();
    }
  }
};

}  // namespace

void run_explorer(const ExplorerOptions& o) {
  const char* display = std::getenv("DISPLAY");
  if (!display || !*display)
    throw_bad_input(
        "preview --interactive needs an X display, and DISPLAY is not set (run it on a desktop, "
        "over ssh -X, or under xvfb-run); without one, write a sheet: fdsl preview CONFIG -o sheet.png");
  State st;
  fs::path path(o.config);
  if (fs::is_directory(path)) path /= "fdsl.yaml";
  st.raw = load_config_file(path.string());
  st.config_dir = path.parent_path();
  st.base = o.spec;
  st.base.overrides.push_back("size=" + std::to_string(kView));
  // The dataset stays as configured; the explorer offers its first kMaxClasses categories, and
  // only those are searched or accepted.
  st.base.search_limit = kMaxClasses;
  {
    SpecOptions first_options = o.spec;
    first_options.search_limit = kMaxClasses;
    const DatasetSpec first = make_dataset_spec(st.raw, first_options, st.config_dir);
    st.knobs = knobs_for(first.params);
  }
  st.rebuild();
  if (!st.spec.generator) throw_bad_input(st.error);

  const FdslWindowApi& win = window_module();
  char why[512] = "";
  if (win.open(kWindow, why, sizeof why) != 0)
    throw_runtime(std::string("cannot open a window on display ") + display + ": " + why);
  int category = 0, instance = 0;
  auto max_of = [](std::int64_t n) {
    return static_cast<int>(std::max<std::int64_t>(1, std::min<std::int64_t>(n, 1000) - 1));
  };
  win.add_trackbar("category", max_of(std::min<std::int64_t>(st.spec.generator->num_classes(), kMaxClasses)), 0);
  win.add_trackbar("instance", max_of(st.spec.generator->instances_per_class()), 0);
  for (const Knob& k : st.knobs) win.add_trackbar(k.key.c_str(), std::max(1, k.steps), k.pos);
  int last_category = -1, last_instance = -1;
  bool dirty = true;
  Image view;
  const auto save_dir = fs::path(o.save_dir.empty() ? "." : o.save_dir);
  for (int frame = 0; o.frames == 0 || frame < o.frames; ++frame) {
    // Poll the trackbars: a changed parameter rebuilds the generator, a changed index re-renders.
    category = std::min(
        win.trackbar("category"),
        static_cast<int>(st.spec.generator ? std::min<std::int64_t>(st.spec.generator->num_classes(), kMaxClasses) - 1
                                           : 0));
    instance = std::min(win.trackbar("instance"),
                        static_cast<int>(st.spec.generator ? st.spec.generator->instances_per_class() - 1 : 0));
    bool params_changed = false;
    for (Knob& k : st.knobs) {
      const int p = win.trackbar(k.key.c_str());
      if (p != k.pos) {
        k.pos = p;
        k.touched = true;
        params_changed = true;
      }
    }
    if (params_changed) {
      st.rebuild();
      dirty = true;
    }
    if (dirty || category != last_category || instance != last_instance) {
      const auto t0 = std::chrono::steady_clock::now();
      Image picture(kView, kView, 3, 0);
      if (st.spec.generator && st.error.empty())
        picture = sample_picture(st.spec.generator->make(category, instance), kView);
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      // A pair (image beside its cloud) is two views wide.
      if (picture.height != kView) picture = resize_bilinear(picture, kView, kView);
      view = Image(picture.width, kView + 48, 3, 24);
      for (int y = 0; y < kView; ++y) std::copy(picture.row(y), picture.row(y) + picture.stride(), view.row(y));
      std::string line1 =
          st.spec.generator ? st.spec.generator->describe_category(category) + " #" + std::to_string(instance) : "";
      char timing[32];
      std::snprintf(timing, sizeof timing, "  %.1f ms", ms);
      std::string line2;
      for (const Knob& k : st.knobs)
        line2 += k.key + "=" + (k.touched ? k.text() : st.spec.params.value_text(k.key)) + " ";
      draw_text(view, st.error.empty() ? line1 + timing : st.error, 4, kView + 4, 0.35, view.width - 8);
      draw_text(view, line2, 4, kView + 24, 0.35, view.width - 8);
      win.show(view.pixels.data(), view.width, view.height);
      if (last_category < 0 && o.frames > 0) std::fprintf(stderr, "fdsl: explorer ready\n");
      last_category = category;
      last_instance = instance;
      dirty = false;
    }
    int key = win.wait_key(30) & 0xff;
    if (frame >= 1 && static_cast<std::size_t>(frame - 1) < o.keys.size())
      key = o.keys[static_cast<std::size_t>(frame - 1)];
    if (key == 'q' || key == 27) break;
    if (key == 'n' || key == 'b') {
      const int n = static_cast<int>(
          st.spec.generator ? std::min<std::int64_t>(st.spec.generator->num_classes(), kMaxClasses) : 1);
      win.set_trackbar("category", (category + (key == 'n' ? 1 : n - 1)) % n);
    }
    if (key == 's' && !view.empty()) {
      const fs::path file = save_dir / ("fdsl-" + (st.spec.generator ? st.spec.generator->family() : std::string("x")) +
                                        "-" + std::to_string(category) + "-" + std::to_string(instance) + ".png");
      const Sample sample = st.spec.generator->make(category, instance);
      // The sample's own picture; for a point cloud, its preview.
      const Image& own = first_picture(sample);
      write_file_atomic(file, encode_png(own.empty() ? sample_picture(sample, kView) : own, PngOptions{}));
      std::fprintf(stderr, "fdsl: saved %s\n", file.string().c_str());
    }
    if (key == 'p') {
      // The config as written, the --set overrides, then the knobs: each key once, later wins.
      RawConfig snippet = st.raw;
      for (const std::string& ov : o.spec.overrides) apply_override(snippet, ov);
      for (const Knob& k : st.knobs)
        if (k.touched) apply_override(snippet, override_text(k));
      std::string yaml = "# fdsl explorer: the parameters on screen (category " + std::to_string(category) + ")\n";
      for (const auto& item : snippet.items) yaml += item.key + ": " + item.text + "\n";
      const fs::path file = save_dir / "fdsl-explorer.yaml";
      write_file_atomic(file, yaml);
      std::fprintf(stderr, "fdsl: saved %s\n%s", file.string().c_str(), yaml.c_str());
    }
  }
  win.close();
}

}  // namespace fdsl::cli
