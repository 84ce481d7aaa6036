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

struct DiscoveryOptions {
  MdpOptions mdp;
  double min_share = 0.02;  ///< keep trajectories taken by at least this share of val_fit
};

/// Declared options of trajectory discovery (defaults as in DiscoveryOptions): beta,
/// entropy_bins, max_models, prune, min_share. A LazyStack method's option list includes these.
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
  MdpSolution solution;
  RolloutResult rollout;
  TrajectoryReport trajectories;
  DiscoveryPlan plan;
  double rollout_seconds = 0.0;

  /// MDP sizes and timings, V(start), the rollout's val_fit accuracy/cost, the trajectories
  /// with shares and coverage, and the trie; models by name when given.
  nlohmann::json to_json(const std::vector<std::string>& model_names = {}) const;
};

/// Runs Offline 1 on val_fit. Throws std::invalid_argument on bad options or data.
Discovery discover_trajectories(const LogitTable& val_fit, const DiscoveryOptions& options);

}  // namespace lazy
}  // namespace lazystack
