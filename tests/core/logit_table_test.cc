#include "core/logit_table.h"

#include <gtest/gtest.h>

#include <cmath>

namespace lazystack {
namespace {

TEST(LogitTable, SoftmaxAndLogSoftmaxOfLogits) {
  LogitTable t({"m"}, 1, 3);
  const float logits[] = {1.f, 2.f, 3.f};
  t.set_logits(0, logits);
  const double z = std::exp(1) + std::exp(2) + std::exp(3);
  EXPECT_NEAR(t.probs(0, 0)[2], std::exp(3) / z, 1e-6);
  EXPECT_NEAR(t.log_probs(0, 0)[0], 1 - std::log(z), 1e-5);
}

TEST(LogitTable, SubsetAndSelectModelsKeepRowsAndCosts) {
  LogitTable t({"a", "b"}, 3, 2);
  const float la[] = {0, 1, 1, 0, 0, 2};
  const float lb[] = {5, 0, 0, 5, 0, 1};  // predicts 0, 1, 1: right only on sample 2
  t.set_logits(0, la);
  t.set_logits(1, lb);
  t.set_labels({1, 0, 1});
  t.set_costs({2.0, 7.0});
  LogitTable s = t.subset({2, 0});
  EXPECT_EQ(s.num_samples(), 2);
  EXPECT_EQ(s.labels(), (std::vector<int32_t>{1, 1}));
  EXPECT_FLOAT_EQ(s.probs(1, 0)[0], t.probs(1, 2)[0]);
  LogitTable b = t.select_models({1});
  EXPECT_EQ(b.model_names(), (std::vector<std::string>{"b"}));
  EXPECT_EQ(b.costs(), (std::vector<double>{7.0}));
  EXPECT_FLOAT_EQ(b.probs(0, 1)[1], t.probs(1, 1)[1]);
  EXPECT_DOUBLE_EQ(t.model_accuracy(0), 1.0);
  EXPECT_DOUBLE_EQ(t.model_accuracy(1), 1.0 / 3.0);
}

TEST(LogitTable, RejectsBadLabelsAndCosts) {
  LogitTable t({"a"}, 2, 2);
  EXPECT_THROW(t.set_labels({0, 2}), std::invalid_argument);
  EXPECT_THROW(t.set_labels({0}), std::invalid_argument);
  EXPECT_THROW(t.set_costs({-1.0}), std::invalid_argument);
  EXPECT_THROW(t.set_costs({NAN}), std::invalid_argument);
}

}  // namespace
}  // namespace lazystack
