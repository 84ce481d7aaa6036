#include "methods/common/mlp_train.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace lazystack {
namespace {

// A learnable task: label = argmax of a fixed linear map of Gaussian features.
struct Task {
  std::vector<float> x;
  std::vector<int32_t> y;
  int rows = 0, dim = 0, classes = 0;

  MlpTrainData data() const {
    MlpTrainData d;
    d.features = x.data();
    d.labels = y.data();
    d.num_rows = rows;
    d.input_dim = dim;
    d.num_classes = classes;
    return d;
  }
};

Task linear_task(int rows, uint64_t seed, bool random_labels = false) {
  Task t;
  t.rows = rows;
  t.dim = 8;
  t.classes = 3;
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> gauss(0.0f, 1.0f);
  std::uniform_int_distribution<int> cls(0, t.classes - 1);
  for (int r = 0; r < rows; ++r) {
    float score[3] = {0, 0, 0};
    for (int i = 0; i < t.dim; ++i) {
      const float v = gauss(rng);
      t.x.push_back(v);
      score[0] += v * (i % 3 == 0);
      score[1] += v * (i % 3 == 1);
      score[2] += v * (i % 3 == 2);
    }
    const int y = static_cast<int>(std::max_element(score, score + 3) - score);
    t.y.push_back(random_labels ? cls(rng) : y);
  }
  return t;
}

MlpTrainOptions quick(uint64_t seed) {
  MlpTrainOptions o;
  o.hidden = {16};
  o.max_epochs = 30;
  o.batch_size = 64;
  o.learning_rate = 1e-2;
  o.seed = seed;
  return o;
}

TEST(TrainMlp, DeterministicForAFixedSeed) {
  const Task task = linear_task(400, 1);
  const MlpTrainResult a = train_mlp(task.data(), quick(5));
  const MlpTrainResult b = train_mlp(task.data(), quick(5));
  EXPECT_TRUE(a.weights == b.weights);
  EXPECT_EQ(a.epochs_run, b.epochs_run);
  EXPECT_EQ(a.holdout_indices, b.holdout_indices);
  const MlpTrainResult c = train_mlp(task.data(), quick(6));
  EXPECT_FALSE(a.weights == c.weights);
  EXPECT_NE(a.holdout_indices, c.holdout_indices);
}

TEST(TrainMlp, ExportedWeightsReproduceTheHeldOutLoss) {
  // The held-out loss LibTorch reported, recomputed from the exported weights with the kernel:
  // checks the export (transposes, layer order) end to end.
  const Task task = linear_task(500, 2);
  const MlpTrainResult r = train_mlp(task.data(), quick(3));
  ASSERT_EQ(r.holdout_rows, 50);
  ASSERT_EQ(r.holdout_indices.size(), 50u);
  EXPECT_EQ(r.train_rows, 450);
  EXPECT_EQ(r.weights.architecture(), "8-16-3");
  MlpKernel kernel(r.weights);
  double loss = 0.0;
  int correct = 0;
  std::vector<float> p(3);
  for (int row : r.holdout_indices) {
    kernel.forward(task.x.data() + row * task.dim, p.data());
    loss -= std::log(p[task.y[row]]);
    correct += std::max_element(p.begin(), p.end()) - p.begin() == task.y[row];
  }
  EXPECT_NEAR(loss / r.holdout_rows, r.holdout_loss, 1e-5);
  EXPECT_DOUBLE_EQ(static_cast<double>(correct) / r.holdout_rows, r.holdout_accuracy);
  EXPECT_GT(r.holdout_accuracy, 0.85);  // it learned the linear rule
}

TEST(TrainMlp, EarlyStoppingKeepsTheBestEpoch) {
  // Random labels: the held-out loss stops improving quickly.
  const Task task = linear_task(300, 3, /*random_labels=*/true);
  MlpTrainOptions o = quick(4);
  o.hidden = {64};
  o.max_epochs = 500;
  o.patience = 3;
  const MlpTrainResult r = train_mlp(task.data(), o);
  EXPECT_TRUE(r.early_stopped);
  EXPECT_LT(r.epochs_run, 500);
  EXPECT_EQ(r.epochs_run, r.best_epoch + o.patience);
}

TEST(TrainMlp, WithoutHoldoutTrainsEveryEpoch) {
  const Task task = linear_task(100, 4);
  MlpTrainOptions o = quick(1);
  o.holdout_fraction = 0.0;
  o.max_epochs = 7;
  const MlpTrainResult r = train_mlp(task.data(), o);
  EXPECT_EQ(r.epochs_run, 7);
  EXPECT_EQ(r.best_epoch, 7);
  EXPECT_EQ(r.holdout_rows, 0);
  EXPECT_TRUE(r.to_json()["holdout_loss"].is_null());
  EXPECT_FALSE(r.early_stopped);
}

TEST(TrainMlp, ZeroWeightRowsAreIgnored) {
  // Every row appears twice: once with its true label (weight 1), once with a wrong label
  // (weight 0). Unweighted, the labels contradict each other; weighted, the rule is learnable.
  const Task base = linear_task(300, 5);
  Task task = base;
  std::vector<float> weights(2 * base.rows, 1.0f);
  for (int r = 0; r < base.rows; ++r) {
    task.x.insert(task.x.end(), base.x.begin() + r * base.dim, base.x.begin() + (r + 1) * base.dim);
    task.y.push_back((base.y[r] + 1) % base.classes);
    weights[base.rows + r] = 0.0f;
  }
  task.rows = 2 * base.rows;
  MlpTrainData data = task.data();
  data.sample_weights = weights.data();
  MlpTrainOptions o = quick(2);
  o.holdout_fraction = 0.0;
  const MlpTrainResult r = train_mlp(data, o);
  MlpKernel kernel(r.weights);
  int correct = 0;
  std::vector<float> logits(3);
  for (int row = 0; row < base.rows; ++row) {
    kernel.logits(base.x.data() + row * base.dim, logits.data());
    correct += std::max_element(logits.begin(), logits.end()) - logits.begin() == base.y[row];
  }
  EXPECT_GT(correct, 0.85 * base.rows);
}

TEST(TrainMlp, BadInputsThrow) {
  Task task = linear_task(20, 6);
  task.y[3] = 7;
  EXPECT_THROW(train_mlp(task.data(), quick(0)), std::invalid_argument);
  task.y[3] = 0;
  std::vector<float> weights(20, 1.0f);
  weights[5] = -1.0f;
  MlpTrainData data = task.data();
  data.sample_weights = weights.data();
  EXPECT_THROW(train_mlp(data, quick(0)), std::invalid_argument);
  MlpTrainData empty = task.data();
  empty.num_rows = 0;
  EXPECT_THROW(train_mlp(empty, quick(0)), std::invalid_argument);
  MlpTrainOptions bad = quick(0);
  bad.learning_rate = 0.0;
  EXPECT_THROW(train_mlp(task.data(), bad), std::invalid_argument);
}

TEST(MlpTrainOptions, DeclaredOptionsRoundTripAndRejectBadValues) {
  MlpTrainOptions defaults;
  defaults.hidden = {32, 16};
  defaults.patience = 4;
  const auto specs = mlp_train_option_specs(defaults);
  const MlpTrainOptions o = mlp_train_options(default_options(specs), /*seed=*/9);
  EXPECT_EQ(o.hidden, defaults.hidden);
  EXPECT_EQ(o.patience, 4);
  EXPECT_EQ(o.max_epochs, defaults.max_epochs);
  EXPECT_EQ(o.seed, 9u);
  const MlpTrainOptions linear =
      mlp_train_options(default_options(specs, {{"hidden", nlohmann::json::array()}}), 0);
  EXPECT_TRUE(linear.hidden.empty());
  EXPECT_THROW(default_options(specs, {{"hidden", {64, 0}}}), ConfigError);
  EXPECT_THROW(default_options(specs, {{"lr", 0}}), ConfigError);
  EXPECT_THROW(default_options(specs, {{"holdout", 0.95}}), ConfigError);
  EXPECT_THROW(default_options(specs, {{"epochs", 2.5}}), ConfigError);
}

}  // namespace
}  // namespace lazystack
