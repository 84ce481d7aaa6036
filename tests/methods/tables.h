// Hand-made LogitTables for the methods' tests.
#pragma once

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "core/logit_table.h"
#include "core/method.h"

namespace lazystack::testing {

/// A FitContext fitting and calibrating on `t` (every field set, so -Wextra stays quiet).
inline FitContext fit_on(const LogitTable& t, uint64_t seed = 0,
                         CostModel cost_model = CostModel::kSequential) {
  return FitContext{t, t, cost_model, seed, /*cache_dir=*/"", /*dataset_fingerprint=*/""};
}

/// The registry-wide tests' options for `entry`: its defaults, with short training (epochs) and
/// two MDP betas where the method declares those options, so every registered method fits on a
/// tiny table in well under a second.
inline Options quick_options(const MethodRegistry::Entry& entry) {
  nlohmann::json overrides = nlohmann::json::object();
  for (const OptionSpec& spec : entry.options) {
    if (spec.name == "epochs" && spec.type == OptionType::kInt) overrides["epochs"] = 20;
    if (spec.name == "betas" && spec.type == OptionType::kDoubleList)
      overrides["betas"] = {1.0, 100.0};
  }
  return default_options(entry.options, overrides);
}

/// A table from probabilities: probs[m][n] is model m's distribution on sample n (logits are
/// their logs, so the table's probabilities equal them up to float rounding).
inline LogitTable table_from_probs(const std::vector<std::string>& names,
                                   const std::vector<double>& costs,
                                   const std::vector<int32_t>& labels,
                                   const std::vector<std::vector<std::vector<float>>>& probs) {
  const int n = static_cast<int>(labels.size());
  const int num_classes = static_cast<int>(probs.at(0).at(0).size());
  LogitTable t(names, n, num_classes);
  for (size_t m = 0; m < names.size(); ++m) {
    std::vector<float> logits;
    for (const auto& row : probs.at(m))
      for (float p : row) logits.push_back(std::log(p));
    t.set_logits(static_cast<int>(m), logits.data());
  }
  t.set_labels(labels);
  t.set_costs(costs);
  return t;
}

/// The cascade fixture: models listed out of cost order ("big" 5, "small" 1, "mid" 2), three
/// classes, seven samples. See cost_cascade_test.cc for the hand computations.
inline LogitTable three_model_table() {
  const std::vector<std::vector<std::vector<float>>> probs = {
      // big
      {{.9f, .05f, .05f},
       {.1f, .8f, .1f},
       {.1f, .1f, .8f},
       {.3f, .6f, .1f},
       {.05f, .9f, .05f},
       {.02f, .03f, .95f},
       {.5f, .4f, .1f}},
      // small
      {{.95f, .03f, .02f},
       {.6f, .3f, .1f},
       {.2f, .2f, .6f},
       {.1f, .8f, .1f},
       {.34f, .33f, .33f},
       {.05f, .05f, .9f},
       {.55f, .35f, .1f}},
      // mid
      {{.8f, .1f, .1f},
       {.1f, .85f, .05f},
       {.5f, .3f, .2f},
       {.6f, .3f, .1f},
       {.2f, .75f, .05f},
       {.1f, .1f, .8f},
       {.3f, .65f, .05f}},
  };
  return table_from_probs({"big", "small", "mid"}, {5.0, 1.0, 2.0}, {0, 1, 2, 0, 1, 2, 2}, probs);
}

/// A synthetic zoo a stacker can beat easily: model "ab" tells classes {0, 1} apart but swaps
/// 2 and 3; model "cd" tells {2, 3} apart but swaps 0 and 1; model "noise" guesses. Each
/// single model is right on about half the samples; a stacker that trusts "ab" when it says 0
/// or 1 and "cd" otherwise is right on nearly all.
inline LogitTable complementary_table(int n, uint64_t seed) {
  const int num_classes = 4;
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> cls(0, num_classes - 1);
  std::uniform_real_distribution<float> peak(0.45f, 0.9f);
  std::vector<int32_t> labels(n);
  std::vector<std::vector<std::vector<float>>> probs(3, std::vector<std::vector<float>>(n));
  for (int i = 0; i < n; ++i) {
    const int y = cls(rng);
    labels[i] = y;
    const int said[3] = {y >= 2 ? 5 - y : y, y <= 1 ? 1 - y : y, cls(rng)};
    for (int m = 0; m < 3; ++m) {
      const float top = peak(rng);
      std::vector<float> p(num_classes, (1.0f - top) / (num_classes - 1));
      p[said[m]] = top;
      probs[m][i] = p;
    }
  }
  return table_from_probs({"ab", "cd", "noise"}, {1.0, 2.0, 0.5}, labels, probs);
}

}  // namespace lazystack::testing
