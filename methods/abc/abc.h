// `abc` (alias `coe`): Agreement-Based Cascading, a cascade of ensembles (Kolawole et al.,
// "Revisiting Cascaded Ensembles for Efficient Inference", papers/coe_abc_cascaded_ensembles.txt,
// Algorithm 1 and eq. 3), with the details papers/README.md settles from the public code:
//   - every member of a tier runs, as one Meter tier (run_tier): the experiment's cost_model
//     charges the tier the max of its members (parallel) or their sum (sequential);
//   - the tier's answer is the majority vote of its members' argmaxes (a tie goes to the tied
//     class with the larger summed probability, then to the lower class index);
//   - the cascade exits with that answer when votes(majority) / tier size >= the agreement
//     threshold theta (the swept knob `agreement`: 1.0 = unanimous, 2/3 the paper's other
//     setting); in integers, when votes >= ceil(theta * size). A tier of one model therefore
//     always exits; the last tier always answers.
// Tiers (option `tiers`, or automatic as in the paper's section 4.1): the last tier is the
// best single model by val_fit accuracy (ties: the cheaper), or `final_model`; the members
// cheaper than it (by mean val_fit cost), cheapest first, are cut into as many consecutive
// tiers as give each at least `tier_size` models (default 2, the paper's smallest tiers: more
// tiers give agreement more chances to stop early; sizes differ by at most one, the larger
// ones first). Members at least as costly as the final model are not used (listed in the
// diagnostics); fewer than two cheaper members leave the final model alone.
// Automatic sweep: every vote fraction k/n (k = 1..n) of the non-final tier sizes n, plus 2/3
// and 1; the smallest makes the first tier answer everything (the cheapest point).
#pragma once

#include <string>
#include <vector>

#include "core/method.h"

namespace lazystack {

class Abc : public Method {
 public:
  static MethodRegistry::Entry registry_entry();
  /// The same method under the paper's first name, `coe`.
  static MethodRegistry::Entry coe_registry_entry();
  static std::vector<OptionSpec> option_specs();

  /// Throws std::invalid_argument when `tiers` is malformed (an empty tier or name, a model in
  /// two tiers) or combined with `members` / `final_model`: these are known before any data.
  explicit Abc(const Options& options);

  /// Builds the tiers (explicit names resolved against val_fit: an unknown model is a
  /// std::runtime_error naming it) and fixes the agreement grid.
  void fit(const FitContext& ctx) override;
  /// {agreement: theta} for each threshold, ascending.
  std::vector<Knob> grid() const override;
  void set_knob(const Knob& knob) override;
  int predict(Meter& meter) override;
  /// Tiers (names, mean costs, parallel and sequential tier cost), the final model, unused
  /// members, the agreement grid and the current threshold.
  nlohmann::json diagnostics() const override;

  /// Tiers of model indices, in cascade order. Valid after fit().
  const std::vector<std::vector<int>>& tiers() const { return tiers_; }
  const std::vector<double>& agreements() const { return agreements_; }

  /// Votes a tier of `size` models needs to exit at threshold `theta` in (0, 1].
  static int required_votes(int size, double theta);

 private:
  // Runs tier t on the Meter, returns the majority class and writes its vote count.
  int vote(Meter& meter, const std::vector<int>& tier, int* votes);

  // Options.
  std::vector<std::vector<std::string>> tier_names_;  ///< explicit tiers, or empty
  std::vector<std::string> member_names_;
  std::string final_name_;
  int tier_size_;
  std::vector<double> given_agreements_;

  // Fitted state.
  std::vector<std::string> model_names_;
  int num_models_ = 0;
  int num_classes_ = 0;
  std::vector<double> costs_;  ///< mean val_fit cost per model
  std::vector<std::vector<int>> tiers_;
  std::vector<int> unused_;
  double final_accuracy_ = -1.0;  ///< val_fit accuracy of the automatic final model
  std::vector<double> agreements_;
  double agreement_ = 1.0;

  // Per-sample scratch, [C] each.
  std::vector<int> counts_;
  std::vector<float> sums_;
};

}  // namespace lazystack
