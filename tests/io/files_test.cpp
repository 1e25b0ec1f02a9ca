#include "fdsl/io/files.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <filesystem>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "fdsl/core/error.h"
#include "test_support.h"

namespace fdsl {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

/// Names in a folder (not recursive), sorted.
std::vector<std::string> list_names(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

/// Expects `body` to throw fdsl::Error of `kind` whose message contains `needle`.
template <class F>
void expect_error(F&& body, ErrorKind kind, const std::string& needle) {
  try {
    body();
    ADD_FAILURE() << "expected an fdsl::Error mentioning " << needle;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

/// True if a file can be created in `dir` (false for a read-only folder unless we are root).
bool can_create_in(const fs::path& dir) {
  fs::path probe = dir / "probe";
  int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (fd < 0) return false;
  ::close(fd);
  ::unlink(probe.c_str());
  return true;
}

TEST(Files, WriteFileAtomicCreatesParentsAndWritesTheBytes) {
  TempDir dir("fdsl-files");
  fs::path path = dir / "a/b/c/out.bin";
  std::vector<std::uint8_t> data(100000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 7);
  write_file_atomic(path, data);
  EXPECT_EQ(read_file(path), data);
  EXPECT_EQ(list_names(path.parent_path()), std::vector<std::string>{"out.bin"});
}

TEST(Files, WriteFileAtomicReplacesContentAndLeavesNoTempFile) {
  TempDir dir("fdsl-files");
  fs::path path = dir / "file.txt";
  write_file_atomic(path, std::string_view("first version, longer than the second"));
  write_file_atomic(path, std::string_view("second"), /*sync=*/true);
  EXPECT_EQ(read_text_file(path), "second");
  write_file_atomic(path, std::string_view(""));
  EXPECT_EQ(read_text_file(path), "");
  EXPECT_EQ(list_names(dir.path()), std::vector<std::string>{"file.txt"});
}

TEST(Files, WriteFileAtomicWithRelativePathAndSync) {
  TempDir dir("fdsl-files");
  fs::path old_cwd = fs::current_path();
  fs::current_path(dir.path());
  write_file_atomic("relative.txt", std::string_view("hello"), /*sync=*/true);
  fs::current_path(old_cwd);
  EXPECT_EQ(read_text_file(dir / "relative.txt"), "hello");
}

TEST(Files, ConcurrentWritersLeaveOneCompleteVersion) {
  TempDir dir("fdsl-files");
  fs::path path = dir / "shared.bin";
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::uint8_t> data(50000, static_cast<std::uint8_t>(t + 1));
      for (int i = 0; i < 20; ++i) write_file_atomic(path, data);
    });
  }
  for (auto& t : threads) t.join();
  std::vector<std::uint8_t> result = read_file(path);
  ASSERT_EQ(result.size(), 50000u);
  EXPECT_EQ(std::count(result.begin(), result.end(), result[0]), 50000);
  EXPECT_EQ(list_names(dir.path()), std::vector<std::string>{"shared.bin"});
}

TEST(Files, WriteIntoReadOnlyDirectoryThrowsRuntimeAndLeavesNothing) {
  TempDir dir("fdsl-files");
  fs::path readonly = dir / "readonly";
  fs::create_directories(readonly);
  fs::permissions(readonly, fs::perms::owner_read | fs::perms::owner_exec);
  fs::path target;
  fs::path watched;  // the folder that must stay empty
  if (!can_create_in(readonly)) {
    target = readonly / "out.png";
    watched = readonly;
  } else if (fs::is_directory("/sys") && !can_create_in("/sys")) {
    // Root ignores permission bits; sysfs refuses new files even to root.
    target = "/sys/fdsl-write-test.png";
  } else {
    GTEST_SKIP() << "no folder refuses writes here (root and no read-only /sys)";
  }
  expect_error([&] { write_file_atomic(target, std::string_view("data")); }, ErrorKind::Runtime, target.string());
  EXPECT_FALSE(fs::exists(target));
  if (!watched.empty()) {
    EXPECT_TRUE(list_names(watched).empty());
  }
  fs::permissions(readonly, fs::perms::owner_all);
}

TEST(Files, WriteUnderARegularFileThrowsRuntimeNamingThePath) {
  // A parent that is a regular file fails for root too (ENOTDIR).
  TempDir dir("fdsl-files");
  test::write_text(dir / "plain", "x");
  fs::path target = dir / "plain/sub/out.png";
  expect_error([&] { write_file_atomic(target, std::string_view("data")); }, ErrorKind::Runtime, target.string());
  EXPECT_EQ(list_names(dir.path()), std::vector<std::string>{"plain"});
}

TEST(Files, FailedRenameRemovesTheTemporaryFile) {
  // The temporary file is written, then rename onto a non-empty folder fails: the error path
  // after a complete write must still clean up.
  TempDir dir("fdsl-files");
  fs::path target = dir / "occupied";
  test::write_text(target / "inside.txt", "keep");
  expect_error([&] { write_file_atomic(target, std::string_view("data")); }, ErrorKind::Runtime, target.string());
  EXPECT_EQ(list_names(dir.path()), std::vector<std::string>{"occupied"});
  EXPECT_EQ(test::read_text(target / "inside.txt"), "keep");
}

TEST(Files, WriteFailureReportsTheOsError) {
  TempDir dir("fdsl-files");
  fs::path target = dir / "occupied";
  fs::create_directories(target / "x");
  try {
    write_file_atomic(target, std::string_view("data"));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    // rename(2) onto a non-empty folder: EISDIR (Linux) or ENOTEMPTY/EEXIST.
    std::string message = e.what();
    bool names_os_error = message.find(std::generic_category().message(EISDIR)) != std::string::npos ||
                          message.find(std::generic_category().message(ENOTEMPTY)) != std::string::npos ||
                          message.find(std::generic_category().message(EEXIST)) != std::string::npos;
    EXPECT_TRUE(names_os_error) << message;
  }
}

TEST(Files, ReadFileRoundTripAndErrors) {
  TempDir dir("fdsl-files");
  write_file_atomic(dir / "data.bin", bytes_of(std::string("a\0b\nc", 5)));
  EXPECT_EQ(read_file(dir / "data.bin"), bytes_of(std::string("a\0b\nc", 5)));
  EXPECT_EQ(read_text_file(dir / "data.bin"), std::string("a\0b\nc", 5));
  expect_error([&] { read_file(dir / "missing.bin"); }, ErrorKind::BadInput, "missing.bin");
  expect_error([&] { read_text_file(dir / "missing.txt"); }, ErrorKind::BadInput, "missing.txt");
  expect_error([&] { read_file(dir.path()); }, ErrorKind::BadInput, dir.path().string());
  // Files whose size stat() does not know (procfs) are read to the end.
  EXPECT_FALSE(read_text_file("/proc/self/status").empty());
}

TEST(Files, Crc32MatchesPythonZlib) {
  EXPECT_EQ(crc32(bytes_of("123456789")), 0xcbf43926u);  // the standard check value
  EXPECT_EQ(crc32({}), 0u);
  std::vector<std::uint8_t> data(5000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>((i * 131) ^ (i >> 3));
  TempDir dir("fdsl-files");
  write_file_atomic(dir / "data.bin", data);
  test::CommandResult result = test::run_python(
      "import sys, zlib\n"
      "d = open(sys.argv[1], 'rb').read()\n"
      "print('%08x %08x %08x' % (zlib.crc32(d), zlib.crc32(d[:1234]), zlib.crc32(b'hello "
      "world')))\n",
      test::shell_quote((dir / "data.bin").string()));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  std::span<const std::uint8_t> all(data);
  std::uint32_t whole = crc32(all);
  // Continuing a CRC over the rest gives the CRC of the whole.
  EXPECT_EQ(crc32(all.subspan(1234), crc32(all.first(1234))), whole);
  std::string expected =
      crc32_hex(whole) + " " + crc32_hex(crc32(all.first(1234))) + " " + crc32_hex(crc32(bytes_of("hello world")));
  EXPECT_EQ(result.output, expected + "\n");
}

TEST(Files, Crc32HexIsEightLowercaseDigits) {
  EXPECT_EQ(crc32_hex(0), "00000000");
  EXPECT_EQ(crc32_hex(0xcbf43926u), "cbf43926");
  EXPECT_EQ(crc32_hex(0xABCu), "00000abc");
  EXPECT_EQ(crc32_hex(0xffffffffu), "ffffffff");
}

TEST(Files, EnsureWritableDirCreatesAndChecks) {
  TempDir dir("fdsl-files");
  ensure_writable_dir(dir / "new/nested");
  EXPECT_TRUE(fs::is_directory(dir / "new/nested"));
  EXPECT_TRUE(list_names(dir / "new/nested").empty()) << "the probe file must be removed";
  test::write_text(dir / "plain", "x");
  expect_error([&] { ensure_writable_dir(dir / "plain/out"); }, ErrorKind::BadInput,
               "output directory " + (dir / "plain/out").string() + " is not writable");
  expect_error([&] { ensure_writable_dir(dir / "plain"); }, ErrorKind::BadInput, "is not writable");

  fs::path readonly = dir / "readonly";
  fs::create_directories(readonly);
  fs::permissions(readonly, fs::perms::owner_read | fs::perms::owner_exec);
  if (!can_create_in(readonly)) {
    expect_error([&] { ensure_writable_dir(readonly); }, ErrorKind::BadInput, "is not writable");
  } else if (fs::is_directory("/sys") && !can_create_in("/sys")) {
    expect_error([&] { ensure_writable_dir("/sys"); }, ErrorKind::BadInput, "output directory /sys is not writable");
  }
  fs::permissions(readonly, fs::perms::owner_all);
}

TEST(Files, RemoveTemporaryFilesRemovesOnlyLeftovers) {
  TempDir dir("fdsl-files");
  const std::vector<std::string> leftovers = {".img.png.tmp-123-0", "sub/.x.csv.tmp-9-17", "sub/deeper/.a.tmp-1-2"};
  const std::vector<std::string> keep = {"img.png", ".notes.tmp-old", "a.tmp-1-2",
                                         ".hidden", "sub/.y.tmp-12-", "sub/deeper/.tmp-1-2x"};
  for (const auto& name : leftovers) test::write_text(dir / name, "x");
  for (const auto& name : keep) test::write_text(dir / name, "x");
  EXPECT_EQ(remove_temporary_files(dir.path()), leftovers.size());
  for (const auto& name : leftovers) EXPECT_FALSE(fs::exists(dir / name)) << name;
  for (const auto& name : keep) EXPECT_TRUE(fs::exists(dir / name)) << name;
  EXPECT_EQ(remove_temporary_files(dir.path()), 0u);
  EXPECT_EQ(remove_temporary_files(dir / "does-not-exist"), 0u);
}

TEST(Files, AtomicFileWriterStreamsAndCommits) {
  TempDir dir("fdsl-files");
  fs::path path = dir / "sub/stream.bin";
  std::vector<std::uint8_t> all;
  {
    AtomicFileWriter file(path);
    for (int i = 0; i < 300; ++i) {
      std::vector<std::uint8_t> piece(static_cast<std::size_t>(1 + i * 97 % 5000), static_cast<std::uint8_t>(i));
      if (i == 150) piece.assign(3u << 20, 7);  // larger than the buffer
      file.write(piece);
      all.insert(all.end(), piece.begin(), piece.end());
    }
    EXPECT_FALSE(fs::exists(path)) << "the file must not appear before commit";
    EXPECT_EQ(file.size(), all.size());
    EXPECT_EQ(file.crc(), crc32(all));
    file.commit(/*sync=*/true);
  }
  EXPECT_EQ(read_file(path), all);
  EXPECT_EQ(list_names(path.parent_path()), std::vector<std::string>{"stream.bin"});
}

TEST(Files, AtomicFileWriterWithoutCommitLeavesNothing) {
  TempDir dir("fdsl-files");
  {
    AtomicFileWriter file(dir / "never.bin");
    file.write(bytes_of("partial"));
  }
  EXPECT_TRUE(list_names(dir.path()).empty());
}

TEST(Files, FileSizeLimitStopsTheWriteNamingThePathAndLeavesNothing) {
  // A full disk, simulated with RLIMIT_FSIZE: write() fails with EFBIG once SIGXFSZ is ignored.
  TempDir dir("fdsl-files");
  struct rlimit old {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old;
  small.rlim_cur = 64 * 1024;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  std::string message;
  try {
    AtomicFileWriter file(dir / "big.tar");
    file.write(std::vector<std::uint8_t>(3u << 20, 1));
    file.commit(true);
  } catch (const Error& e) {
    message = e.what();
  }
  ::setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, old_handler);
  EXPECT_NE(message.find((dir / "big.tar").string()), std::string::npos) << message;
  EXPECT_NE(message.find(std::generic_category().message(EFBIG)), std::string::npos) << message;
  EXPECT_TRUE(list_names(dir.path()).empty()) << "no partial or temporary file may stay";
}

}  // namespace
}  // namespace fdsl
