// LazyStack "Offline 1", end to end (DESIGN.md section 6; Colaço et al., ICML 2026): build the
// trajectory-discovery MDP on val_fit, solve it, roll the greedy policy out, keep the frequent
// trajectories and put their prefixes in a trie. Torch-free.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/logit_table.h"
#include "core/options.h"
#include "methods/lazystack/mdp.h"
#include "methods/lazystack/mdp_build.h"
#include "methods/lazystack/mdp_solve.h"
#include "methods/lazystack/policy_table.h"
#include "methods/lazystack/prefix_trie.h"
#include "methods/lazystack/trajectories.h"

namespace lazystack {
namespace lazy {

/// Defaults of the estimation options of LazyStack methods (README "Estimation"; chosen on
/// validation data). A default-constructed DiscoveryOptions uses them too; MdpOptions alone
/// stays raw (the poster's counts), which the hand-computed MDP tests rely on.
struct EstimationDefaults {
  static constexpr int kFolds = 5;
  static constexpr double kSuccessPrior = 10.0;
  static constexpr double kTransitionPrior = 10.0;
  static constexpr int kMinCount = 10;
  static constexpr int kClassGroups = 1;
  static constexpr int kPolicyIterations = 3;
  static constexpr double kPolicyZ = 1.0;
};

struct DiscoveryOptions {
  DiscoveryOptions();
  MdpOptions mdp;
  /// Keep trajectories taken by at least this share of val_fit. 0.005, not the paper's 0.02: chosen
  /// on val_cal (methods/lazystack/README "min_share").
  double min_share = 0.005;
  /// Rounds of Monte-Carlo policy improvement (on_policy.h) of every estimate's policy on its
  /// own estimation samples; stops early once no policy changes. 0: the model-based policy.
  int policy_iterations = 0;
  double policy_z = 1.0;  ///< significance of a switch, in standard errors of the paired gain
  /// Threads over the estimates (solves and rounds); 0: worker_threads() (core/parallel.h).
  /// Results do not depend on it, so it is no method option and no part of a cache key.
  int threads = 0;
};

/// Declared options of trajectory discovery (defaults as in DiscoveryOptions): beta,
/// entropy_bins, max_models, prune, min_share, folds, success_prior, transition_prior,
/// min_count, class_groups, policy_iterations. A LazyStack method's option list includes these.
std::vector<OptionSpec> discovery_option_specs();
/// Reads the options declared by discovery_option_specs() from validated Options.
DiscoveryOptions discovery_options_from(const Options& options);

/// The policy and trie: what online inference needs from discovery.
struct DiscoveryPlan {
  PolicyTable policy;
  PrefixTrie trie;

  /// The policy section then the trie section (binary_io.h), appended to `out`.
  void write(std::ostream& out) const;
  static DiscoveryPlan read(std::istream& in);
  bool operator==(const DiscoveryPlan& o) const { return policy == o.policy && trie == o.trie; }
};

/// Everything discovery produced, with timings.
struct Discovery {
  TrajectoryMdp mdp;
  MdpSolution solution;  ///< on all of val_fit: the policy that runs online
  /// With folds: per-sample trajectories from the policy that left the sample's fold out
  /// (out of sample); without: the in-sample rollout of `solution`'s policy.
  RolloutResult rollout;
  bool cross_fitted = false;
  /// What the MDP promises for the rollout's samples (fold-weighted leave-fold-out start values
  /// when cross-fitted): accuracy at STOP and cost, in the table's unit.
  double rollout_promised_accuracy = 0.0, rollout_promised_cost = 0.0;
  bool has_val_cal = false;
  RolloutResult val_cal_rollout;  ///< `solution`'s policy on val_cal (the same mean aggregate)
  /// On-policy rounds run, whether the last one changed no policy, and the all-sample
  /// estimate's promised accuracy before the first round (model-based) and after each (the
  /// policy's mean real accuracy on val_fit).
  int policy_iterations = 0;
  bool policy_converged = true;
  std::vector<double> promised_by_iteration;
  TrajectoryReport trajectories;
  DiscoveryPlan plan;
  double rollout_seconds = 0.0;

  /// MDP sizes and timings, V(start), the rollout's val_fit accuracy/cost, the trajectories
  /// with shares and coverage, and the trie; models by name when given.
  nlohmann::json to_json(const std::vector<std::string>& model_names = {}) const;
};

/// Runs Offline 1 on val_fit; with options.mdp.folds >= 2 the trajectories come from the
/// cross-fitted rollout. With `val_cal`, also rolls the policy out there (diagnostics: what the
/// MDP promises vs what its policy achieves). Throws std::invalid_argument on bad options or data.
Discovery discover_trajectories(const LogitTable& val_fit, const DiscoveryOptions& options,
                                const LogitTable* val_cal = nullptr);

}  // namespace lazy
}  // namespace lazystack
