#include "methods/stacker/stacker.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "core/evaluate.h"
#include "methods/stacker/stacker_cv.h"
#include "tests/methods/tables.h"

namespace lazystack {
namespace {

using testing::complementary_table;

Stacker make_stacker(const nlohmann::json& overrides = nlohmann::json::object()) {
  return Stacker(default_options(Stacker::registry_entry().options, overrides));
}

// Without cross-validation: the given architecture, early stopping on a holdout.
Stacker plain_stacker(nlohmann::json overrides = nlohmann::json::object()) {
  overrides["cv_folds"] = 0;
  return make_stacker(overrides);
}

// Two confident 2-class models; the label is the XOR of what they say. No linear function of
// their probabilities separates it (logistic regression stays near chance); a small MLP does.
LogitTable xor_table(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> peak(0.7f, 0.95f);
  std::vector<int32_t> labels(n);
  std::vector<std::vector<std::vector<float>>> probs(2, std::vector<std::vector<float>>(n));
  for (int i = 0; i < n; ++i) {
    const int a = static_cast<int>(rng() % 2), b = static_cast<int>(rng() % 2);
    labels[i] = a ^ b;
    for (int m = 0; m < 2; ++m) {
      const int said = m == 0 ? a : b;
      const float top = peak(rng);
      probs[m][i] = said == 0 ? std::vector<float>{top, 1 - top} : std::vector<float>{1 - top, top};
    }
  }
  return testing::table_from_probs({"a", "b"}, {1.0, 1.0}, labels, probs);
}

TEST(Stacker, BeatsEverySingleModelOnAnEasyTable) {
  const LogitTable val_fit = complementary_table(800, 1);
  const LogitTable test = complementary_table(400, 2);
  Stacker stacker = make_stacker({{"cv_folds", 3}, {"epochs", 60}});
  stacker.fit(testing::fit_on(val_fit, /*seed=*/3));
  ASSERT_EQ(stacker.grid().size(), 1u);  // the pipeline relies on a single point
  const auto points = sweep(stacker, test, EvalOptions{});
  ASSERT_EQ(points.size(), 1u);
  double best_single = 0.0;
  for (int m = 0; m < test.num_models(); ++m)
    best_single = std::max(best_single, test.model_accuracy(m));
  EXPECT_LT(best_single, 0.65);
  EXPECT_GT(points[0].accuracy, 0.95);
  EXPECT_GT(points[0].accuracy, best_single + 0.3);
  // Every model runs, as one tier.
  EXPECT_DOUBLE_EQ(points[0].mean_models, 3.0);
  EXPECT_DOUBLE_EQ(points[0].mean_cost, 3.5);
  EXPECT_EQ(points[0].depth_histogram[1], 400);
}

TEST(Stacker, DiagnosticsDescribeTheTraining) {
  const LogitTable val_fit = complementary_table(300, 4);
  Stacker stacker = plain_stacker({{"hidden", {32}}, {"epochs", 20}});
  stacker.fit(testing::fit_on(val_fit));
  const nlohmann::json d = stacker.diagnostics();
  EXPECT_EQ(d["architecture"], "12-32-4");
  EXPECT_EQ(d["parameters"], 13 * 32 + 33 * 4);
  EXPECT_GE(d["epochs_run"].get<int>(), 1);
  EXPECT_LE(d["epochs_run"].get<int>(), 20);
  EXPECT_EQ(d["holdout_rows"], 30);
  EXPECT_GT(d["holdout_loss"].get<double>(), 0.0);
  EXPECT_EQ(d["models"], (std::vector<std::string>{"ab", "cd", "noise"}));
  EXPECT_FALSE(d.contains("cv"));
}

TEST(StackerCv, FoldsPartitionTheRowsAndBalanceTheClasses) {
  std::vector<int32_t> labels;
  for (int i = 0; i < 103; ++i) labels.push_back(i % 7 == 0 ? 1 : 0);  // 15 ones, 88 zeros
  const auto folds = stratified_folds(labels.data(), 103, 5, 4);
  ASSERT_EQ(folds.size(), 5u);
  std::set<int> seen;
  for (const auto& f : folds) {
    EXPECT_GE(f.size(), 20u);
    EXPECT_LE(f.size(), 21u);
    int ones = 0;
    for (int r : f) {
      EXPECT_TRUE(seen.insert(r).second) << r;
      ones += labels[r];
    }
    EXPECT_GE(ones, 3);  // 15 ones over 5 folds
    EXPECT_LE(ones, 3);
  }
  EXPECT_EQ(seen.size(), 103u);
  EXPECT_EQ(stratified_folds(labels.data(), 103, 5, 4), folds);  // seeded
  EXPECT_NE(stratified_folds(labels.data(), 103, 5, 5), folds);
}

TEST(StackerCv, ArchitecturesParse) {
  EXPECT_EQ(parse_hidden("logistic"), std::vector<int>{});
  EXPECT_EQ(parse_hidden("64"), std::vector<int>{64});
  EXPECT_EQ(parse_hidden("128x64"), (std::vector<int>{128, 64}));
  for (const char* bad : {"", "x64", "64x", "64y", "0", "-3", "linear", "5000"})
    EXPECT_THROW(parse_hidden(bad), std::invalid_argument) << bad;
  const auto c = stacker_candidates({"logistic", "16x8"}, {0.0, 0.1});
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(c[1].hidden_name(), "logistic");
  EXPECT_DOUBLE_EQ(c[1].weight_decay, 0.1);
  EXPECT_EQ(c[2].hidden_name(), "16x8");
}

TEST(StackerCv, ChoosesTheMlpWhereLogisticRegressionCannotSeparate) {
  const LogitTable val_fit = xor_table(600, 1), test = xor_table(400, 2);
  Stacker stacker = make_stacker({{"cv_folds", 3},
                                  {"cv_hidden", {"logistic", "16"}},
                                  {"cv_weight_decays", {1e-4}},
                                  {"epochs", 60},
                                  {"lr", 0.01}});
  stacker.fit(testing::fit_on(val_fit, 3));
  const nlohmann::json d = stacker.diagnostics();
  ASSERT_TRUE(d.contains("cv"));
  const nlohmann::json& cv = d["cv"];
  EXPECT_EQ(cv["folds"], 3);
  ASSERT_EQ(cv["candidates"].size(), 2u);
  EXPECT_LT(cv["candidates"][0]["cv_accuracy"].get<double>(), 0.8);  // logistic: near chance
  EXPECT_GT(cv["candidates"][1]["cv_accuracy"].get<double>(), 0.95);
  EXPECT_EQ(cv["chosen"]["hidden"], "16");
  // The chosen epochs, trained on every val_fit row (no holdout).
  EXPECT_EQ(d["epochs_run"], cv["chosen"]["epochs"]);
  EXPECT_EQ(d["holdout_rows"], 0);
  EXPECT_EQ(d["train_rows"], 600);
  EXPECT_EQ(d["architecture"], "4-16-2");
  EXPECT_GT(sweep(stacker, test, EvalOptions{})[0].accuracy, 0.95);
}

TEST(StackerCv, TheChoiceIsTheBestCrossValidatedScore) {
  const LogitTable val_fit = complementary_table(400, 7);
  Stacker stacker = make_stacker({{"cv_folds", 4}, {"epochs", 30}});
  stacker.fit(testing::fit_on(val_fit, 1));
  const nlohmann::json cv = stacker.diagnostics()["cv"];
  ASSERT_EQ(cv["candidates"].size(), 6u);  // {logistic, 64} x the three default weight decays
  double best = -1.0;
  for (const auto& c : cv["candidates"]) {
    best = std::max(best, c["cv_accuracy"].get<double>());
    EXPECT_GE(c["epochs"].get<int>(), 1);
    EXPECT_LE(c["epochs"].get<int>(), 30);
  }
  EXPECT_DOUBLE_EQ(cv["chosen"]["cv_accuracy"].get<double>(), best);
}

TEST(Stacker, SeededFromTheFitContext) {
  const LogitTable val_fit = complementary_table(200, 5);
  Stacker a = make_stacker({{"epochs", 5}, {"cv_folds", 2}}),
          b = make_stacker({{"epochs", 5}, {"cv_folds", 2}}),
          c = make_stacker({{"epochs", 5}, {"cv_folds", 2}});
  a.fit(testing::fit_on(val_fit, 11));
  b.fit(testing::fit_on(val_fit, 11));
  c.fit(testing::fit_on(val_fit, 12));
  EXPECT_TRUE(a.weights() == b.weights());
  EXPECT_FALSE(a.weights() == c.weights());
}

TEST(Stacker, RefusesATableOfAnotherShape) {
  const LogitTable val_fit = complementary_table(100, 6);
  Stacker stacker = make_stacker({{"epochs", 2}});
  stacker.fit(testing::fit_on(val_fit));
  const LogitTable two_models = val_fit.select_models({0, 1});
  EXPECT_THROW(evaluate(stacker, two_models, EvalOptions{}), std::logic_error);
}

}  // namespace
}  // namespace lazystack
