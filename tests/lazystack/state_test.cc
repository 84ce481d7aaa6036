#include "methods/lazystack/state.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace lazystack {
namespace lazy {
namespace {

TEST(LazyState, FastLogMatchesStdLogAcrossTheFloatRange) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> exponent(-37.0, 37.0);
  double worst = 0.0;
  for (int i = 0; i < 200000; ++i) {
    const float x = static_cast<float>(std::pow(10.0, exponent(rng)));
    const double exact = std::log(static_cast<double>(x));
    worst = std::max(worst, std::abs(fast_log(x) - exact) / std::max(1.0, std::abs(exact)));
  }
  EXPECT_LT(worst, 3e-7);
  // Around the mantissa split at sqrt(2) and at powers of two.
  for (float x : {1.0f, 1.41421f, 1.41422f, 2.0f, 0.5f, 0.70710f, 0.70711f, 1e-30f, 3e38f})
    EXPECT_NEAR(fast_log(x), std::log(x), 3e-7 * std::max(1.0f, std::abs(std::log(x)))) << x;
  EXPECT_EQ(fast_log(1.0f), 0.0f);
}

TEST(LazyState, EntropyOfKnownVectors) {
  const float uniform[4] = {0.25f, 0.25f, 0.25f, 0.25f};
  EXPECT_NEAR(entropy_nats(uniform, 4), std::log(4.0f), 1e-6);
  const float one_hot[3] = {0.0f, 1.0f, 0.0f};
  EXPECT_NEAR(entropy_nats(one_hot, 3), 0.0f, 1e-6);
  const float p[2] = {0.9f, 0.1f};
  EXPECT_NEAR(entropy_nats(p, 2), -(0.9 * std::log(0.9) + 0.1 * std::log(0.1)), 1e-6);
}

TEST(LazyState, EntropyBinsAreEqualWidthOnNormalisedEntropy) {
  const float uniform[4] = {0.25f, 0.25f, 0.25f, 0.25f};
  EXPECT_EQ(entropy_bin(uniform, 4, 10), 9);  // H / log C = 1 lands in the last bin
  const float one_hot[4] = {0.0f, 0.0f, 1.0f, 0.0f};
  EXPECT_EQ(entropy_bin(one_hot, 4, 10), 0);
  // H([0.9, 0.1]) / log 2 = 0.469: bin 4 of 10, bin 0 of 2, bin 1 of 3.
  const float p[2] = {0.9f, 0.1f};
  EXPECT_EQ(entropy_bin(p, 2, 10), 4);
  EXPECT_EQ(entropy_bin(p, 2, 2), 0);
  EXPECT_EQ(entropy_bin(p, 2, 3), 1);
  EXPECT_EQ(entropy_bin(p, 2, 1), 0);
  const float single[1] = {1.0f};
  EXPECT_EQ(entropy_bin(single, 1, 10), 0);
}

TEST(LazyState, MeanBinClassAveragesThenBins) {
  std::vector<float> sum = {0.9f + 0.1f, 0.1f + 0.9f - 0.2f, 0.2f};  // two vectors summed
  const BinClass bc = mean_bin_class(sum.data(), 2, 3, 10);
  EXPECT_FLOAT_EQ(sum[0], 0.5f);
  EXPECT_FLOAT_EQ(sum[1], 0.4f);
  EXPECT_FLOAT_EQ(sum[2], 0.1f);
  EXPECT_EQ(bc.cls, 0);
  EXPECT_EQ(bc.bin, entropy_bin(sum.data(), 3, 10));
  EXPECT_EQ(set_size(0b1011), 3);
}

}  // namespace
}  // namespace lazy
}  // namespace lazystack
