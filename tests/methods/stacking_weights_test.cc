#include "methods/stacking_weights/stacking_weights.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/evaluate.h"
#include "tests/methods/tables.h"

namespace lazystack {
namespace {

StackingWeights make_weights(const nlohmann::json& overrides) {
  return StackingWeights(default_options(StackingWeights::option_specs(), overrides));
}

// Two models, three samples (labels 0 1 2). The probabilities they give the label:
//   s0: A .8, B .2    s1: A .8, B .2    s2: A .2, B .8
// NLL(w) = -(2 log(.2 + .6 w) + log(.8 - .6 w)) / 3 with w = A's weight; d/dw = 0 at
// 2 (.8 - .6 w) = .2 + .6 w, i.e. w = 7/9.
LogitTable two_model_table() {
  return testing::table_from_probs({"A", "B"}, {1.0, 3.0}, {0, 1, 2},
                                   {{{.8f, .1f, .1f}, {.1f, .8f, .1f}, {.45f, .35f, .2f}},
                                    {{.2f, .4f, .4f}, {.4f, .2f, .4f}, {.1f, .1f, .8f}}});
}

TEST(StackingWeights, LearnsTheNllMinimisingMixture) {
  const LogitTable t = two_model_table();
  StackingWeights sw = make_weights({{"tolerance", 1e-12}});
  sw.fit(testing::fit_on(t));
  ASSERT_EQ(sw.weights().size(), 2u);
  EXPECT_NEAR(sw.weights()[0], 7.0 / 9, 1e-5);
  EXPECT_NEAR(sw.weights()[0] + sw.weights()[1], 1.0, 1e-12);
  const auto diag = sw.diagnostics();
  EXPECT_NEAR(diag["weights"]["A"].get<double>(), 7.0 / 9, 1e-5);
  EXPECT_EQ(diag["ranking"], (std::vector<std::string>{"A", "B"}));
  // The learned NLL is below the uniform mixture's (the mean ensemble): -(2 log .5 + log .5)/3.
  EXPECT_NEAR(diag["val_fit_nll_uniform"].get<double>(), -std::log(0.5), 1e-6);
  const double w = 7.0 / 9;
  const double best = -(2 * std::log(.2 + .6 * w) + std::log(.8 - .6 * w)) / 3;
  EXPECT_NEAR(diag["val_fit_nll"].get<double>(), best, 1e-9);
  EXPECT_LT(diag["val_fit_nll"].get<double>(), diag["val_fit_nll_uniform"].get<double>());
  // Stopped by the certificate, not the iteration cap.
  EXPECT_TRUE(diag["converged"].get<bool>());
  EXPECT_LE(diag["optimality_gap"].get<double>(), 1e-12);
  EXPECT_LT(diag["iterations"].get<int>(), 10000);
}

TEST(StackingWeights, TheIterationCapStopsAnUnconvergedFit) {
  StackingWeights sw = make_weights({{"tolerance", 0.0}, {"max_iterations", 3}});
  sw.fit(testing::fit_on(two_model_table()));
  const auto diag = sw.diagnostics();
  EXPECT_EQ(diag["iterations"].get<int>(), 3);
  EXPECT_FALSE(diag["converged"].get<bool>());
  EXPECT_GT(diag["optimality_gap"].get<double>(), 0.0);
  EXPECT_GT(sw.weights()[0], 0.5);  // on its way from 1/2 to 7/9
  EXPECT_LT(sw.weights()[0], 7.0 / 9);
}

TEST(StackingWeights, PredictsTheWeightedMeanWithEveryModelAsOneTier) {
  // With w = (7/9, 2/9): s0 (.667, .167, .167) -> 0; s1 -> 1; s2 (3.35, 2.65, 3) / 9 -> 0.
  const LogitTable t = two_model_table();
  StackingWeights sw = make_weights({{"tolerance", 1e-12}});
  sw.fit(testing::fit_on(t));
  ASSERT_EQ(sw.grid().size(), 1u);
  EXPECT_EQ(sw.grid()[0].label, "weights");
  SampleDecisions d;
  OperatingPoint p = evaluate(sw, t, EvalOptions{}, &d);
  EXPECT_EQ(d.prediction, (std::vector<int32_t>{0, 1, 0}));
  EXPECT_DOUBLE_EQ(p.accuracy, 2.0 / 3);
  // One tier: sequential charges the sum (1 + 3), parallel the max (3); depth 1 either way.
  EXPECT_EQ(d.cost, (std::vector<float>{4, 4, 4}));
  EXPECT_EQ(d.executed_mask, (std::vector<uint64_t>{3, 3, 3}));
  EXPECT_EQ(p.depth_histogram, (std::vector<int64_t>{0, 3, 0}));
  EvalOptions parallel;
  parallel.cost_model = CostModel::kParallel;
  evaluate(sw, t, parallel, &d);
  EXPECT_EQ(d.cost, (std::vector<float>{3, 3, 3}));
}

TEST(StackingWeights, ReliableModelsOutweighUnreliableOnes) {
  // "good" gives the label .9, "uniform" 1/3, "liar" .05 on every sample: the NLL falls as
  // weight moves to good, so it takes (nearly) all of it and the ranking follows reliability.
  const int n = 40;
  std::vector<int32_t> labels(n);
  std::vector<std::vector<std::vector<float>>> probs(3);
  for (int i = 0; i < n; ++i) {
    const int y = i % 3;
    labels[i] = y;
    std::vector<float> good(3, .05f), liar(3, .05f), uniform(3, 1.0f / 3);
    good[y] = .9f;
    liar[(y + 1) % 3] = .9f;
    probs[0].push_back(liar);
    probs[1].push_back(good);
    probs[2].push_back(uniform);
  }
  const LogitTable t =
      testing::table_from_probs({"liar", "good", "uniform"}, {1, 1, 1}, labels, probs);
  StackingWeights sw = make_weights({});
  sw.fit(testing::fit_on(t));
  EXPECT_GT(sw.weights()[1], 0.99);
  EXPECT_EQ(sw.diagnostics()["ranking"], (std::vector<std::string>{"good", "uniform", "liar"}));
  EXPECT_TRUE(sw.diagnostics()["converged"].get<bool>());
  EXPECT_DOUBLE_EQ(evaluate(sw, t, EvalOptions{}).accuracy, 1.0);
}

TEST(StackingWeights, MembersRestrictWhatRuns) {
  const LogitTable t = testing::three_model_table();
  StackingWeights sw = make_weights({{"members", {"mid", "small"}}});
  sw.fit(testing::fit_on(t));
  EXPECT_EQ(sw.members(), (std::vector<int>{1, 2}));
  SampleDecisions d;
  const OperatingPoint p = evaluate(sw, t, EvalOptions{}, &d);
  EXPECT_DOUBLE_EQ(p.mean_cost, 3.0);  // small + mid, never big
  for (uint64_t m : d.executed_mask) EXPECT_EQ(m, 6u);
  EXPECT_EQ(sw.diagnostics()["weights"].size(), 2u);
  StackingWeights unknown = make_weights({{"members", {"mid", "huge"}}});
  EXPECT_THROW(unknown.fit(testing::fit_on(t)), std::runtime_error);
}

TEST(StackingWeights, BadOptionsAreConfigErrors) {
  const auto specs = StackingWeights::option_specs();
  EXPECT_THROW(default_options(specs, {{"max_iterations", 0}}), ConfigError);
  EXPECT_THROW(default_options(specs, {{"tolerance", -1e-3}}), ConfigError);
  EXPECT_THROW(default_options(specs, {{"weights", "softmax"}}), ConfigError);  // unknown key
}

}  // namespace
}  // namespace lazystack
