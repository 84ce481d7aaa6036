// `stacking-weights` (alias `stacker-weights`, DESIGN.md's name): StackingNet-style reliability
// weighting. A learned weight per model, w on the probability simplex (w_m >= 0, sum 1),
// combines the models' probabilities, p(x) = sum_m w_m p_m(x), and answers argmax p(x). Every
// member runs, as one Meter tier; there is no early exit (a stacking baseline).
//
// papers/stackingnet_summary.txt (a news summary of arXiv 2602.13792) names learned
// per-model reliability weights but fixes neither their parametrisation nor the fit. Ours:
// non-negative weights normalised to sum 1 (not a softmax of free logits, which cannot reach
// an exact zero), fitted on val_fit by minimising the mean negative log-likelihood
// -mean_n log sum_m w_m p_m(y_n | x_n). That NLL is convex in w, and its minimiser over the
// simplex is found by the EM fixed point for mixture weights,
//   w_m <- mean_n [ w_m p_m(y_n | x_n) / sum_j w_j p_j(y_n | x_n) ],
// which stays on the simplex, never increases the NLL and needs no step size. Iteration
// starts at uniform weights (the mean ensemble) and stops once the NLL is certified within
// `tolerance` nats of its minimum (the Frank-Wolfe gap max_m a_m - 1, a_m = mean_n
// p_m(y_n | x_n) / p(y_n | x_n), bounds the excess NLL of a convex objective) or after
// `max_iterations`. Only the true-class probabilities of
// val_fit are used. The learned weights, by model name and ranked, are the diagnostics: a
// reliability ranking of the zoo.
#pragma once

#include <string>
#include <vector>

#include "methods/common/method_kit.h"

namespace lazystack {

/// One point, labelled "weights".
class StackingWeights : public SinglePointMethod {
 public:
  static MethodRegistry::Entry registry_entry();
  /// The same method under DESIGN.md's name, `stacker-weights`.
  static MethodRegistry::Entry alias_registry_entry();
  static std::vector<OptionSpec> option_specs();

  explicit StackingWeights(const Options& options);

  /// Fits the weights on val_fit (EM on the mixture NLL).
  void fit(const FitContext& ctx) override;
  /// Runs every member as one tier; returns argmax of the weighted mean probability.
  int predict(Meter& meter) override;
  /// Weights by model name, the ranking, val_fit NLL and accuracy (uniform vs learned),
  /// iterations.
  nlohmann::json diagnostics() const override;

  /// Members (model indices, zoo order) and their weights, after fit().
  const std::vector<int>& members() const { return members_; }
  const std::vector<double>& weights() const { return weights_; }

 private:
  // Options.
  std::vector<std::string> member_names_;
  int max_iterations_;
  double tolerance_;

  // Fitted state.
  std::vector<std::string> model_names_;
  int num_models_ = 0;
  int num_classes_ = 0;
  std::vector<int> members_;
  std::vector<double> weights_;
  std::vector<float> float_weights_;
  int iterations_ = 0;
  bool converged_ = false;
  double gap_ = 0.0;  ///< certified bound on NLL - min NLL at the end
  double uniform_nll_ = 0.0, nll_ = 0.0;
  double uniform_accuracy_ = 0.0, accuracy_ = 0.0;

  std::vector<float> mix_;  ///< per-sample scratch, [C]
};

}  // namespace lazystack
