// arch synthetic on the synthetic dataset: members built through build_zoo reach their accuracy
// knob, are deterministic (a cold rebuild gives the same logits), differ by name, and their
// errors agree more under a higher correlation knob.
#include <gtest/gtest.h>

#include "datasets/featureless.h"
#include "fixtures.h"
#include "zoo/zoo.h"

namespace lazystack {
namespace {

using testing_zoo::TempDir;

std::unique_ptr<Dataset> synthetic_dataset(long classes, long val, long test, long seed) {
  const DatasetRegistry::Entry entry = synthetic_dataset_entry();
  return entry.make(
      default_options(
          entry.options,
          {{"classes", classes}, {"val_size", val}, {"test_size", test}, {"seed", seed}}),
      /*seed=*/0);
}

ZooEntry member(const std::string& name, double accuracy, double correlation, double cost) {
  const auto* arch = testing_zoo::builtin_models().find("synthetic");
  ZooEntry e;
  e.name = name;
  e.arch = "synthetic";
  e.options =
      default_options(arch->options, {{"accuracy", accuracy}, {"correlation", correlation}});
  e.given_cost = cost;
  return e;
}

// Share of samples where both members are wrong, over the share expected if independent.
double joint_error_ratio(const LogitTable& t, int a, int b) {
  double wa = 0, wb = 0, both = 0;
  for (int n = 0; n < t.num_samples(); ++n) {
    const bool ea = argmax(t.probs(a, n)) != t.labels()[n];
    const bool eb = argmax(t.probs(b, n)) != t.labels()[n];
    wa += ea;
    wb += eb;
    both += ea && eb;
  }
  const double n = t.num_samples();
  return (both / n) / ((wa / n) * (wb / n));
}

TEST(SyntheticMember, BuildsToItsKnobsDeterministicallyOnTheSyntheticDataset) {
  TempDir dir;
  const auto ds = synthetic_dataset(20, 3000, 3000, 4);
  EXPECT_EQ(ds->train.num_samples, 0);
  EXPECT_EQ(ds->shape.feature_dim(), 0);
  EXPECT_NE(ds->val.y, ds->test.y);
  const std::vector<ZooEntry> entries = {member("a", 0.5, 0.0, 1), member("b", 0.5, 0.0, 2),
                                         member("c", 0.5, 0.9, 3), member("d", 0.5, 0.9, 4),
                                         member("e", 0.8, 0.5, 5)};
  ZooOptions options;
  options.cache_dir = dir.file("cache");
  options.cost = CostUnit::kGiven;
  options.profile_repeats = 1;
  const Zoo zoo = build_zoo(*ds, entries, options, testing_zoo::builtin_models());
  ASSERT_EQ(zoo.test.num_models(), 5);
  for (int m = 0; m < 5; ++m) {
    EXPECT_NEAR(zoo.val.model_accuracy(m), entries[m].options.get_double("accuracy"), 0.035);
    EXPECT_NEAR(zoo.test.model_accuracy(m), entries[m].options.get_double("accuracy"), 0.035);
  }
  EXPECT_EQ(zoo.test.costs(), (std::vector<double>{1, 2, 3, 4, 5}));
  // Independent members' errors coincide about as often as chance says; correlated ones more.
  EXPECT_NEAR(joint_error_ratio(zoo.test, 0, 1), 1.0, 0.1);
  EXPECT_GT(joint_error_ratio(zoo.test, 2, 3), 1.3);
  // Another name, other noise: a and b share every knob but not their logits.
  EXPECT_FALSE(std::equal(zoo.test.model_log_probs(0), zoo.test.model_log_probs(0) + 3000 * 20,
                          zoo.test.model_log_probs(1)));
  // Recomputed from nothing (another cache, forced): the same logits.
  options.cache_dir = dir.file("cache2");
  options.force = true;
  const Zoo again = build_zoo(*ds, entries, options, testing_zoo::builtin_models());
  EXPECT_EQ(again.members[4].from_cache, false);
  for (int m = 0; m < 5; ++m)
    EXPECT_TRUE(std::equal(zoo.test.model_log_probs(m), zoo.test.model_log_probs(m) + 3000 * 20,
                           again.test.model_log_probs(m)));
  // An accuracy at or below chance for the dataset fails that member, naming the reason.
  const Zoo chance =
      build_zoo(*ds, {member("low", 0.04, 0.5, 1)}, options, testing_zoo::builtin_models());
  EXPECT_NE(chance.members[0].error.find("chance"), std::string::npos) << chance.members[0].error;
}

}  // namespace
}  // namespace lazystack
