#include "methods/stacking_weights/stacking_weights.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "methods/common/model_outputs.h"

namespace lazystack {

namespace {

// Mean NLL of the mixture `w` given the true-class probabilities truth[j][n] of member j.
double mixture_nll(const std::vector<std::vector<double>>& truth, const std::vector<double>& w) {
  const size_t n = truth.front().size();
  double total = 0.0;
  for (size_t i = 0; i < n; ++i) {
    double p = 0.0;
    for (size_t j = 0; j < w.size(); ++j) p += w[j] * truth[j][i];
    total -= std::log(std::max(p, 1e-300));
  }
  return total / static_cast<double>(n);
}

// Accuracy on `table` of argmax sum_j w_j p_j, in float as predict() computes it.
double mixture_accuracy(const LogitTable& table, const std::vector<int>& members,
                        const std::vector<float>& w) {
  const int num_classes = table.num_classes();
  std::vector<float> mix(num_classes);
  int right = 0;
  for (int i = 0; i < table.num_samples(); ++i) {
    std::fill(mix.begin(), mix.end(), 0.0f);
    for (size_t j = 0; j < members.size(); ++j) {
      const ProbView p = table.probs(members[j], i);
      for (int c = 0; c < num_classes; ++c) mix[c] += w[j] * p[c];
    }
    right += argmax(mix.data(), num_classes) == table.labels()[i];
  }
  return static_cast<double>(right) / table.num_samples();
}

}  // namespace

std::vector<OptionSpec> StackingWeights::option_specs() {
  return {
      opt_strings("members", {}, "zoo models to weight (all run, as one tier); [] = every model"),
      opt_int("max_iterations", 10000, "EM iterations at most").range(1, 10000000),
      opt_double("tolerance", 1e-6,
                 "stop once the val_fit NLL is certified within this of its minimum (nats; the "
                 "Frank-Wolfe gap of the convex NLL)")
          .range(0, 1),
  };
}

MethodRegistry::Entry StackingWeights::registry_entry() {
  return method_entry<StackingWeights>(
      "stacking-weights",
      "StackingNet-style reliability weighting: a learned per-model weight on the simplex "
      "(val_fit NLL) mixes every model's probabilities; all models run as one tier",
      MethodCard::swept("1").names_models("members", ModelOption::kNames), option_specs());
}

MethodRegistry::Entry StackingWeights::alias_registry_entry() {
  MethodRegistry::Entry entry = registry_entry();
  entry.name = "stacker-weights";
  entry.description = "alias of stacking-weights (DESIGN.md's name)";
  return entry;
}

StackingWeights::StackingWeights(const Options& options)
    : SinglePointMethod("weights"),
      member_names_(options.get_strings("members")),
      max_iterations_(static_cast<int>(options.get_int("max_iterations"))),
      tolerance_(options.get_double("tolerance")) {}

void StackingWeights::fit(const FitContext& ctx) {
  const LogitTable& val_fit = ctx.val_fit;
  require_models(val_fit, "stacking-weights");
  members_ = resolve_members(val_fit, member_names_, "stacking-weights");
  std::sort(members_.begin(), members_.end());
  model_names_ = val_fit.model_names();
  num_models_ = val_fit.num_models();
  num_classes_ = val_fit.num_classes();
  const int n = val_fit.num_samples();
  const size_t k = members_.size();

  std::vector<std::vector<double>> truth(k, std::vector<double>(n));
  for (size_t j = 0; j < k; ++j)
    for (int i = 0; i < n; ++i) truth[j][i] = val_fit.probs(members_[j], i)[val_fit.labels()[i]];

  // EM: a_m = mean_n p_m(y_n) / p(y_n) is minus the NLL's gradient; w_m <- w_m a_m keeps
  // sum_m w_m = 1 because sum_m w_m a_m = 1. By convexity the NLL is within max_m a_m - 1 (the
  // Frank-Wolfe gap) of its minimum: the stopping rule certifies the fit.
  weights_.assign(k, 1.0 / static_cast<double>(k));
  uniform_nll_ = mixture_nll(truth, weights_);
  iterations_ = 0;
  gap_ = 0.0;
  std::vector<double> grad(k);
  while (true) {
    std::fill(grad.begin(), grad.end(), 0.0);
    for (int i = 0; i < n; ++i) {
      double p = 0.0;
      for (size_t j = 0; j < k; ++j) p += weights_[j] * truth[j][i];
      if (!(p > 0.0)) {  // every member gives the label probability 0: no evidence
        for (size_t j = 0; j < k; ++j) grad[j] += 1.0;
        continue;
      }
      for (size_t j = 0; j < k; ++j) grad[j] += truth[j][i] / p;
    }
    for (double& g : grad) g /= n;
    gap_ = *std::max_element(grad.begin(), grad.end()) - 1.0;
    converged_ = gap_ <= tolerance_;
    if (converged_ || iterations_ >= max_iterations_) break;
    double total = 0.0;
    for (size_t j = 0; j < k; ++j) total += weights_[j] *= grad[j];
    for (double& w : weights_) w /= total;
    ++iterations_;
  }
  nll_ = mixture_nll(truth, weights_);

  float_weights_.assign(weights_.begin(), weights_.end());
  accuracy_ = mixture_accuracy(val_fit, members_, float_weights_);
  uniform_accuracy_ =
      mixture_accuracy(val_fit, members_, std::vector<float>(k, 1.0f / static_cast<float>(k)));
  mix_.assign(num_classes_, 0.0f);
}

int StackingWeights::predict(Meter& meter) {
  require_fitted_shape(meter, num_models_, num_classes_, "stacking-weights");
  meter.run_tier(members_);
  std::fill(mix_.begin(), mix_.end(), 0.0f);
  for (size_t j = 0; j < members_.size(); ++j) {
    const ProbView p = meter.probs(members_[j]);
    const float w = float_weights_[j];
    for (int c = 0; c < num_classes_; ++c) mix_[c] += w * p[c];
  }
  return argmax(mix_.data(), num_classes_);
}

nlohmann::json StackingWeights::diagnostics() const {
  nlohmann::json weights = nlohmann::json::object();
  std::vector<size_t> rank(members_.size());
  std::iota(rank.begin(), rank.end(), 0);
  std::stable_sort(rank.begin(), rank.end(),
                   [&](size_t a, size_t b) { return weights_[a] > weights_[b]; });
  nlohmann::json ranking = nlohmann::json::array();
  for (size_t j = 0; j < members_.size(); ++j) weights[model_names_[members_[j]]] = weights_[j];
  for (size_t j : rank) ranking.push_back(model_names_[members_[j]]);
  return {{"weights", weights},
          {"ranking", ranking},
          {"parametrisation", "non-negative, sum 1 (EM on the val_fit mixture NLL)"},
          {"iterations", iterations_},
          {"converged", converged_},
          {"optimality_gap", gap_},
          {"val_fit_nll", nll_},
          {"val_fit_nll_uniform", uniform_nll_},
          {"val_fit_accuracy", accuracy_},
          {"val_fit_accuracy_uniform", uniform_accuracy_}};
}

}  // namespace lazystack
