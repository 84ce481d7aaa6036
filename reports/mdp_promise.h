// What LazyStack's MDP promises against what its policy delivers (issue 12): per run, at the
// beta lazystack-sub's headline selected on val_cal, the accuracy the MDP expects its policy to
// reach (cross-fitted on val_fit: every sample followed the policy estimated without it), what
// that policy reached on val_cal (the same mean aggregate, no confidence exit), and the gap,
// beside the sampling error of val_cal's accuracy and the in-sample promise (the all-of-val_fit
// policy's own value on val_fit, which the optimiser's curse inflates). Reads summary.json's
// methods.lazystack-sub.diagnostics.selected.mdp_promise; no test data.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "reports/table.h"

namespace lazystack::reports {

/// One run's MDP promise at the selected beta (fractions of 1, costs in the run's unit).
struct MdpPromise {
  bool present = false;  ///< the run has lazystack-sub with the diagnostics
  double beta = 0.0;
  double promised = 0.0;  ///< the MDP's expected accuracy at STOP for its policy
  double achieved = 0.0;  ///< that policy's accuracy on val_cal
  int64_t val_fit = 0, val_cal = 0;
  /// Half-width of the 95% binomial interval of `achieved` over val_cal's samples (normal
  /// approximation): what split noise alone moves the achieved accuracy by.
  double achieved_half_width = 0.0;
  /// How `promised` was estimated: "cross-fitted", "in-sample", or "in-sample (older run)" for
  /// summaries written before the cross-fitted promise (their promise was the in-sample one).
  std::string kind;
  double in_sample = 0.0;  ///< the all-of-val_fit policy's own value on val_fit
  double gap() const { return promised - achieved; }  ///< positive: the MDP over-promised
  double in_sample_gap() const { return in_sample - achieved; }
};

/// Reads lazystack-sub's selected promise from a summary; present = false when lazystack-sub is
/// absent, failed or has no MDP (cost order).
MdpPromise mdp_promise(const nlohmann::json& summary);

/// One row per (label, summary): experiment, val_fit / val_cal sizes, beta, promised, achieved
/// ± half-width, gap, whether the gap is within split noise, how the promise was estimated, the
/// in-sample promise and its gap; rows without a promise say why. Points, not percent, for gaps.
Table mdp_promise_table(const std::vector<std::pair<std::string, nlohmann::json>>& runs);

}  // namespace lazystack::reports
