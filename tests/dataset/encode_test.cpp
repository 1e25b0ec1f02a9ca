// encode_sample: the files of a sample, with the label files tar shards carry.
#include "fdsl/dataset/encode.h"

#include <gtest/gtest.h>

namespace fdsl {
namespace {

Sample sample() {
  Sample s;
  s.label = 17;
  s.name = "00017/00017_00003";
  s.image = Image(8, 8, 1, 5);
  return s;
}

std::string text(const EncodedFile& f) { return std::string(f.bytes.begin(), f.bytes.end()); }

TEST(Encode, FolderOutputWritesTheImageOnly) {
  std::vector<EncodedFile> out;
  encode_sample(sample(), OutputSettings{}, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].path, "00017/00017_00003.png");
}

TEST(Encode, LabelFilesAddClsAndMultiLabelJson) {
  OutputSettings settings;
  settings.label_files = true;
  std::vector<EncodedFile> out;
  Sample s = sample();
  encode_sample(s, settings, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].path, "00017/00017_00003.cls");
  EXPECT_EQ(text(out[1]), "17");
  s.labels = {3, 17, 40};
  s.meta["boxes"] = 2;
  encode_sample(s, settings, out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[2].path, "00017/00017_00003.json");
  EXPECT_EQ(text(out[2]), "{\n \"boxes\": 2,\n \"labels\": [\n  3,\n  17,\n  40\n ]\n}\n");
  // The same PNG bytes as in a folder.
  std::vector<EncodedFile> folder;
  encode_sample(s, OutputSettings{}, folder);
  EXPECT_EQ(folder[0].bytes, out[0].bytes);
}

}  // namespace
}  // namespace fdsl
