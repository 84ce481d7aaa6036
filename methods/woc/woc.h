// `woc`: Wisdom of Committees (Wang et al., "Wisdom of Committees: An Overlooked Approach to
// Faster and More Accurate Models", ICLR 2022), the committee cascade the CoE/ABC paper
// (papers/coe_abc_cascaded_ensembles.txt) compares against. The rule, as papers/README.md
// settles it: the members run one at a time in cost order (ascending mean val_fit cost); after
// the first k have run, their softmax probabilities are averaged and the cascade exits with
// that average's argmax when its max probability >= t_k; otherwise model k+1 runs. The last
// member always answers, with the average of all. Cost is cumulative (one model per step).
//
// The WoC paper is not in papers/ and neither text fixes how the thresholds t_k are chosen
// (the CoE paper sweeps "a wide range of confidence thresholds"). Our choice, option
// `calibration`:
//   - "exit-rate" (default): per-position thresholds calibrated on val_fit so that a fraction q
//     (the knob `exit_rate`) of the val_fit samples reaching position k exits there (at least
//     q: ties at the threshold all exit; q = 0 gives +inf at every position, the full cascade;
//     q = 1 the first member alone). Position by position: t_1 from every val_fit sample, t_2
//     from those t_1 kept, and so on. Committees of different sizes are calibrated separately
//     (an average of more models is less peaked), which one shared threshold cannot do.
//     Automatic grid: q = 0, 1/grid_steps, .., 1.
//   - "accuracy": per-position thresholds for a target accuracy a (the knob
//     `target_accuracy`): among the val_fit samples reaching position k, sorted by committee
//     confidence, t_k is the lowest confidence whose "everyone at least this confident exits"
//     group is right at rate >= a (the longest such prefix, cut between distinct confidences);
//     +inf (nobody exits at k) when no prefix reaches a or no sample reaches k. Automatic grid:
//     grid_steps + 1 targets from the first member's val_fit accuracy (everyone exits there)
//     to 1. Beware: the samples that reach a late position are the hard ones, on which no
//     committee reaches a high target, so they fall through to the last (often the costliest)
//     member; on Fashion-MNIST this traces a far worse curve than exit-rate.
//   - "shared": one threshold t (the knob `threshold`) at every position, the plain sweep the
//     CoE paper ran for its WoC baseline. Automatic grid: `grid_steps` uniform steps over [0, 1]
//     plus `quantiles` quantiles of the val_fit committee confidences at every exit position.
// `grid`, when given, replaces the automatic knob values (in the mode's unit, all in [0, 1]).
// Only val_fit is used to fit; the per-position thresholds of any knob value are computed
// from val_fit statistics kept at fit time, so set_knob() never sees other data.
#pragma once

#include <string>
#include <vector>

#include "core/method.h"

namespace lazystack {

enum class WocCalibration { kAccuracy, kExitRate, kShared };

class Woc : public Method {
 public:
  static MethodRegistry::Entry registry_entry();
  static std::vector<OptionSpec> option_specs();

  explicit Woc(const Options& options);

  /// Orders the members by mean val_fit cost (ties: zoo order), records every val_fit
  /// sample's committee confidence and correctness at each non-final position, fixes the grid.
  void fit(const FitContext& ctx) override;
  /// One knob per grid value, ascending: {target_accuracy | exit_rate | threshold: v}.
  std::vector<Knob> grid() const override;
  /// Computes the per-position thresholds of the knob value from the val_fit statistics.
  void set_knob(const Knob& knob) override;
  int predict(Meter& meter) override;
  /// Members with mean costs, calibration, the current knob and its per-position thresholds.
  nlohmann::json diagnostics() const override;

  /// Members (model indices), cheapest first. Valid after fit().
  const std::vector<int>& order() const { return order_; }
  /// The knob values grid() returns. Valid after fit().
  const std::vector<double>& knob_values() const { return knob_values_; }
  /// Exit thresholds t_1..t_{K-1} of the current knob (empty with one member).
  const std::vector<double>& position_thresholds() const { return position_thresholds_; }
  /// Name of the knob in the current calibration mode.
  const char* knob_name() const;

 private:
  // Adds the output of the (k + 1)-th member to the running sum (k = 0 starts a new sample),
  // writes the committee average to mean_ and returns its max probability: the same float
  // arithmetic at fit and at predict time, so val_fit confidences equal predict's.
  float add_to_committee(const float* probs, int k);
  std::vector<double> thresholds_for(double value) const;

  // Options.
  WocCalibration calibration_;
  std::vector<std::string> member_names_;
  std::vector<double> given_grid_;
  int grid_steps_;
  int num_quantiles_;

  // Fitted state.
  std::vector<std::string> model_names_;
  int num_models_ = 0;
  int num_classes_ = 0;
  int num_fit_samples_ = 0;
  std::vector<int> order_;
  std::vector<double> order_costs_;
  // [position k < K-1][val_fit sample]: committee max-prob and whether its argmax was right.
  std::vector<std::vector<float>> fit_confidence_;
  std::vector<std::vector<char>> fit_correct_;
  std::vector<double> knob_values_;
  double knob_ = 0.0;
  std::vector<double> position_thresholds_;

  // Per-sample scratch, [C] each.
  std::vector<float> sum_, mean_;
};

}  // namespace lazystack
