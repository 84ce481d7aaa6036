#include "methods/stacker/stacker.h"

#include <gtest/gtest.h>

#include "core/evaluate.h"
#include "tests/methods/tables.h"

namespace lazystack {
namespace {

using testing::complementary_table;

Stacker make_stacker(const nlohmann::json& overrides = nlohmann::json::object()) {
  return Stacker(default_options(Stacker::registry_entry().options, overrides));
}

TEST(Stacker, BeatsEverySingleModelOnAnEasyTable) {
  const LogitTable val_fit = complementary_table(800, 1);
  const LogitTable test = complementary_table(400, 2);
  Stacker stacker = make_stacker();
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
  Stacker stacker = make_stacker({{"hidden", {32}}, {"epochs", 20}});
  stacker.fit(testing::fit_on(val_fit));
  const nlohmann::json d = stacker.diagnostics();
  EXPECT_EQ(d["architecture"], "12-32-4");
  EXPECT_EQ(d["parameters"], 13 * 32 + 33 * 4);
  EXPECT_GE(d["epochs_run"].get<int>(), 1);
  EXPECT_LE(d["epochs_run"].get<int>(), 20);
  EXPECT_EQ(d["holdout_rows"], 30);
  EXPECT_GT(d["holdout_loss"].get<double>(), 0.0);
  EXPECT_EQ(d["models"], (std::vector<std::string>{"ab", "cd", "noise"}));
}

TEST(Stacker, SeededFromTheFitContext) {
  const LogitTable val_fit = complementary_table(200, 5);
  Stacker a = make_stacker({{"epochs", 5}}), b = make_stacker({{"epochs", 5}}),
          c = make_stacker({{"epochs", 5}});
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
