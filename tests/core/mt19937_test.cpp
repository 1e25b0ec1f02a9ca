// MT19937 replays NumPy's legacy RandomState and CPython's `random` bit for bit; both are the oracle.
#include "fdsl/core/mt19937.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "test_support.h"

namespace fdsl {
namespace {

/// Runs a Python snippet and returns the whitespace-separated tokens it printed.
std::vector<std::string> python_tokens(const std::string& code) {
  const test::CommandResult r = test::run_python(code);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::vector<std::string> out;
  std::istringstream in(r.output);
  std::string tok;
  while (in >> tok) out.push_back(tok);
  return out;
}

TEST(Mt19937, Random53MatchesNumpyRandomState100) {
  const auto tokens = python_tokens(
      "import numpy as np\n"
      "for v in np.random.RandomState(100).random_sample(1000):\n"
      "    print('%.17g' % v)\n");
  ASSERT_EQ(tokens.size(), 1000u);
  Mt19937 mt;
  mt.init_genrand(100);
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const double expected = std::strtod(tokens[i].c_str(), nullptr);
    const double got = mt.random53();
    ASSERT_EQ(got, expected) << "value " << i << ": numpy " << tokens[i];
  }
}

TEST(Mt19937, ConstructorSeedsLikeInitGenrand) {
  Mt19937 a(100);
  Mt19937 b;
  b.init_genrand(100);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(a.next_u32(), b.next_u32());
}

TEST(Mt19937, DefaultSeedGivesTheReferenceOutput) {
  // The MT19937 reference: the 10000th output of the default seed 5489 is 4123659995.
  Mt19937 mt;
  std::uint32_t v = 0;
  for (int i = 0; i < 10000; ++i) v = mt.next_u32();
  EXPECT_EQ(v, 4123659995u);
}

class Mt19937Python : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(Mt19937Python, SeedPythonMatchesCpythonRandom) {
  const std::uint64_t n = GetParam();
  const int count = 2000;
  const auto tokens = python_tokens(
      "import random\n"
      "n = " +
      std::to_string(n) +
      "\n"
      "random.seed(n)\n"
      "print(' '.join(str(random.getrandbits(32)) for _ in range(" +
      std::to_string(count) +
      ")))\n"
      "random.seed(n)\n"
      "print(' '.join('%.17g' % random.random() for _ in range(" +
      std::to_string(count) + ")))\n");
  ASSERT_EQ(tokens.size(), static_cast<std::size_t>(2 * count));
  Mt19937 mt;
  mt.seed_python(n);
  for (int i = 0; i < count; ++i) {
    const std::uint32_t expected = static_cast<std::uint32_t>(std::stoull(tokens[static_cast<std::size_t>(i)]));
    ASSERT_EQ(mt.next_u32(), expected) << "seed " << n << ", getrandbits value " << i;
  }
  mt.seed_python(n);
  for (int i = 0; i < count; ++i) {
    const double expected = std::strtod(tokens[static_cast<std::size_t>(count + i)].c_str(), nullptr);
    ASSERT_EQ(mt.random53(), expected) << "seed " << n << ", random() value " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, Mt19937Python,
                         ::testing::Values(std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{7},
                                           (std::uint64_t{1} << 32) + 5, std::uint64_t{12345678901234}));

}  // namespace
}  // namespace fdsl
