// Config parsing and validation: every error names the file, the line and what would be valid.
#include "fdsl/core/params.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "fdsl/core/error.h"
#include "test_support.h"

namespace fdsl {
namespace {

const ParamTable& table() {
  static const ParamTable t = {
      int_param("size", 256, 8, 16384, "image side"),
      int_param("points", 1000, 1, 16384, "points per image"),
      float_param("ratio", 0.5, 0.0, 1.0, "an open interval", true, true),
      float_param("gain", 1.0, 0.0, 10.0, "a closed interval"),
      enum_param("render", "patch", {"point", "patch", "color"}, "how to draw"),
      bool_param("flip", true, "mirror"),
      string_param("name", "", "a name"),
  };
  return t;
}

Params resolve(const std::string& text, const std::string& source = "cfg.yaml") {
  return resolve_params(parse_config_text(text, source), {&table()});
}

/// Runs `body`, expects Error(BadInput) and returns its message.
std::string bad_input_message(const std::function<void()>& body) {
  try {
    body();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput) << e.what();
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not an fdsl::Error: " << e.what();
    return "";
  }
  ADD_FAILURE() << "no exception thrown";
  return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST(Params, DefaultsFillKeysTheConfigDoesNotGive) {
  const Params p = resolve("size: 64\n");
  EXPECT_EQ(p.get_int("size"), 64);
  EXPECT_TRUE(p.is_set("size"));
  EXPECT_EQ(p.get_int("points"), 1000);
  EXPECT_FALSE(p.is_set("points"));
  EXPECT_DOUBLE_EQ(p.get_float("ratio"), 0.5);
  EXPECT_EQ(p.get_string("render"), "patch");
  EXPECT_TRUE(p.get_bool("flip"));
  EXPECT_EQ(p.get_string("name"), "");
  EXPECT_EQ(p.location("points").str(), "default");
  EXPECT_EQ(p.location("size").str(), "cfg.yaml:1");
}

TEST(Params, ValuesOfEveryTypeAreConverted) {
  const Params p = resolve("size: 128\nratio: 0.25\ngain: 10\nrender: point\nflip: false\nname: hello\n");
  EXPECT_EQ(p.get_int("size"), 128);
  EXPECT_DOUBLE_EQ(p.get_float("ratio"), 0.25);
  EXPECT_DOUBLE_EQ(p.get_float("gain"), 10.0);
  EXPECT_EQ(p.get_string("render"), "point");
  EXPECT_FALSE(p.get_bool("flip"));
  EXPECT_EQ(p.get_string("name"), "hello");
  EXPECT_EQ(p.location("name").str(), "cfg.yaml:6");
}

TEST(Params, UnknownKeyNamesFileLineAndTheClosestKey) {
  const std::string msg = bad_input_message([] { resolve("size: 64\nrender: point\npoint: 5\n"); });
  EXPECT_TRUE(contains(msg, "cfg.yaml:3")) << msg;
  EXPECT_TRUE(contains(msg, "did you mean 'points'")) << msg;
  EXPECT_TRUE(contains(msg, "point")) << msg;
}

TEST(Params, WrongTypeNamesKeyAndLine) {
  const std::string msg = bad_input_message([] { resolve("gain: 2\npoints: abc\n"); });
  EXPECT_TRUE(contains(msg, "points")) << msg;
  EXPECT_TRUE(contains(msg, "cfg.yaml:2")) << msg;
  EXPECT_TRUE(contains(msg, "abc")) << msg;
}

TEST(Params, QuotedNumberIsNotAnInteger) {
  const std::string msg = bad_input_message([] { resolve("points: \"12\"\n"); });
  EXPECT_TRUE(contains(msg, "points")) << msg;
}

TEST(Params, BadBoolNamesKeyAndLine) {
  const std::string msg = bad_input_message([] { resolve("flip: maybe\n"); });
  EXPECT_TRUE(contains(msg, "flip")) << msg;
  EXPECT_TRUE(contains(msg, "cfg.yaml:1")) << msg;
}

TEST(Params, OutOfRangeNamesTheRange) {
  const std::string high = bad_input_message([] { resolve("points: 20000\n"); });
  EXPECT_TRUE(contains(high, "[1, 16384]")) << high;
  EXPECT_TRUE(contains(high, "points")) << high;
  EXPECT_TRUE(contains(high, "cfg.yaml:1")) << high;
  const std::string low = bad_input_message([] { resolve("size: 64\npoints: 0\n"); });
  EXPECT_TRUE(contains(low, "[1, 16384]")) << low;
  EXPECT_TRUE(contains(low, "cfg.yaml:2")) << low;
  // The bounds of a closed range are allowed.
  EXPECT_EQ(resolve("points: 1\n").get_int("points"), 1);
  EXPECT_EQ(resolve("points: 16384\n").get_int("points"), 16384);
  EXPECT_DOUBLE_EQ(resolve("gain: 0\n").get_float("gain"), 0.0);
}

TEST(Params, OpenBoundsRejectTheBoundItself) {
  for (const char* text : {"ratio: 0\n", "ratio: 1\n", "ratio: 1.5\n", "ratio: -0.1\n"}) {
    const std::string msg = bad_input_message([&] { resolve(text); });
    EXPECT_TRUE(contains(msg, "(0, 1)")) << text << ": " << msg;
    EXPECT_TRUE(contains(msg, "ratio")) << msg;
  }
  EXPECT_DOUBLE_EQ(resolve("ratio: 0.999\n").get_float("ratio"), 0.999);
  EXPECT_DOUBLE_EQ(resolve("ratio: 1e-9\n").get_float("ratio"), 1e-9);
}

TEST(Params, NotANumberIsOutOfRange) {
  const std::string msg = bad_input_message([] { resolve("gain: .nan\n"); });
  EXPECT_TRUE(contains(msg, "gain")) << msg;
}

TEST(Params, EnumSuggestsTheClosestChoice) {
  const std::string msg = bad_input_message([] { resolve("size: 32\nrender: pach\n"); });
  EXPECT_TRUE(contains(msg, "did you mean 'patch'")) << msg;
  EXPECT_TRUE(contains(msg, "cfg.yaml:2")) << msg;
  EXPECT_TRUE(contains(msg, "render")) << msg;
  EXPECT_TRUE(contains(msg, "point, patch, color")) << msg;
}

TEST(Params, MalformedYamlNamesTheLine) {
  const std::string msg =
      bad_input_message([] { parse_config_text("size: 64\npoints: 10\nname: [unclosed\n", "bad.yaml"); });
  EXPECT_TRUE(contains(msg, "bad.yaml:")) << msg;
  // The error is on line 3 or, for an unterminated flow sequence, at the end of the text (line 4).
  EXPECT_TRUE(contains(msg, "bad.yaml:3") || contains(msg, "bad.yaml:4")) << msg;
  const std::string tab = bad_input_message([] { parse_config_text("size: 64\n  points: 10\n", "tab.yaml"); });
  EXPECT_TRUE(contains(tab, "tab.yaml:2")) << tab;
}

TEST(Params, EmptyFileIsAnError) {
  const std::string msg = bad_input_message([] { parse_config_text("", "empty.yaml"); });
  EXPECT_TRUE(contains(msg, "empty.yaml")) << msg;
  const std::string comments = bad_input_message([] { parse_config_text("# only a comment\n", "c.yaml"); });
  EXPECT_TRUE(contains(comments, "c.yaml")) << comments;
}

TEST(Params, NonMappingTopLevelIsAnError) {
  const std::string list = bad_input_message([] { parse_config_text("- size\n- points\n", "list.yaml"); });
  EXPECT_TRUE(contains(list, "list.yaml")) << list;
  EXPECT_TRUE(contains(list, "mapping")) << list;
  const std::string scalar = bad_input_message([] { parse_config_text("just words\n", "word.yaml"); });
  EXPECT_TRUE(contains(scalar, "word.yaml")) << scalar;
}

TEST(Params, NestedValueIsAnError) {
  const std::string msg = bad_input_message([] { parse_config_text("size: 8\nname:\n  a: 1\n", "n.yaml"); });
  EXPECT_TRUE(contains(msg, "n.yaml:2")) << msg;
  EXPECT_TRUE(contains(msg, "name")) << msg;
}

TEST(Params, DuplicateKeyIsAnError) {
  const std::string msg = bad_input_message([] { parse_config_text("size: 64\npoints: 3\nsize: 128\n", "dup.yaml"); });
  EXPECT_TRUE(contains(msg, "dup.yaml")) << msg;
  EXPECT_TRUE(contains(msg, "size")) << msg;
}

TEST(Params, OverrideWinsAndNamesItself) {
  RawConfig raw = parse_config_text("size: 128\npoints: 10\n", "cfg.yaml");
  apply_override(raw, "size=64");
  const Params p = resolve_params(raw, {&table()});
  EXPECT_EQ(p.get_int("size"), 64);
  EXPECT_EQ(p.get_int("points"), 10);
  EXPECT_TRUE(contains(p.location("size").str(), "--set size=64")) << p.location("size").str();
  // An override of a key the file does not have is added.
  apply_override(raw, "render=point");
  EXPECT_EQ(resolve_params(raw, {&table()}).get_string("render"), "point");
}

TEST(Params, OverrideWithABadValueNamesTheOverride) {
  RawConfig raw = parse_config_text("size: 128\n", "cfg.yaml");
  apply_override(raw, "points=0");
  const std::string msg = bad_input_message([&] { resolve_params(raw, {&table()}); });
  EXPECT_TRUE(contains(msg, "--set points=0")) << msg;
  EXPECT_TRUE(contains(msg, "[1, 16384]")) << msg;
}

TEST(Params, OverrideWithAnUnknownKeyNamesSet) {
  RawConfig raw = parse_config_text("size: 128\n", "cfg.yaml");
  apply_override(raw, "sizes=64");
  const std::string msg = bad_input_message([&] { resolve_params(raw, {&table()}); });
  EXPECT_TRUE(contains(msg, "--set")) << msg;
  EXPECT_TRUE(contains(msg, "sizes")) << msg;
}

TEST(Params, OverrideWithoutAnEqualsSignIsAnError) {
  RawConfig raw = parse_config_text("size: 128\n", "cfg.yaml");
  const std::string msg = bad_input_message([&] { apply_override(raw, "size"); });
  EXPECT_TRUE(contains(msg, "--set")) << msg;
}

TEST(Params, MissingConfigFileNamesThePath) {
  test::TempDir dir("params");
  const std::string path = (dir / "no_such_config.yaml").string();
  const std::string msg = bad_input_message([&] { load_config_file(path); });
  EXPECT_TRUE(contains(msg, path)) << msg;
}

TEST(Params, ConfigFileErrorsNameTheFile) {
  test::TempDir dir("params");
  const auto path = dir / "cfg.yaml";
  test::write_text(path, "size: 64\n\npoint: 3\n");
  const RawConfig raw = load_config_file(path.string());
  const std::string msg = bad_input_message([&] { resolve_params(raw, {&table()}); });
  EXPECT_TRUE(contains(msg, path.string() + ":3")) << msg;
}

TEST(Params, RangeTextDescribesBounds) {
  EXPECT_EQ(table()[1].range_text(), "[1, 16384]");
  EXPECT_EQ(table()[2].range_text(), "(0, 1)");
  EXPECT_EQ(table()[3].range_text(), "[0, 10]");
  EXPECT_EQ(table()[4].range_text(), "one of: point, patch, color");
  EXPECT_EQ(table()[5].range_text(), "");
}

TEST(Params, ClosestNameFindsNearMissesOnly) {
  const std::vector<std::string> names = {"points", "size", "render"};
  EXPECT_EQ(closest_name("point", names), "points");
  EXPECT_EQ(closest_name("szie", names), "size");
  EXPECT_EQ(closest_name("completely_unrelated", names), "");
}

}  // namespace

TEST(Params, KeyCheckSeesEveryKeyAsItIsRead) {
  std::vector<std::string> seen;
  const ConfigKeyCheck record = [&](const RawConfig::Item& item) { seen.push_back(item.key + "=" + item.text); };
  parse_config_text("size: 64\nname: 'a b'\nflip:\n", "cfg.yaml", &record);
  EXPECT_EQ(seen, (std::vector<std::string>{"size=64", "name=a b", "flip="}));
  // A check that refuses stops the parse at that key: the rest of the text is never read.
  const ConfigKeyCheck refuse_points = [](const RawConfig::Item& item) {
    if (item.key == "points") throw_bad_input(item.where.str() + ": no points here");
  };
  const std::string msg = bad_input_message(
      [&] { parse_config_text("size: 64\npoints: 3\nname: [unclosed\n", "cfg.yaml", &refuse_points); });
  EXPECT_TRUE(contains(msg, "cfg.yaml:2: no points here")) << msg;
}

TEST(Params, QuotedScalarsAnchorsAndNullsReadAsBefore) {
  const RawConfig raw = parse_config_text("a: &x 12\nb: *x\nc: \"12\"\nd: ~\ne:\nf: 'it''s'\n", "cfg.yaml");
  ASSERT_EQ(raw.items.size(), 6u);
  EXPECT_EQ(raw.items[1].text, "12");
  EXPECT_FALSE(raw.items[1].quoted);
  EXPECT_TRUE(raw.items[2].quoted);
  EXPECT_EQ(raw.items[3].text, "");
  EXPECT_EQ(raw.items[4].text, "");
  EXPECT_EQ(raw.items[5].text, "it's");
  EXPECT_EQ(raw.items[4].where.line, 5);
  // An alias of a mapping is a nested value too.
  const std::string nested = bad_input_message([] { parse_config_text("a: &m {x: 1}\n", "n.yaml"); });
  EXPECT_TRUE(contains(nested, "n.yaml:1")) << nested;
}

TEST(Params, ManyKeysParseInLinearTime) {
  // 300,000 keys: the duplicate check used to compare every key with every earlier one (over ten
  // minutes here); a hash set makes it a pass over the text. The duplicate at the end is found.
  std::string text;
  for (int i = 0; i < 300000; ++i) {
    // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on "k" + std::string.
    text += 'k';
    text += std::to_string(i);
    text += ": ";
    text += std::to_string(i);
    text += '\n';
  }
  const RawConfig raw = parse_config_text(text, "big.yaml");
  EXPECT_EQ(raw.items.size(), 300000u);
  const std::string msg = bad_input_message([&] { parse_config_text(text + "k17: 1\n", "big.yaml"); });
  EXPECT_TRUE(contains(msg, "big.yaml:300001")) << msg;
  EXPECT_TRUE(contains(msg, "'k17' appears twice")) << msg;
}

TEST(Params, TextThatIsNotUtf8IsRefusedNamingTheKey) {
  const std::string in_file = bad_input_message([] { parse_config_text("size: 64\nname: \"a\xff\"\n", "u.yaml"); });
  EXPECT_TRUE(contains(in_file, "u.yaml:2")) << in_file;
  EXPECT_TRUE(contains(in_file, "'name'")) << in_file;
  EXPECT_TRUE(contains(in_file, "UTF-8")) << in_file;
  RawConfig raw = parse_config_text("size: 64\n", "cfg.yaml");
  const std::string in_set = bad_input_message([&] { apply_override(raw, "name=\xff"); });
  EXPECT_TRUE(contains(in_set, "--set name")) << in_set;
  EXPECT_TRUE(contains(in_set, "UTF-8")) << in_set;
  const std::string in_json = bad_input_message([] {
    config_from_json(nlohmann::json::object({{"name", std::string("a\xff")}}), "j");
  });
  EXPECT_TRUE(contains(in_json, "'name'")) << in_json;
  EXPECT_TRUE(contains(in_json, "UTF-8")) << in_json;
}

TEST(Params, Utf8ValidatorKnowsTheEncoding) {
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_TRUE(valid_utf8("plain ascii"));
  EXPECT_TRUE(valid_utf8("gr\xc3\xbc\xc3\x9f \xe6\x97\xa5 \xf0\x9f\x98\x80"));
  EXPECT_FALSE(valid_utf8("\xff"));
  EXPECT_FALSE(valid_utf8("\xc3"));              // truncated
  EXPECT_FALSE(valid_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));      // a UTF-16 surrogate
  EXPECT_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
}

}  // namespace fdsl
