// Rolling LazyStack's discovery policy out on val_fit and collecting the trajectories it takes
// (DESIGN.md section 6: keep those used by >= min_share of samples, report their coverage; the
// poster sees 3-8 trajectories covering 95%+ of inputs).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/logit_table.h"
#include "methods/lazystack/policy_table.h"

namespace lazystack {
namespace lazy {

/// One execution order and how many samples took it.
struct Trajectory {
  std::vector<int> models;  ///< models in the order they ran; STOP follows the last
  uint32_t count = 0;       ///< samples that took exactly this trajectory
  double share = 0.0;       ///< count / number of samples
};

/// Distinct trajectories, most used first, and the kept set.
struct TrajectoryReport {
  int num_samples = 0;
  double min_share = 0.0;
  /// Every distinct trajectory, by count descending; equal counts in lexicographic order.
  std::vector<Trajectory> trajectories;
  /// cumulative_share[i] = share of trajectories[0..i]; the last is 1 (up to rounding).
  std::vector<double> cumulative_share;
  /// The kept set is trajectories[0, num_kept): those with share >= min_share.
  size_t num_kept = 0;
  /// Share of samples whose trajectory is kept (0 when none is).
  double kept_coverage = 0.0;

  std::vector<Trajectory> kept() const;
  /// Fewest top trajectories whose shares reach `coverage` (all of them if none do).
  size_t num_for_coverage(double coverage) const;
  /// {"num_samples", "min_share", "kept_coverage", "num_kept", "trajectories": [{"models",
  /// "count", "share", "cumulative_share", "kept"}]}.
  nlohmann::json to_json(const std::vector<std::string>& model_names = {}) const;
};

/// A model sequence as JSON: names where `model_names` has them, else indices.
nlohmann::json model_list_json(const std::vector<int>& models,
                               const std::vector<std::string>& model_names);

/// Groups per-sample trajectories. Throws std::invalid_argument if min_share is outside [0, 1].
TrajectoryReport summarize_trajectories(const std::vector<std::vector<int>>& per_sample,
                                        double min_share);

/// What the greedy policy does on a labelled table.
struct RolloutResult {
  std::vector<std::vector<int>> trajectories;  ///< per sample
  double accuracy = 0.0;   ///< argmax of the mean aggregate at STOP vs the label
  double mean_cost = 0.0;  ///< in the table's cost unit (sequential: sum of the models run)
  double mean_models = 0.0;
  double mean_reward = 0.0;        ///< beta * correct - sum of normalised costs, averaged
  int num_fallback_decisions = 0;  ///< decisions not taken from an exact (E, h, k) entry
  /// Decisions after the first model by PolicySource (exact, backed-off, bin-level, cheapest).
  std::vector<int64_t> decisions_by_source = std::vector<int64_t>(4, 0);
};

/// Follows `policy` on every sample of `table` with the discovery aggregate (mean probability
/// of the executed models). On the table the MDP was built from every decision is exact.
RolloutResult rollout_policy(const LogitTable& table, const PolicyTable& policy);

/// Cross-fitted rollout: sample n follows policies[policy_of[n]] (every policy for the same
/// models, classes and bins); an empty `policy_of` means policies[0] for all.
RolloutResult rollout_policies(const LogitTable& table,
                               const std::vector<const PolicyTable*>& policies,
                               const std::vector<uint8_t>& policy_of);

}  // namespace lazy
}  // namespace lazystack
