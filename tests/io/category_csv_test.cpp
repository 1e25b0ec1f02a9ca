#include "fdsl/io/category_csv.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "fdsl/core/error.h"
#include "fdsl/io/files.h"
#include "test_support.h"

namespace fdsl {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

const char* const kOfficialDir = "data/fractaldb/csv_rate0.2_category1000";

/// The official file of category `n` (csvK/NNNNN.csv, 25 per subfolder).
fs::path official_file(int n) {
  char name[64];
  std::snprintf(name, sizeof name, "%s/csv%d/%05d.csv", kOfficialDir, n / 25, n);
  return test::source_path(name);
}

bool same_bits(double x, double y) { return std::bit_cast<std::uint64_t>(x) == std::bit_cast<std::uint64_t>(y); }

bool same_system(const Ifs2& x, const Ifs2& y) {
  if (x.maps.size() != y.maps.size() || x.probs.size() != y.probs.size()) return false;
  for (std::size_t i = 0; i < x.maps.size(); ++i) {
    const AffineMap2& p = x.maps[i];
    const AffineMap2& q = y.maps[i];
    if (!same_bits(p.a, q.a) || !same_bits(p.b, q.b) || !same_bits(p.c, q.c) || !same_bits(p.d, q.d) ||
        !same_bits(p.e, q.e) || !same_bits(p.f, q.f) || !same_bits(x.probs[i], y.probs[i])) {
      return false;
    }
  }
  return true;
}

/// Writes `text` as a CSV and expects read_fractaldb_csv to throw BadInput naming the file, the
/// line and `needle`.
void expect_bad_csv(const std::string& text, int line, const std::string& needle) {
  TempDir dir("fdsl-csv");
  fs::path path = dir / "bad_category.csv";
  test::write_text(path, text);
  try {
    read_fractaldb_csv(path);
    ADD_FAILURE() << "expected an error for:\n" << text;
  } catch (const Error& e) {
    std::string message = e.what();
    EXPECT_EQ(e.kind(), ErrorKind::BadInput) << message;
    EXPECT_NE(message.find(path.string() + ":" + std::to_string(line)), std::string::npos) << message;
    EXPECT_NE(message.find(needle), std::string::npos) << message;
  }
}

const std::string kGoodRow =
    "1.724223243171234543e-01,-7.311756060787280020e-01,-2.966728035091932281e-01,"
    "-2.777660563660040438e-01,6.115739281576646480e-01,-2.019335022650967648e-01,"
    "5.000000000000000000e-01\n";

TEST(CategoryCsv, OfficialDirectoryParses) {
  std::vector<Ifs2> systems = read_fractaldb_category_dir(test::source_path(kOfficialDir));
  ASSERT_EQ(systems.size(), 1000u);
  for (std::size_t i = 0; i < systems.size(); ++i) {
    const Ifs2& ifs = systems[i];
    ASSERT_EQ(ifs.maps.size(), ifs.probs.size()) << i;
    EXPECT_GE(ifs.maps.size(), 2u) << i;
    EXPECT_LE(ifs.maps.size(), 8u) << i;
    double sum = 0;
    for (double p : ifs.probs) sum += p;
    EXPECT_NEAR(sum, 1.0, 1e-9) << i;
  }
  // Ordered by number: category 0 starts with the first value of csv0/00000.csv, and the
  // systems of the last subfolder come last.
  EXPECT_TRUE(same_bits(systems[0].maps[0].a, 1.724223243171234543e-01));
  EXPECT_TRUE(same_bits(systems[0].probs[4], 1.868740503886824611e-02));
  for (int n : {0, 24, 25, 500, 999}) {
    EXPECT_TRUE(same_system(systems[n], read_fractaldb_csv(official_file(n)))) << n;
  }
}

TEST(CategoryCsv, OfficialFilesRoundTripByteForByte) {
  // Every official value is written as %.18e; reading then formatting reproduces each file.
  int checked = 0;
  for (int n = 0; n < 1000; n += 7) {
    fs::path path = official_file(n);
    EXPECT_EQ(format_fractaldb_csv(read_fractaldb_csv(path)), read_text_file(path)) << path;
    ++checked;
  }
  EXPECT_GT(checked, 100);
  EXPECT_EQ(format_fractaldb_csv(read_fractaldb_csv(official_file(999))), read_text_file(official_file(999)));
}

TEST(CategoryCsv, FormatRoundTripsEveryDoubleExactly) {
  Ifs2 ifs;
  const double tricky[] = {0.1,
                           -0.0,
                           1.0 / 3.0,
                           std::numeric_limits<double>::min(),
                           std::numeric_limits<double>::denorm_min(),
                           std::numeric_limits<double>::max(),
                           -std::numeric_limits<double>::max(),
                           123456789.123456789,
                           std::nextafter(1.0, 2.0),
                           5e-324 * 3};
  for (std::size_t i = 0; i + 6 <= std::size(tricky); ++i) {
    ifs.maps.push_back({tricky[i], tricky[i + 1], tricky[i + 2], tricky[i + 3], tricky[i + 4], tricky[i + 5]});
    ifs.probs.push_back(0.25);
  }
  std::string text = format_fractaldb_csv(ifs);
  EXPECT_NE(text.find("1.000000000000000056e-01"), std::string::npos) << text;  // 0.1 as NumPy
  EXPECT_NE(text.find("-0.000000000000000000e+00"), std::string::npos) << text;
  TempDir dir("fdsl-csv");
  write_file_atomic(dir / "x.csv", text);
  EXPECT_TRUE(same_system(read_fractaldb_csv(dir / "x.csv"), ifs));
}

TEST(CategoryCsv, FormatRejectsInconsistentSystems) {
  Ifs2 ifs;
  ifs.maps.push_back({});
  EXPECT_THROW(format_fractaldb_csv(ifs), Error);
  ifs.probs.push_back(std::numeric_limits<double>::quiet_NaN());
  EXPECT_THROW(format_fractaldb_csv(ifs), Error);
}

TEST(CategoryCsv, NumPySavetxtOutputParses) {
  TempDir dir("fdsl-csv");
  test::CommandResult result = test::run_python(
      "import sys, numpy as np\n"
      "rng = np.random.default_rng(5)\n"
      "m = rng.uniform(-1, 1, (4, 7)); m[:, 6] = [0.1, 0.2, 0.3, 0.4]\n"
      "np.savetxt(sys.argv[1], m, delimiter=',')\n",
      test::shell_quote((dir / "np.csv").string()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  Ifs2 ifs = read_fractaldb_csv(dir / "np.csv");
  EXPECT_EQ(ifs.maps.size(), 4u);
  EXPECT_EQ(format_fractaldb_csv(ifs), read_text_file(dir / "np.csv"));
}

TEST(CategoryCsv, ToleratesCrlfSpacesAndPlusSigns) {
  TempDir dir("fdsl-csv");
  test::write_text(dir / "win.csv", "0.5, 0, 0,0.5 ,+1,0,0.5\r\n0.5,0,0,0.5,0,1e0,0.5\r\n\r\n");
  Ifs2 ifs = read_fractaldb_csv(dir / "win.csv");
  ASSERT_EQ(ifs.maps.size(), 2u);
  EXPECT_EQ(ifs.maps[0].e, 1.0);
  EXPECT_EQ(ifs.maps[1].f, 1.0);
}

TEST(CategoryCsv, WrongColumnCountThrowsWithFileAndLine) {
  expect_bad_csv(kGoodRow + "1,2,3,4,5,6\n", 2, "found 6");
  expect_bad_csv(kGoodRow + "1,2,3,4,5,6\n", 2, "expected 7");
  expect_bad_csv("1,2,3,4,5,6,7,8\n", 1, "found 8");
  expect_bad_csv(kGoodRow + kGoodRow + "1 2 3 4 5 6 7\n", 3, "found 1");
  expect_bad_csv(kGoodRow + "1,2,3,4,5,6,\n", 2, "column 7");
}

TEST(CategoryCsv, NonNumbersThrowWithFileAndLine) {
  expect_bad_csv(kGoodRow + kGoodRow + "1,2,abc,4,5,6,0.5\n", 3, "'abc'");
  expect_bad_csv("1,2,3,4,5,6,0.5x\n", 1, "not a number");
  expect_bad_csv("1,2,3,4,,6,0.5\n", 1, "column 5");
}

TEST(CategoryCsv, NonFiniteValuesThrowWithFileAndLine) {
  expect_bad_csv("nan,0,0,1,0,0,1\n", 1, "finite");
  expect_bad_csv(kGoodRow + "0,inf,0,1,0,0,1\n", 2, "'inf'");
  expect_bad_csv(kGoodRow + "0,0,-inf,1,0,0,1\n", 2, "finite");
  expect_bad_csv("0,0,0,1,1e999,0,1\n", 1, "finite");
}

TEST(CategoryCsv, EmptyFileAndNegativeProbabilityThrow) {
  expect_bad_csv("", 1, "no rows");
  expect_bad_csv("\n\n", 2, "no rows");
  expect_bad_csv(kGoodRow + "0.5,0,0,0.5,0,0,-0.1\n", 2, "negative");
  TempDir dir("fdsl-csv");
  test::write_text(dir / "zero.csv", "0.5,0,0,0.5,0,0,0\n");
  try {
    read_fractaldb_csv(dir / "zero.csv");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(e.what()).find("zero.csv"), std::string::npos) << e.what();
  }
  try {
    read_fractaldb_csv(dir / "missing.csv");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    EXPECT_NE(std::string(e.what()).find("missing.csv"), std::string::npos) << e.what();
  }
}

TEST(CategoryCsv, FlatDirectoryWriteAndReadBack) {
  std::vector<Ifs2> official = read_fractaldb_category_dir(test::source_path(kOfficialDir));
  std::vector<Ifs2> systems(official.begin(), official.begin() + 12);
  TempDir dir("fdsl-csv");
  write_fractaldb_category_dir(dir / "cats", systems);
  EXPECT_TRUE(fs::exists(dir / "cats/00000.csv"));
  EXPECT_TRUE(fs::exists(dir / "cats/00011.csv"));
  EXPECT_EQ(read_text_file(dir / "cats/00007.csv"), read_text_file(official_file(7)));
  std::vector<Ifs2> back = read_fractaldb_category_dir(dir / "cats");
  ASSERT_EQ(back.size(), systems.size());
  for (std::size_t i = 0; i < back.size(); ++i) EXPECT_TRUE(same_system(back[i], systems[i])) << i;
  // Files that are not category CSVs are ignored.
  test::write_text(dir / "cats/README.txt", "notes");
  EXPECT_EQ(read_fractaldb_category_dir(dir / "cats").size(), 12u);
}

TEST(CategoryCsv, DirectoryErrorsNameTheProblem) {
  TempDir dir("fdsl-csv");
  auto expect_bad_dir = [](const fs::path& path, const std::string& needle) {
    try {
      read_fractaldb_category_dir(path);
      ADD_FAILURE() << "expected an error for " << path;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::BadInput) << e.what();
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expect_bad_dir(dir / "missing", "does not exist");
  fs::create_directories(dir / "empty");
  expect_bad_dir(dir / "empty", "no CSV");

  Ifs2 ifs;
  ifs.maps.push_back({0.5, 0, 0, 0.5, 0, 0});
  ifs.probs.push_back(1.0);
  write_fractaldb_category_dir(dir / "gap", {ifs, ifs, ifs, ifs});
  fs::remove(dir / "gap/00002.csv");
  expect_bad_dir(dir / "gap", "00002.csv is missing");

  write_fractaldb_category_dir(dir / "nozero", {ifs, ifs});
  fs::remove(dir / "nozero/00000.csv");
  expect_bad_dir(dir / "nozero", "00000.csv is missing");

  // The official layout: csvK subfolders; the same number twice is an error.
  write_fractaldb_category_dir(dir / "layout/csv0", {ifs, ifs});
  write_fractaldb_category_dir(dir / "layout/csv1", {ifs});
  expect_bad_dir(dir / "layout", "appears twice");

  // A bad file inside names that file and its line.
  write_fractaldb_category_dir(dir / "badfile", {ifs, ifs});
  test::write_text(dir / "badfile/00001.csv", "0.5,0,0,0.5,0,0\n");
  expect_bad_dir(dir / "badfile", "00001.csv:1");
}

TEST(CategoryCsv, OfficialLayoutInSubfolders) {
  Ifs2 ifs;
  ifs.maps.push_back({0.5, 0, 0, 0.5, 0, 0});
  ifs.probs.push_back(1.0);
  TempDir dir("fdsl-csv");
  // csv0 holds 00000-00001, csv1 holds 00002: numbers decide the order, not the folders.
  Ifs2 second = ifs;
  second.maps[0].e = 2;
  write_fractaldb_category_dir(dir / "tmp", {ifs, ifs, second});
  fs::create_directories(dir / "cats/csv0");
  fs::create_directories(dir / "cats/csv1");
  fs::rename(dir / "tmp/00000.csv", dir / "cats/csv0/00000.csv");
  fs::rename(dir / "tmp/00001.csv", dir / "cats/csv0/00001.csv");
  fs::rename(dir / "tmp/00002.csv", dir / "cats/csv1/00002.csv");
  std::vector<Ifs2> systems = read_fractaldb_category_dir(dir / "cats");
  ASSERT_EQ(systems.size(), 3u);
  EXPECT_EQ(systems[2].maps[0].e, 2.0);
}

}  // namespace
}  // namespace fdsl
