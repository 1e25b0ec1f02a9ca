// PyRandom replays CPython's `random` draw for draw; Python's own `random` is the oracle.
#include "fdsl/core/py_random.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "test_support.h"

namespace fdsl {
namespace {

std::vector<std::string> python_tokens(const std::string& code) {
  const test::CommandResult r = test::run_python(code);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::vector<std::string> out;
  std::istringstream in(r.output);
  std::string tok;
  while (in >> tok) out.push_back(tok);
  return out;
}

double to_double(const std::string& s) { return std::strtod(s.c_str(), nullptr); }
std::int64_t to_int(const std::string& s) { return std::stoll(s); }

// The operations the official VisualAtom and RCDB scripts use, interleaved so that an error in
// one shifts every later value: randint over the ranges they use (rejection-heavy ones included),
// uniform, expovariate, random() and getrandbits of every width.
constexpr int kDraws = 6000;
const char* kOracle =
    "import random, sys\n"
    "seed = int(sys.argv[1])\n"
    "random.seed(seed)\n"
    "out = []\n"
    "for i in range(%d):\n"
    "    op = i %% 9\n"
    "    if op == 0: out.append(str(random.randint(-512, 512)))\n"
    "    elif op == 1: out.append(str(random.randint(0, 256)))\n"
    "    elif op == 2: out.append(str(random.randint(0, 255)))\n"
    "    elif op == 3: out.append(str(random.randint(200, 1000)))\n"
    "    elif op == 4: out.append(repr(random.uniform(0, 10000)))\n"
    "    elif op == 5: out.append(repr(random.expovariate(1 / 100)))\n"
    "    elif op == 6: out.append(repr(random.random()))\n"
    "    elif op == 7: out.append(str(random.getrandbits(1 + i %% 32)))\n"
    "    else: out.append(str(random.randint(-400, 400)) + ' ' + str(random.randint(1, 2**40)) + ' ' + "
    "repr(random.uniform(1, 2)))\n"
    "print(' '.join(out))\n";

class PyRandomOracle : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(PyRandomOracle, EveryDrawMatchesCpython) {
  const std::uint64_t seed = GetParam();
  char code[2048];
  std::snprintf(code, sizeof code, kOracle, kDraws);
  const test::CommandResult r = test::run_python(code, std::to_string(seed));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::istringstream in(r.output);
  PyRandom rng(seed);
  std::string tok;
  for (int i = 0; i < kDraws; ++i) {
    const int op = i % 9;
    ASSERT_TRUE(in >> tok) << "the oracle printed too few values";
    switch (op) {
      case 0:
        ASSERT_EQ(rng.randint(-512, 512), to_int(tok)) << "seed " << seed << " draw " << i;
        break;
      case 1:
        ASSERT_EQ(rng.randint(0, 256), to_int(tok)) << "seed " << seed << " draw " << i;
        break;
      case 2:
        ASSERT_EQ(rng.randint(0, 255), to_int(tok)) << "seed " << seed << " draw " << i;
        break;
      case 3:
        ASSERT_EQ(rng.randint(200, 1000), to_int(tok)) << "seed " << seed << " draw " << i;
        break;
      case 4:
        ASSERT_EQ(rng.uniform(0, 10000), to_double(tok)) << "seed " << seed << " draw " << i;
        break;
      case 5:
        ASSERT_EQ(rng.expovariate(1.0 / 100), to_double(tok)) << "seed " << seed << " draw " << i;
        break;
      case 6:
        ASSERT_EQ(rng.random(), to_double(tok)) << "seed " << seed << " draw " << i;
        break;
      case 7:
        ASSERT_EQ(rng.getrandbits(1 + i % 32), std::stoull(tok)) << "seed " << seed << " draw " << i;
        break;
      default: {
        ASSERT_EQ(rng.randint(-400, 400), to_int(tok)) << "seed " << seed << " draw " << i;
        ASSERT_TRUE(in >> tok);
        ASSERT_EQ(rng.randint(1, std::int64_t{1} << 40), to_int(tok)) << "seed " << seed << " draw " << i;
        ASSERT_TRUE(in >> tok);
        ASSERT_EQ(rng.uniform(1, 2), to_double(tok)) << "seed " << seed << " draw " << i;
      }
    }
  }
  EXPECT_FALSE(in >> tok) << "the oracle printed more values than were compared";
}

INSTANTIATE_TEST_SUITE_P(Seeds, PyRandomOracle,
                         ::testing::Values(std::uint64_t{1}, std::uint64_t{2}, std::uint64_t{11}, std::uint64_t{20},
                                           std::uint64_t{12345}, (std::uint64_t{1} << 32) + 7));

TEST(PyRandom, GetrandbitsWiderThan32MatchesCpython) {
  const auto tokens = python_tokens(
      "import random\nrandom.seed(5)\nprint(' '.join(str(random.getrandbits(k)) for k in list(range(33, 65)) * 20))\n");
  ASSERT_EQ(tokens.size(), 32u * 20u);
  PyRandom rng(5);
  for (std::size_t i = 0; i < tokens.size(); ++i)
    ASSERT_EQ(rng.getrandbits(33 + static_cast<int>(i % 32)), std::stoull(tokens[i])) << "value " << i;
}

TEST(PyRandom, BlockRandomEqualsSingleCalls) {
  // Blocks straddle the 624-word twists at every offset.
  PyRandom a(3), b(3);
  std::vector<double> block;
  for (std::size_t n : {1u, 2u, 311u, 312u, 313u, 1000u, 7u, 5000u}) {
    block.resize(n);
    a.random(block.data(), n);
    for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(block[i], b.random()) << "block of " << n << ", value " << i;
  }
}

TEST(PyRandom, SkipRandomLeavesTheStateOfTheCalls) {
  for (std::uint64_t count : {0ull, 1ull, 311ull, 312ull, 313ull, 624ull, 10000ull, 123457ull}) {
    PyRandom a(9), b(9);
    a.randint(0, 255);  // start off the word boundary
    b.randint(0, 255);
    a.skip_random(count);
    for (std::uint64_t i = 0; i < count; ++i) b.random();
    EXPECT_TRUE(a.state() == b.state()) << "skip " << count;
    EXPECT_EQ(a.random(), b.random()) << "skip " << count;
  }
}

TEST(PyRandom, BitLengthIsPythons) {
  EXPECT_EQ(PyRandom::bit_length(0), 0);
  EXPECT_EQ(PyRandom::bit_length(1), 1);
  EXPECT_EQ(PyRandom::bit_length(256), 9);
  EXPECT_EQ(PyRandom::bit_length(255), 8);
  EXPECT_EQ(PyRandom::bit_length(1025), 11);
}

}  // namespace
}  // namespace fdsl
