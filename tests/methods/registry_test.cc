// Every registered method end to end on a tiny table, the way pipeline/run.cc drives it:
// make from declared options, fit on val_fit, sweep val_cal, pick the headline, evaluate test.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/evaluate.h"
#include "core/stream.h"
#include "methods/builtin.h"
#include "tests/methods/tables.h"

namespace lazystack {
namespace {

using testing::complementary_table;

TEST(BuiltinMethods, RegisteredWithDescriptionsAndOptions) {
  MethodRegistry registry;
  register_builtin_methods(registry);
  // Every method DESIGN.md lists is registered (a new method adds itself: no edit here).
  const std::vector<std::string> names = registry.names();  // sorted
  const std::vector<std::string> required = {"abc",
                                             "cascade-search",
                                             "coe",
                                             "cost-cascade",
                                             "ensemble",
                                             "lazystack-mask",
                                             "lazystack-neither",
                                             "lazystack-no-mdp",
                                             "lazystack-no-sub",
                                             "lazystack-sub",
                                             "ocl",
                                             "oracle",
                                             "single",
                                             "stacker",
                                             "stacker-weights",
                                             "stacking-weights",
                                             "woc"};
  for (const std::string& name : required)
    EXPECT_TRUE(std::binary_search(names.begin(), names.end(), name)) << name;
  for (const auto* entry : registry.entries()) {
    EXPECT_FALSE(entry->description.empty()) << entry->name;
    for (const auto& spec : entry->options) EXPECT_FALSE(spec.description.empty()) << spec.name;
    EXPECT_NO_THROW(default_options(entry->options)) << entry->name;  // defaults are valid
    // The card: a version for the method cache key, and model options that are declared.
    EXPECT_FALSE(entry->card.version.empty()) << entry->name;
    for (const ModelOption& mo : entry->card.model_options)
      EXPECT_TRUE(std::any_of(entry->options.begin(), entry->options.end(),
                              [&](const OptionSpec& s) { return s.name == mo.option; }))
          << entry->name << ": card names undeclared option " << mo.option;
  }
  EXPECT_THROW(register_builtin_methods(registry), std::logic_error);  // no double registration
}

TEST(BuiltinMethods, EachRunsEndToEnd) {
  MethodRegistry registry;
  register_builtin_methods(registry);
  const LogitTable val_fit = complementary_table(300, 1);
  const LogitTable val_cal = complementary_table(200, 2);
  const LogitTable test = complementary_table(200, 3);
  const double full_cost = 0.5 + 1.0 + 2.0;
  for (const auto* entry : registry.entries()) {
    SCOPED_TRACE(entry->name);
    // Online methods need features and a stream: ocl_test.cc and the e2e run cover them.
    if (entry->card.kind == MethodKind::kOnline) {
      EXPECT_FALSE(entry->make);
      ASSERT_TRUE(entry->card.make_online);
      EXPECT_TRUE(entry->card.make_online(testing::quick_options(*entry))->grid().size() > 0);
      continue;
    }
    ASSERT_TRUE(entry->make);
    EXPECT_FALSE(entry->card.make_online);
    const auto method = entry->make(testing::quick_options(*entry));
    method->fit(FitContext{val_fit, val_cal, CostModel::kSequential, /*seed=*/1, "", ""});
    const auto val_points = sweep(*method, val_cal, EvalOptions{});
    ASSERT_FALSE(val_points.empty());
    const int headline = select_headline(val_points, /*target_accuracy=*/0.9);
    ASSERT_GE(headline, 0);
    method->set_knob(val_points[headline].knob);
    const OperatingPoint p = evaluate(*method, test, EvalOptions{});
    EXPECT_GE(p.accuracy, 0.0);
    EXPECT_LE(p.accuracy, 1.0);
    EXPECT_GT(p.mean_cost, 0.0);
    EXPECT_LE(p.mean_cost, full_cost + 1e-12);
    EXPECT_EQ(method->is_bound(), entry->card.kind == MethodKind::kBound);
    EXPECT_TRUE(method->diagnostics().is_object());
  }
}

TEST(BuiltinMethods, CascadeCurveRunsFromTheCheapestModelToAll) {
  MethodRegistry registry;
  register_builtin_methods(registry);
  const LogitTable val_fit = complementary_table(300, 4);
  const auto cascade =
      registry.find("cost-cascade")->make(default_options(registry.find("cost-cascade")->options));
  cascade->fit(testing::fit_on(val_fit));
  const auto points = sweep(*cascade, val_fit, EvalOptions{});
  ASSERT_GT(points.size(), 100u);
  EXPECT_DOUBLE_EQ(points.front().mean_cost, 0.5);  // threshold 0: "noise" alone
  EXPECT_DOUBLE_EQ(points.front().mean_models, 1.0);
  for (size_t i = 1; i < points.size(); ++i)  // cost never falls as the threshold rises
    EXPECT_GE(points[i].mean_cost, points[i - 1].mean_cost - 1e-12);
  EXPECT_GT(points.back().mean_models, 2.5);
}

}  // namespace
}  // namespace lazystack
