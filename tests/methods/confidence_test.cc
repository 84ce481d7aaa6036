#include "methods/common/confidence.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "methods/common/temperature.h"

namespace lazystack {
namespace {

TEST(Confidence, MetricsByHand) {
  const float p[] = {0.2f, 0.5f, 0.3f};
  EXPECT_FLOAT_EQ(confidence(ConfidenceMetric::kMaxProb, p, nullptr, 3), 0.5f);
  EXPECT_FLOAT_EQ(confidence(ConfidenceMetric::kMargin, p, nullptr, 3), 0.2f);
  const double h = -(0.2 * std::log(0.2) + 0.5 * std::log(0.5) + 0.3 * std::log(0.3));
  EXPECT_NEAR(confidence(ConfidenceMetric::kEntropy, p, nullptr, 3), 1.0 - h / std::log(3.0), 1e-6);
  EXPECT_NEAR(confidence(ConfidenceMetric::kLogitMargin, p, nullptr, 3), std::log(0.5 / 0.3), 1e-6);
  // The exact log-probabilities win where a probability underflows.
  const float sharp[] = {1.0f, 0.0f};
  const float sharp_log[] = {0.0f, -120.0f};
  EXPECT_FLOAT_EQ(confidence(ConfidenceMetric::kLogitMargin, sharp, sharp_log, 2), 120.0f);
  // Uniform: no confidence at all under the normalised entropy and the margins.
  const float uniform[] = {0.25f, 0.25f, 0.25f, 0.25f};
  EXPECT_NEAR(confidence(ConfidenceMetric::kEntropy, uniform, nullptr, 4), 0.0f, 1e-6);
  EXPECT_FLOAT_EQ(confidence(ConfidenceMetric::kMargin, uniform, nullptr, 4), 0.0f);
}

TEST(Confidence, MarginFindsTheTopTwoAnywhere) {
  const float p[] = {0.1f, 0.05f, 0.4f, 0.45f};
  EXPECT_NEAR(confidence(ConfidenceMetric::kMargin, p, nullptr, 4), 0.05f, 1e-6);
  const float q[] = {0.6f, 0.1f, 0.3f};
  EXPECT_FLOAT_EQ(confidence(ConfidenceMetric::kMargin, q, nullptr, 3), 0.3f);
}

TEST(Confidence, NamesRoundTrip) {
  for (const auto& name : confidence_metric_names())
    EXPECT_EQ(to_string(parse_confidence_metric(name)), name);
  EXPECT_THROW(parse_confidence_metric("max_prob"), std::invalid_argument);
}

TEST(Temperature, RecoversTheTemperatureThatGeneratedTheLabels) {
  // Labels drawn from softmax(z / 2): the NLL-optimal temperature of logits z is about 2.
  const int n = 4000, num_classes = 5;
  std::mt19937_64 rng(7);
  std::normal_distribution<float> gauss(0.0f, 3.0f);
  std::vector<float> logits(n * num_classes);
  std::vector<int32_t> labels(n);
  for (int i = 0; i < n; ++i) {
    std::vector<double> w(num_classes);
    for (int c = 0; c < num_classes; ++c) {
      logits[i * num_classes + c] = gauss(rng);
      w[c] = std::exp(logits[i * num_classes + c] / 2.0);
    }
    labels[i] = std::discrete_distribution<int>(w.begin(), w.end())(rng);
  }
  LogitTable t({"m"}, n, num_classes);
  t.set_logits(0, logits.data());
  t.set_labels(labels);
  EXPECT_NEAR(fit_temperature(t, 0), 2.0, 0.2);

  float probs[num_classes], logs[num_classes];
  const float lp[] = {-0.1f, -2.5f, -3.0f, -4.0f, -5.0f};
  apply_temperature(lp, num_classes, 2.0, probs, logs);
  double sum = 0.0;
  for (int c = 0; c < num_classes; ++c) sum += probs[c];
  EXPECT_NEAR(sum, 1.0, 1e-6);
  EXPECT_NEAR(logs[0] - logs[1], (lp[0] - lp[1]) / 2.0, 1e-6);
  EXPECT_NEAR(std::log(probs[2]), logs[2], 1e-5);
}

}  // namespace
}  // namespace lazystack
