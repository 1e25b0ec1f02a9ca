// The folder sink's writer threads: a unit is reported only once all its files are in place, the
// queue stays within its bound, and a write error stops the work and is rethrown.
#include "../../dataset/file_writer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <set>

#include "fdsl/core/error.h"
#include "fdsl/io/files.h"
#include "test_support.h"

namespace fdsl::detail {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

TEST(FileWriterPool, ReportsAUnitOnlyWhenAllItsFilesAreInPlace) {
  TempDir dir("fdsl-writer");
  std::mutex m;
  std::set<int> done;
  std::atomic<int> missing{0};
  {
    FileWriterPool pool(3, 1 << 16, false);
    for (int u = 0; u < 40; ++u) {
      FileWriterPool::Unit unit = pool.unit([&, u] {
        for (int f = 0; f < 5; ++f)
          if (!fs::exists(dir.path() / std::to_string(u) / (std::to_string(f) + ".bin"))) ++missing;
        std::lock_guard<std::mutex> lock(m);
        done.insert(u);
      });
      for (int f = 0; f < 5; ++f)
        unit.add(dir.path() / std::to_string(u) / (std::to_string(f) + ".bin"), std::vector<std::uint8_t>(3000, 7));
      unit.close();
    }
    FileWriterPool::Unit empty = pool.unit([&] {
      std::lock_guard<std::mutex> lock(m);
      done.insert(-1);
    });
    empty.close();  // a unit without files is done at once
    pool.finish();
  }
  EXPECT_EQ(done.size(), 41u);
  EXPECT_EQ(missing.load(), 0);
  EXPECT_EQ(read_file(dir.path() / "39" / "4.bin"), std::vector<std::uint8_t>(3000, 7));
  for (const auto& e : fs::recursive_directory_iterator(dir.path()))
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
}

TEST(FileWriterPool, AWriteErrorStopsTheWorkAndIsRethrown) {
  TempDir dir("fdsl-writer");
  test::write_text(dir.path() / "blocker", "a file where a folder should be");
  std::atomic<int> reported{0};
  FileWriterPool pool(2, 1 << 20, false);
  FileWriterPool::Unit bad = pool.unit([&] { ++reported; });
  bad.add(dir.path() / "blocker" / "x.png", std::vector<std::uint8_t>(10, 1));
  bad.close();
  try {
    pool.finish();
    ADD_FAILURE() << "expected the write error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("blocker"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(pool.failed());
  // After an error nothing more is written, and no unit is reported.
  FileWriterPool::Unit later = pool.unit([&] { ++reported; });
  later.add(dir.path() / "later.png", std::vector<std::uint8_t>(10, 1));
  later.close();
  EXPECT_THROW(pool.finish(), Error);
  EXPECT_EQ(reported.load(), 0);
  EXPECT_FALSE(fs::exists(dir.path() / "later.png"));
}

// Writers that wait on the filesystem (every create delayed, as on a network filesystem) while
// files queue up: the pool grows, never past its cap, and every file still lands.
TEST(FileWriterPool, GrowsWhileItsWritersWaitOnTheFilesystem) {
  TempDir dir("fdsl-writer");
  set_file_create_delay_for_bench(5000);
  std::atomic<int> reported{0};
  const auto name = [](int k) {
    std::string n = "f";  // built by append: GCC 12 warns falsely on "f" + std::string
    n += std::to_string(k);
    n += ".png";
    return n;
  };
  {
    FileWriterPool pool(1, 20, false, 3);  // two files queued at most: adds follow the writes
    EXPECT_EQ(pool.writers(), 1);
    FileWriterPool::Unit unit = pool.unit([&] { ++reported; });
    for (int k = 0; k < 60; ++k) unit.add(dir.path() / name(k), std::vector<std::uint8_t>(10, 1));
    unit.close();
    pool.finish();
    EXPECT_GT(pool.writers(), 1);
    EXPECT_LE(pool.writers(), 3);
  }
  set_file_create_delay_for_bench(0);
  EXPECT_EQ(reported.load(), 1);
  for (int k = 0; k < 60; ++k) EXPECT_TRUE(fs::exists(dir.path() / name(k)));
}

}  // namespace
}  // namespace fdsl::detail
