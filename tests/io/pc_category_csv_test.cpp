// PC-FractalDB category files: exact round trips through the 13-column CSV, the official folder
// layout and the one-table form; every bad file an error naming its file and line.
#include "fdsl/io/pc_category_csv.h"

#include <gtest/gtest.h>

#include <bit>
#include <filesystem>

#include "fdsl/core/error.h"
#include "fdsl/core/rng.h"
#include "test_support.h"

namespace fdsl {
namespace {

namespace fs = std::filesystem;
using test::TempDir;
using test::write_text;

Ifs3 random_system(std::uint64_t key, int maps) {
  Rng rng(key);
  Ifs3 ifs;
  double total = 0;
  for (int i = 0; i < maps; ++i) {
    AffineMap3 m;
    for (double& v : m.m) v = rng.uniform(-1, 1);
    ifs.maps.push_back(m);
    ifs.probs.push_back(std::fabs(m.det()));
    total += ifs.probs.back();
  }
  for (double& p : ifs.probs) p /= total;
  return ifs;
}

bool same_bits(const Ifs3& a, const Ifs3& b) {
  if (a.maps.size() != b.maps.size() || a.probs.size() != b.probs.size()) return false;
  for (std::size_t i = 0; i < a.maps.size(); ++i) {
    for (int q = 0; q < 12; ++q)
      if (std::bit_cast<std::uint64_t>(a.maps[i].m[q]) != std::bit_cast<std::uint64_t>(b.maps[i].m[q])) return false;
    if (std::bit_cast<std::uint64_t>(a.probs[i]) != std::bit_cast<std::uint64_t>(b.probs[i])) return false;
  }
  return true;
}

/// Expects reading `text` as a category file to fail naming the file, `line` and `needle`.
void expect_bad(const std::string& text, int line, const std::string& needle) {
  TempDir dir("fdsl-pccsv");
  const fs::path path = dir / "000000.csv";
  write_text(path, text);
  try {
    read_pc_fractal_csv(path);
    ADD_FAILURE() << "no error for:\n" << text;
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(m.find(path.string() + ":" + std::to_string(line)), std::string::npos) << m;
    EXPECT_NE(m.find(needle), std::string::npos) << m;
  }
}

const std::string kRow = "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0,-1.0,0.5,0.25\n";

TEST(PcCategoryCsv, RoundTripsEveryBitAsNumpySavetxtWritesIt) {
  TempDir dir("fdsl-pccsv");
  const Ifs3 ifs = random_system(1, 5);
  const std::string text = format_pc_fractal_csv(ifs);
  // %.18e, 13 values per row, one row per map.
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 5);
  EXPECT_EQ(std::count(text.begin(), text.begin() + static_cast<long>(text.find('\n')), ','), 12);
  EXPECT_NE(text.find("e-"), std::string::npos);
  write_text(dir / "000000.csv", text);
  EXPECT_TRUE(same_bits(read_pc_fractal_csv(dir / "000000.csv"), ifs));
}

TEST(PcCategoryCsv, ReadsTheOfficialFolderLayoutInNumberOrder) {
  TempDir dir("fdsl-pccsv");
  std::vector<Ifs3> systems;
  for (int c = 0; c < 12; ++c) systems.push_back(random_system(100 + c, 2 + c % 6));
  write_pc_fractal_category_dir(dir / "3DIFS_param", systems);
  EXPECT_TRUE(fs::exists(dir / "3DIFS_param/000000.csv"));
  EXPECT_TRUE(fs::exists(dir / "3DIFS_param/000011.csv"));
  const auto back = read_pc_categories(dir / "3DIFS_param");
  ASSERT_EQ(back.size(), systems.size());
  for (std::size_t c = 0; c < systems.size(); ++c) EXPECT_TRUE(same_bits(back[c], systems[c])) << c;
}

TEST(PcCategoryCsv, TableRoundTripsAndNamesBadLines) {
  TempDir dir("fdsl-pccsv");
  std::vector<Ifs3> systems = {random_system(7, 3), random_system(8, 2)};
  write_text(dir / "categories.csv", format_pc_category_table(systems));
  const auto back = read_pc_categories(dir / "categories.csv");
  ASSERT_EQ(back.size(), 2u);
  EXPECT_TRUE(same_bits(back[0], systems[0]));
  EXPECT_TRUE(same_bits(back[1], systems[1]));

  write_text(dir / "bad.csv", "category,a,b,c,d,e,f,g,h,i,j,k,l,p\n0," + kRow + "2," + kRow);
  try {
    read_pc_category_table(dir / "bad.csv");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.csv:3: category 2 out of order"), std::string::npos) << e.what();
  }
  write_text(dir / "bad2.csv", "category,a,b,c,d,e,f,p\n0,1,2,3,4,5,6,1\n");
  EXPECT_THROW(read_pc_category_table(dir / "bad2.csv"), Error);
}

TEST(PcCategoryCsv, WrongColumnCountNamesFileLineAndTheExpectedColumns) {
  expect_bad(kRow + "0.1,0.2,0.3\n", 2, "found 3 comma-separated values, expected 13");
  expect_bad("0.1,0.2,0.3,0.4,0.5,0.6,1.0\n", 1, "2D FractalDB");
  expect_bad(kRow + "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0,-1.0,0.5,0.25,9\n", 2, "found 14");
}

TEST(PcCategoryCsv, NonNumbersAndNonFiniteValuesAreErrors) {
  expect_bad("0.1,x,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0,-1.0,0.5,0.25\n", 1, "column 2 (b) is 'x', which is not a number");
  expect_bad(kRow + "0.1,0.2,nan,0.4,0.5,0.6,0.7,0.8,0.9,1.0,-1.0,0.5,0.25\n", 2, "column 3 (c)");
  expect_bad("0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0,-1.0,inf,0.25\n", 1, "finite");
  expect_bad("0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1e999,-1.0,0.5,0.25\n", 1, "column 10 (j)");
  expect_bad("0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0,-1.0,0.5,,\n", 1, "found 14");
}

TEST(PcCategoryCsv, ProbabilitiesMustBeNonNegativeAndNotAllZero) {
  expect_bad(kRow + "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0,-1.0,0.5,-0.25\n", 2, "negative");
  TempDir dir("fdsl-pccsv");
  write_text(dir / "z.csv", "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0,-1.0,0.5,0\n");
  EXPECT_THROW(read_pc_fractal_csv(dir / "z.csv"), Error);
  write_text(dir / "empty.csv", "\n\n");
  EXPECT_THROW(read_pc_fractal_csv(dir / "empty.csv"), Error);
}

TEST(PcCategoryCsv, FolderGapsAndRepeatsAreNamed) {
  TempDir dir("fdsl-pccsv");
  write_text(dir / "a/000000.csv", kRow);
  write_text(dir / "a/000002.csv", kRow);
  try {
    read_pc_fractal_category_dir(dir / "a");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("000001.csv is missing"), std::string::npos) << e.what();
  }
  write_text(dir / "b/0.csv", kRow);
  write_text(dir / "b/000000.csv", kRow);
  EXPECT_THROW(read_pc_fractal_category_dir(dir / "b"), Error);
  fs::create_directories(dir / "c");
  EXPECT_THROW(read_pc_fractal_category_dir(dir / "c"), Error);
  EXPECT_THROW(read_pc_categories(dir / "nowhere"), Error);
}

TEST(PcCategoryCsv, FormattingRefusesNonFiniteValues) {
  Ifs3 ifs = random_system(3, 2);
  ifs.maps[1].m[4] = std::numeric_limits<double>::infinity();
  EXPECT_THROW(format_pc_fractal_csv(ifs), Error);
  ifs = random_system(3, 2);
  ifs.probs.pop_back();
  EXPECT_THROW(format_pc_fractal_csv(ifs), Error);
}

}  // namespace
}  // namespace fdsl
