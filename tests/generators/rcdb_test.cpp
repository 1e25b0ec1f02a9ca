// RCDB: faithful categories in the official ranges, pure samples on white, the official names and
// param/NNNNN.csv form, compat: official categories from the workers' CPython streams, and bad
// input naming its key. (Pixel-for-pixel agreement with a re-statement of the official script is
// tests/python/test_compat_contours.py.)
#include "fdsl/generators/rcdb.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <set>
#include <sstream>
#include <string>

#include "fdsl/core/error.h"
#include "fdsl/core/py_random.h"
#include "fdsl/dataset/spec.h"
#include "test_support.h"

namespace fdsl {
namespace {

DatasetSpec spec_from(const std::string& yaml) {
  test::TempDir dir("rcdb");
  return make_dataset_spec(parse_config_text(yaml, "cfg.yaml"), SpecOptions{}, dir.path());
}

TEST(Rcdb, FaithfulCategoriesLieInTheOfficialRanges) {
  const DatasetSpec spec = spec_from("generator: rcdb\nclasses: 300\nsize: 512\n");
  const Generator& g = *spec.generator;
  EXPECT_EQ(g.family(), "rcdb");
  double mean_q = 0;
  for (std::int64_t c = 0; c < 300; ++c) {
    const auto j = g.category_json(c);
    const auto q = j["vertices"].get<std::int64_t>();
    mean_q += static_cast<double>(q) / 300;
    EXPECT_GE(q, 3);
    EXPECT_LE(q, 200);
    EXPECT_GE(j["orbits"].get<std::int64_t>(), 1);
    EXPECT_LE(j["orbits"].get<std::int64_t>(), 200);
    EXPECT_GE(j["radius"].get<std::int64_t>(), 0);
    EXPECT_LE(j["radius"].get<std::int64_t>(), 100);
    for (const char* k : {"center_x", "center_y"}) {
      EXPECT_GE(j[k].get<double>(), 56.0);
      EXPECT_LE(j[k].get<double>(), 456.0);
    }
  }
  // int(Exp(100)) truncated to [3, 200] has mean about 72.
  EXPECT_GT(mean_q, 55);
  EXPECT_LT(mean_q, 90);
}

TEST(Rcdb, FaithfulSamplesArePureAndWhiteBacked) {
  const std::string yaml = "generator: rcdb\nclasses: 3\ninstances: 4\nsize: 128\ncenter_range: 64\nradius_max: 30\n";
  const DatasetSpec a = spec_from(yaml), b = spec_from(yaml);
  for (std::int64_t i = 0; i < 4; ++i) {
    const Sample s = a.generator->make(1, i);
    EXPECT_EQ(s.image.pixels, b.generator->make(1, i).image.pixels);
    EXPECT_EQ(s.name, "image/00001/00001_000" + std::to_string(i));
    std::size_t white = 0, ink = 0;
    for (auto v : s.image.pixels) (v == 255 ? white : ink) += 1;
    EXPECT_GT(white, 0u) << "instance " << i << ": the canvas is white";
    EXPECT_GT(ink, 50u) << "instance " << i << ": contours are drawn";
  }
  EXPECT_NE(a.generator->make(1, 0).image.pixels, a.generator->make(1, 1).image.pixels);
}

TEST(Rcdb, ParamCsvIsTheOfficialFormOfTheCategoryParameters) {
  const DatasetSpec spec = spec_from("generator: rcdb\nclasses: 3\ninstances: 1\nsize: 512\n");
  const auto files = spec.generator->category_files(all_categories(*spec.generator));
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[2].first, "param/00002.csv");
  const auto j = spec.generator->category_json(2);
  std::istringstream in(files[2].second);
  std::string line;
  const char* keys[] = {"Vertex",      "Perlin_noise", "line_width",  "Center_rad", "Line_num",
                        "Oval_rate_x", "Oval_rate_y",  "start_pos_h", "start_pos_w"};
  const char* json_keys[] = {"vertices", "perlin", "line_width", "radius",  "orbits",
                             "oval_x",   "oval_y", "center_y",   "center_x"};
  for (int k = 0; k < 9; ++k) {
    ASSERT_TRUE(std::getline(in, line));
    ASSERT_FALSE(line.empty());
    ASSERT_EQ(line.back(), '\r') << "csv.writer ends rows with \\r\\n";
    line.pop_back();
    const auto comma = line.find(',');
    EXPECT_EQ(line.substr(0, comma), keys[k]);
    EXPECT_EQ(std::strtod(line.substr(comma + 1).c_str(), nullptr), j[json_keys[k]].get<double>()) << keys[k];
  }
  EXPECT_FALSE(std::getline(in, line));
}

TEST(Rcdb, PythonFloatReprMatchesPython) {
  const test::CommandResult r = test::run_python(
      "import random\nrandom.seed(3)\nvs = [0.0, -0.0, 1.0, 256.0, 373.5, 0.1, 1e-05, 0.0001, 1e16, 1e15, "
      "123456789012345678.0,"
      " 2.5e-300, 1.7976931348623157e308, 5e-324, -7.25, 100.0, 1e22]\n"
      "vs += [random.uniform(0, 4) for _ in range(500)] + [random.uniform(1, 2) for _ in range(500)]\n"
      "vs += [random.uniform(-1, 1) * 10 ** random.randint(-30, 30) for _ in range(2000)]\n"
      "for v in vs: print(v.hex(), repr(v))\n");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::istringstream in(r.output);
  std::string hex, repr;
  int n = 0;
  while (in >> hex >> repr) {
    const double v = std::strtod(hex.c_str(), nullptr);
    ASSERT_EQ(python_float_repr(v), repr) << hex;
    ++n;
  }
  EXPECT_EQ(n, 3017);
}

TEST(Rcdb, CompatCategoriesComeFromTheWorkersStreams) {
  const DatasetSpec spec = spec_from("generator: rcdb\ncompat: official\nclasses: 4\nworkers: 2\ninstances: 2\n");
  for (std::int64_t t = 0; t < 2; ++t) {
    PyRandom r(static_cast<std::uint64_t>(t) + 1);
    std::int64_t q;
    do q = static_cast<std::int64_t>(r.expovariate(1.0 / 100));
    while (!(q > 2 && q <= 200));
    const auto j = spec.generator->category_json(2 * t);
    EXPECT_EQ(j["vertices"].get<std::int64_t>(), q);
    EXPECT_EQ(j["orbits"].get<std::int64_t>(), r.randint(1, 200));
    EXPECT_EQ(j["perlin"].get<double>(), r.uniform(0, 4));
    EXPECT_EQ(j["line_width"].get<double>(), r.uniform(0.0, 0.1));
    EXPECT_EQ(j["radius"].get<std::int64_t>(), r.randint(0, 100));
    EXPECT_EQ(j["oval_x"].get<double>(), r.uniform(1, 2));
    EXPECT_EQ(j["oval_y"].get<double>(), r.uniform(1, 2));
    EXPECT_EQ(j["center_y"].get<double>(), (256 + r.randint(-400, 400)) / 2.0);
    EXPECT_EQ(j["center_x"].get<double>(), (256 + r.randint(-400, 400)) / 2.0);
  }
}

void expect_bad_input(const std::string& extra, const std::string& key) {
  try {
    spec_from("generator: rcdb\nclasses: 4\ninstances: 2\nsize: 64\n" + extra);
    ADD_FAILURE() << "accepted: " << extra;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput) << extra;
    EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << extra << " -> " << e.what();
  }
}

TEST(Rcdb, BadInputNamesItsKey) {
  expect_bad_input("vertices_min: 2\n", "vertices_min");
  expect_bad_input("vertices_min: 150\nvertices_max: 100\n", "vertices_min");
  expect_bad_input("vertices_min: 5000\nvertices_max: 6000\n", "vertices_min");  // Exp(100) never gets there
  expect_bad_input("vertices_mean: 0\n", "vertices_mean");
  expect_bad_input("line_width: -1\n", "line_width");
  expect_bad_input("gray_min: 200\ngray_max: 100\n", "gray_min");
  expect_bad_input("compat: official\nworkers: 3\n", "workers");
  expect_bad_input("compat: official\nworkers: 8\n", "workers");
}

}  // namespace
}  // namespace fdsl
