// pnoise1 equals the Python `noise` package's pnoise1, float for float; the package is the oracle.
#include "fdsl/render/perlin.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "test_support.h"

namespace fdsl {
namespace {

// 120,000 inputs: the range the contour scripts use (U(0, 10000)), negatives, values near and at
// integers and cell borders of the 1024 repeat, and large magnitudes up to where floats have no
// fraction left.
const char* kOracle = R"(
import random, noise
random.seed(2024)
xs = []
xs += [random.uniform(0, 10000) for _ in range(60000)]
xs += [random.uniform(-10000, 0) for _ in range(20000)]
xs += [random.uniform(-3e7, 3e7) for _ in range(10000)]
xs += [random.uniform(-300, 300) for _ in range(10000)]
xs += [float(i) for i in range(-2050, 2050)]
xs += [i + d for i in (-1025, -1024, -1, 0, 1, 255, 256, 1023, 1024, 4095) for d in (1e-7, -1e-7, 0.5, 0.999999, -0.000001)]
xs += [-0.0, 0.0, 1e-30, -1e-30, 16777216.0, -16777216.0, 8388607.5, -8388607.5]
while len(xs) < 120000:
    xs.append(random.uniform(-2e4, 2e4))
print(len(xs))
for x in xs:
    print(repr(x), repr(noise.pnoise1(x)))
)";

TEST(Perlin, Pnoise1MatchesTheNoisePackageOnEveryInput) {
  const test::CommandResult r = test::run_python(kOracle);
  ASSERT_EQ(r.exit_code, 0) << r.output.substr(0, 2000);
  std::istringstream in(r.output);
  std::size_t n = 0;
  ASSERT_TRUE(in >> n);
  ASSERT_GE(n, 100000u);
  std::vector<double> xs(n), expected(n);
  std::string a, b;
  for (std::size_t i = 0; i < n; ++i) {
    ASSERT_TRUE(in >> a >> b) << "line " << i;
    xs[i] = std::strtod(a.c_str(), nullptr);
    expected[i] = std::strtod(b.c_str(), nullptr);
  }
  std::vector<float> block(n);
  pnoise1(xs.data(), block.data(), n);
  std::size_t nonzero = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double one = static_cast<double>(pnoise1(static_cast<float>(xs[i])));
    ASSERT_EQ(one, expected[i]) << "pnoise1(" << a << ") input " << i << " x = " << xs[i];
    ASSERT_EQ(static_cast<double>(block[i]), expected[i]) << "block pnoise1, input " << i << " x = " << xs[i];
    nonzero += expected[i] != 0.0;
  }
  // The oracle really exercises the function (not all zeros at integers).
  EXPECT_GT(nonzero, n / 2);
}

TEST(Perlin, Pnoise1IsZeroAtIntegersAndBounded) {
  for (int i = -3000; i <= 3000; ++i) EXPECT_EQ(pnoise1(static_cast<float>(i)), 0.0f) << i;
  for (int i = 0; i < 100000; ++i) {
    const float v = pnoise1(static_cast<float>(i) * 0.0371f - 1000.0f);
    ASSERT_LE(std::abs(v), 0.4f * 8.0f);
  }
}

}  // namespace
}  // namespace fdsl
