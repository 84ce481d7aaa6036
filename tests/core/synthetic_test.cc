// The knob-driven synthetic zoo: accuracy near its knob, errors that agree more as the
// correlation knob grows, calibrated probabilities at temperature 1, determinism.
#include "core/synthetic.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

namespace lazystack {
namespace {

constexpr int kSamples = 4000, kClasses = 50;

SyntheticMember member(double accuracy, double correlation, uint64_t seed, double t = 1.0) {
  SyntheticMember m;
  m.accuracy = accuracy;
  m.correlation = correlation;
  m.seed = seed;
  m.temperature = t;
  return m;
}

// Share of samples both models get wrong with the same wrong class, among those both get wrong.
double same_wrong_answer_share(const LogitTable& t, int a, int b) {
  int both_wrong = 0, same = 0;
  for (int n = 0; n < t.num_samples(); ++n) {
    const int pa = argmax(t.probs(a, n)), pb = argmax(t.probs(b, n));
    if (pa == t.labels()[n] || pb == t.labels()[n]) continue;
    ++both_wrong;
    same += pa == pb;
  }
  return both_wrong ? static_cast<double>(same) / both_wrong : 0.0;
}

// Correlation of the two models' error indicators over the samples.
double error_correlation(const LogitTable& t, int a, int b) {
  double ea = 0, eb = 0, eab = 0;
  const int n_total = t.num_samples();
  for (int n = 0; n < n_total; ++n) {
    const double wa = argmax(t.probs(a, n)) != t.labels()[n];
    const double wb = argmax(t.probs(b, n)) != t.labels()[n];
    ea += wa;
    eb += wb;
    eab += wa * wb;
  }
  ea /= n_total;
  eb /= n_total;
  eab /= n_total;
  return (eab - ea * eb) / std::sqrt(ea * (1 - ea) * eb * (1 - eb));
}

TEST(SyntheticZoo, AccuracyIsNearItsKnobForAnyCorrelation) {
  const std::vector<SyntheticMember> members = {member(0.3, 0.0, 1), member(0.6, 0.5, 2),
                                                member(0.9, 0.9, 3), member(0.6, 0.9, 4)};
  const LogitTable t = synthetic_zoo_table(members, {1, 2, 3, 4}, kSamples, kClasses, 7);
  // Binomial sd at 4000 samples is at most 0.008: 0.03 is over 3.5 sd.
  for (int m = 0; m < 4; ++m) EXPECT_NEAR(t.model_accuracy(m), members[m].accuracy, 0.03) << m;
  // The solved signal reproduces the knob by its own integral: more accuracy needs more signal.
  EXPECT_LT(synthetic_signal_for_accuracy(0.6, 10), synthetic_signal_for_accuracy(0.6, 1000));
  EXPECT_LT(synthetic_signal_for_accuracy(0.5, 10), synthetic_signal_for_accuracy(0.9, 10));
}

TEST(SyntheticZoo, HigherCorrelationKnobMeansErrorsAgreeMore) {
  auto table = [](double rho) {
    return synthetic_zoo_table({member(0.6, rho, 1), member(0.6, rho, 2)}, {1, 1}, kSamples,
                               kClasses, 11);
  };
  const LogitTable independent = table(0.0), medium = table(0.5), strong = table(0.9);
  EXPECT_NEAR(error_correlation(independent, 0, 1), 0.0, 0.06);
  EXPECT_GT(error_correlation(medium, 0, 1), error_correlation(independent, 0, 1) + 0.1);
  EXPECT_GT(error_correlation(strong, 0, 1), error_correlation(medium, 0, 1) + 0.1);
  // Independent members pick the same wrong class about 1 time in 49; correlated ones often.
  EXPECT_LT(same_wrong_answer_share(independent, 0, 1), 0.06);
  EXPECT_GT(same_wrong_answer_share(strong, 0, 1), 0.4);
}

TEST(SyntheticZoo, SameSeedSameTableAndMembersAreGeneratedIndependently) {
  const std::vector<SyntheticMember> members = {member(0.5, 0.5, 1), member(0.7, 0.5, 2)};
  const LogitTable a = synthetic_zoo_table(members, {1, 3}, 500, 20, 5);
  const LogitTable b = synthetic_zoo_table(members, {1, 3}, 500, 20, 5);
  const LogitTable other = synthetic_zoo_table(members, {1, 3}, 500, 20, 6);
  for (int m = 0; m < 2; ++m)
    EXPECT_TRUE(
        std::equal(a.model_log_probs(m), a.model_log_probs(m) + 500 * 20, b.model_log_probs(m)));
  EXPECT_EQ(a.labels(), b.labels());
  EXPECT_NE(a.labels(), other.labels());
  EXPECT_EQ(a.costs(), (std::vector<double>{1, 3}));
  // Member 1 alone, from (seed, its seed, sample index), equals member 1 of the zoo.
  const LogitTable alone = synthetic_zoo_table({members[1]}, {3}, 500, 20, 5);
  EXPECT_TRUE(std::equal(alone.model_log_probs(0), alone.model_log_probs(0) + 500 * 20,
                         a.model_log_probs(1)));
}

TEST(SyntheticZoo, TemperatureOneIsCalibratedAndTwoIsUnderconfident) {
  auto mean_confidence = [](const LogitTable& t) {
    double sum = 0;
    for (int n = 0; n < t.num_samples(); ++n) sum += t.probs(0, n)[argmax(t.probs(0, n))];
    return sum / t.num_samples();
  };
  const LogitTable calibrated = synthetic_zoo_table({member(0.7, 0.5, 1)}, {1}, kSamples, 10, 3);
  const LogitTable soft = synthetic_zoo_table({member(0.7, 0.5, 1, 2.0)}, {1}, kSamples, 10, 3);
  EXPECT_NEAR(mean_confidence(calibrated), calibrated.model_accuracy(0), 0.03);
  EXPECT_LT(mean_confidence(soft), soft.model_accuracy(0) - 0.1);
  EXPECT_DOUBLE_EQ(soft.model_accuracy(0), calibrated.model_accuracy(0));  // same argmax
}

TEST(SyntheticZoo, KnobsOutOfRangeAreRefused) {
  EXPECT_THROW(synthetic_signal_for_accuracy(0.1, 10), std::invalid_argument);  // chance
  EXPECT_THROW(synthetic_signal_for_accuracy(1.0, 10), std::invalid_argument);
  EXPECT_THROW(synthetic_zoo_table({member(0.5, 1.0, 1)}, {1}, 10, 10, 1), std::invalid_argument);
  EXPECT_EQ(geometric_costs(3, 0.5, 2.0), (std::vector<double>{0.5, 1.0, 2.0}));
}

}  // namespace
}  // namespace lazystack
