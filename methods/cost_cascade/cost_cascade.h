// `cost-cascade`: run the zoo cheapest first and stop as soon as the answer is confident
// enough (confidence >= threshold); the last model always answers. The classic confidence
// cascade, e.g. Lebovitz et al., "Efficient Inference With Model Cascades" (TMLR 2023), which
// also studies the confidence metrics, temperature scaling and ensembling of executed outputs
// offered here as options.
#pragma once

#include <string>
#include <vector>

#include "core/method.h"
#include "methods/common/confidence.h"

namespace lazystack {

/// What the cascade judges (and answers with) after each step.
enum class CascadeCombine {
  kLast,  ///< the model that just ran
  kMean,  ///< the mean probability of every model run so far
  /// softmax of the mean (temperature-scaled) log-probability of every model run so far: the
  /// mean of the logits, as log-probabilities are logits up to a per-model constant that the
  /// softmax removes (a normalised geometric mean of the probabilities)
  kMeanLogits,
};

class CostCascade : public Method {
 public:
  static MethodRegistry::Entry registry_entry();
  static std::vector<OptionSpec> option_specs();

  explicit CostCascade(const Options& options);

  /// Orders the members by mean cost on val_fit (ties: zoo order), fits per-model temperatures
  /// (option) and fixes the threshold grid: the `thresholds` option, or else `grid_steps` uniform
  /// steps over the metric's range ([0, 1]; [0, max val_fit confidence] for the logit margin)
  /// merged with `quantiles` quantiles of the val_fit confidences at every exit point, which
  /// resolve the crowded top of the range (most max-probs sit above 0.99).
  void fit(const FitContext& ctx) override;
  /// {threshold: t} for each threshold, ascending.
  std::vector<Knob> grid() const override;
  void set_knob(const Knob& knob) override;
  int predict(Meter& meter) override;
  nlohmann::json diagnostics() const override;

  /// Cascade members (model indices), cheapest first. Valid after fit().
  const std::vector<int>& order() const { return order_; }
  const std::vector<double>& thresholds() const { return thresholds_; }

 private:
  // Runs the cascade on the Meter's current sample and returns its answer: exits after the
  // first member whose confidence >= threshold; the last member always answers. When
  // `confidences` is given, writes each executed step's confidence there.
  int run(Meter& meter, double threshold, float* confidences);
  std::vector<double> automatic_thresholds(const LogitTable& val_fit, CostModel cost_model);

  // Options.
  ConfidenceMetric metric_;
  CascadeCombine combine_;
  bool use_temperature_;
  std::vector<std::string> member_names_;
  std::vector<double> given_thresholds_;
  int grid_steps_;
  int num_quantiles_;

  // Fitted state.
  std::vector<std::string> model_names_;
  int num_models_ = 0;
  int num_classes_ = 0;
  std::vector<int> order_;
  std::vector<double> order_costs_;   ///< mean val_fit cost of each member, in order
  std::vector<double> temperatures_;  ///< per member, in order (1 without temperature scaling)
  std::vector<double> thresholds_;
  double threshold_ = 0.0;

  // Per-sample scratch, [C] each.
  std::vector<float> scaled_probs_, scaled_log_probs_, sum_, mean_, mean_log_probs_;
};

}  // namespace lazystack
