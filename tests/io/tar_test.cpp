// The ustar writer and reader: Python's tarfile and GNU tar read what we write, the bytes are
// reproducible, long names use the prefix field or are refused, damage is found.
#include <gtest/gtest.h>

#include <cstring>

#include <cstdio>

#include <filesystem>
#include <string>
#include <vector>

#include "fdsl/core/error.h"
#include "fdsl/io/files.h"
#include "fdsl/io/tar_reader.h"
#include "fdsl/io/tar_writer.h"
#include "test_support.h"

namespace fdsl {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

std::vector<std::uint8_t> bytes_of(std::size_t n, std::uint8_t seed) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(seed + i * 31 + (i >> 5));
  return v;
}

/// A small archive: members of 0, 1, 511, 512, 513 and 5000 bytes.
std::vector<std::uint8_t> sample_archive() {
  MemorySink sink;
  TarWriter tar(sink);
  std::size_t k = 0;
  for (std::size_t n : {0, 1, 511, 512, 513, 5000})
    tar.add("00001/00001_0000" + std::to_string(k++) + ".png", bytes_of(n, static_cast<std::uint8_t>(n)));
  tar.add("00001/00001_00000.cls", std::string_view("1"));
  tar.finish();
  EXPECT_EQ(tar.size(), sink.bytes().size());
  return sink.bytes();
}

TEST(Tar, SizesAreWholeBlocksAndPredicted) {
  const auto archive = sample_archive();
  EXPECT_EQ(archive.size() % 512, 0u);
  std::uint64_t expected = TarWriter::kEndSize;
  for (std::size_t n : {0, 1, 511, 512, 513, 5000, 1}) expected += TarWriter::member_size(n);
  EXPECT_EQ(archive.size(), expected);
  EXPECT_EQ(TarWriter::member_size(0), 512u);
  EXPECT_EQ(TarWriter::member_size(512), 1024u);
  EXPECT_EQ(TarWriter::member_size(513), 1536u);
}

TEST(Tar, SameMembersGiveTheSameBytes) {
  EXPECT_EQ(sample_archive(), sample_archive());
  // Pinned: a change of any header field (mtime, owner, mode) would change every shard.
  EXPECT_EQ(crc32_hex(crc32(sample_archive())), "fae6a66b");
}

TEST(Tar, PythonTarfileWritesTheSameBytesForTheSameMembers) {
  // Python's tarfile in ustar format with our fixed fields: header for header the same bytes
  // (it pads the archive to a 10 KiB record; we stop after the two end blocks).
  TempDir t;
  const auto ours = sample_archive();
  write_file_atomic(t / "ours.tar", ours);
  auto r = test::run_python(
      "import io, sys, tarfile\n"
      "def data(n, seed): return bytes(((seed + i * 31 + (i >> 5)) & 0xff) for i in range(n))\n"
      "buf = io.BytesIO()\n"
      "with tarfile.open(fileobj=buf, mode='w', format=tarfile.USTAR_FORMAT) as t:\n"
      "    members = [('00001/00001_0000%d.png' % k, data(n, n & 0xff)) for k, n in enumerate((0, 1, 511, 512, 513, "
      "5000))]\n"
      "    for name, d in members + [('00001/00001_00000.cls', b'1')]:\n"
      "        ti = tarfile.TarInfo(name); ti.size = len(d); ti.mtime = 1577836800; ti.mode = 0o644\n"
      "        ti.uname = ti.gname = ''\n"
      "        t.addfile(ti, io.BytesIO(d))\n"
      "theirs = buf.getvalue(); ours = open(sys.argv[1], 'rb').read()\n"
      "print(theirs[:len(ours)] == ours, set(theirs[len(ours):]))\n",
      test::shell_quote((t / "ours.tar").string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "True {0}\n");
}

TEST(Tar, PythonTarfileReadsEveryMemberAndItsFixedFields) {
  TempDir t;
  write_file_atomic(t / "a.tar", sample_archive());
  auto r = test::run_python(
      "import sys, tarfile\n"
      "with tarfile.open(sys.argv[1], 'r:') as t:\n"
      "    for m in t.getmembers():\n"
      "        d = t.extractfile(m).read()\n"
      "        assert len(d) == m.size and m.isfile() and m.mode == 0o644 and m.uid == 0 and m.gid == 0\n"
      "        assert m.mtime == 1577836800 and m.uname == '' and m.gname == ''\n"
      "        print(m.name, m.size, sum(d) % 997)\n",
      test::shell_quote((t / "a.tar").string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string expected;
  std::size_t k = 0;
  for (std::size_t n : {0, 1, 511, 512, 513, 5000}) {
    std::uint64_t sum = 0;
    for (auto b : bytes_of(n, static_cast<std::uint8_t>(n))) sum += b;
    expected +=
        "00001/00001_0000" + std::to_string(k++) + ".png " + std::to_string(n) + " " + std::to_string(sum % 997) + "\n";
  }
  expected += "00001/00001_00000.cls 1 49\n";
  EXPECT_EQ(r.output, expected);
}

TEST(Tar, GnuTarListsItWithoutComplaint) {
  TempDir t;
  write_file_atomic(t / "a.tar", sample_archive());
  auto r = test::run_command("tar --version >/dev/null 2>&1 || exit 77; tar -tvf " +
                             test::shell_quote((t / "a.tar").string()));
  if (r.exit_code == 77) GTEST_SKIP() << "GNU tar is not installed";
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("tar:"), std::string::npos) << r.output;  // no warnings
  EXPECT_NE(r.output.find("0/0            5000 2020-01-01 00:00 00001/00001_00005.png"), std::string::npos) << r.output;
}

TEST(Tar, LongNamesUseThePrefixField) {
  const std::string dir(120, 'd');
  const std::string name = dir + "/" + std::string(90, 'n') + ".png";
  const auto [prefix, rest] = detail::split_ustar_name(name);
  EXPECT_EQ(prefix, dir);
  EXPECT_EQ(rest, std::string(90, 'n') + ".png");
  TempDir t;
  {
    AtomicFileWriter file(t / "long.tar");
    TarWriter tar(file);
    tar.add(name, std::string_view("x"));
    tar.finish();
    file.commit(false);
  }
  TarReader reader(t / "long.tar");
  TarMember m;
  std::vector<std::uint8_t> data;
  ASSERT_TRUE(reader.next(m, data));
  EXPECT_EQ(m.name, name);
  EXPECT_FALSE(reader.next(m, data));
  auto r = test::run_python("import sys, tarfile\nprint(tarfile.open(sys.argv[1]).getnames()[0])",
                            test::shell_quote((t / "long.tar").string()));
  EXPECT_EQ(r.output, name + "\n");
}

TEST(Tar, NamesThatDoNotFitAreRefusedClearly) {
  MemorySink sink;
  TarWriter tar(sink);
  for (const std::string& bad : {std::string(101, 'x'), std::string(156, 'p') + "/" + "x.png",
                                 "a/" + std::string(101, 'n'), std::string("/abs.png"), std::string()}) {
    try {
      tar.add(bad, std::string_view("x"));
      ADD_FAILURE() << "accepted " << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::BadInput);
      EXPECT_NE(std::string(e.what()).find("tar member name"), std::string::npos) << e.what();
    }
  }
  EXPECT_TRUE(sink.bytes().empty()) << "a refused member must write nothing";
}

TEST(Tar, ReaderKeepsTheCrcOfTheWholeFile) {
  TempDir t;
  const auto archive = sample_archive();
  write_file_atomic(t / "a.tar", archive);
  TarReader reader(t / "a.tar");
  TarMember m;
  std::vector<std::uint8_t> data;
  int members = 0;
  while (reader.next(m, data)) ++members;
  reader.read_to_end();
  EXPECT_EQ(members, 7);
  EXPECT_EQ(reader.bytes_read(), archive.size());
  EXPECT_EQ(reader.crc(), crc32(archive));
}

/// Reads every member; the message of the error, or "" if none.
std::string read_all_error(const fs::path& path) {
  try {
    TarReader reader(path);
    TarMember m;
    std::vector<std::uint8_t> data;
    while (reader.next(m, data)) {
    }
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Tar, ReaderFindsTruncationAndDamage) {
  TempDir t;
  const auto archive = sample_archive();
  // Cut at every kind of place: inside a header, inside data, between members, inside the end marker.
  for (std::size_t cut :
       {std::size_t{100}, std::size_t{512 + 1}, std::size_t{2 * 512}, archive.size() - 512, archive.size() - 1024}) {
    write_file_atomic(t / "cut.tar", std::span<const std::uint8_t>(archive.data(), cut));
    const std::string error = read_all_error(t / "cut.tar");
    EXPECT_NE(error.find("cut.tar"), std::string::npos) << "cut at " << cut << ": " << error;
    EXPECT_NE(error.find("truncated"), std::string::npos) << "cut at " << cut << ": " << error;
  }
  auto damaged = archive;
  damaged[3] ^= 0x20;  // a letter of the first name: the header checksum no longer matches
  write_file_atomic(t / "bad.tar", damaged);
  EXPECT_NE(read_all_error(t / "bad.tar").find("checksum"), std::string::npos);
  EXPECT_EQ(read_all_error(t / "ok.tar").find("cannot read"), 0u);
}

// A damaged size field (found by fuzz_tar) that claims 8 GB is refused from the file's size,
// before any memory is taken for the member.
TEST(Tar, AMemberLargerThanTheFileIsRefusedBeforeItIsRead) {
  TempDir t;
  auto archive = sample_archive();
  const char huge[12] = {'7', '7', '7', '7', '7', '7', '7', '7', '7', '7', '7', '\0'};  // 2^33 - 1 bytes
  std::memcpy(archive.data() + 124, huge, 12);
  unsigned sum = 0;
  for (std::size_t i = 0; i < 512; ++i) sum += (i >= 148 && i < 156) ? ' ' : archive[i];
  char field[8];
  std::snprintf(field, sizeof field, "%06o", sum);
  std::memcpy(archive.data() + 148, field, 7);
  archive[155] = ' ';
  write_file_atomic(t / "huge.tar", archive);
  const std::string error = read_all_error(t / "huge.tar");
  EXPECT_NE(error.find("declares 8589934591 bytes"), std::string::npos) << error;
  EXPECT_NE(error.find("huge.tar"), std::string::npos) << error;
  EXPECT_NE(error.find("at byte 0"), std::string::npos) << error;
}

}  // namespace
}  // namespace fdsl
