// A fitted LazyStack as a file: the policy, trie, aggregator weights and theta grid of one
// beta (LazyStackArtifact), or of every beta of a fit (LazyStackBundle). Loads without LibTorch.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "methods/lazystack/policy_table.h"
#include "methods/lazystack/prefix_trie.h"
#include "methods/lazystack/substackers.h"

namespace lazystack {
namespace lazy {

/// Which models run in which order.
enum class ExecutionOrder {
  kMdp,   ///< the discovered policy within the trie of kept trajectories
  kCost,  ///< the "no MDP" ablation: cheapest first (mean val_fit cost), never a policy STOP
};
ExecutionOrder parse_order(const std::string& name);  ///< "mdp" | "cost"
const char* to_string(ExecutionOrder order);

/// Where online inference may go after each model (set_lattice.h).
enum class OnlineWalk {
  kSets,  ///< any executed set of the trie's prefixes, whatever order reached it
  kTrie,  ///< only the trie's ordered prefixes (DESIGN.md section 6 as written)
};
OnlineWalk parse_walk(const std::string& name);  ///< "sets" | "trie"
const char* to_string(OnlineWalk walk);

/// A fitted LazyStack: policy, trie, aggregator weights and the theta grid. Saves to one file
/// (a sequence of checksummed sections, see binary_io.h) and loads without LibTorch.
struct LazyStackArtifact {
  std::vector<std::string> model_names;
  int num_classes = 0;
  ExecutionOrder order = ExecutionOrder::kMdp;
  double beta = 0.0;                    ///< the MDP's beta; 0 for ExecutionOrder::kCost (no MDP)
  OnlineWalk walk = OnlineWalk::kSets;  ///< files written before the option walked the trie
  std::vector<double> thetas;           ///< the swept exit thresholds, ascending
  std::vector<std::string> notes;       ///< what fitting had to decide (e.g. a min_share fallback)
  PolicyTable policy;                   ///< empty for ExecutionOrder::kCost
  PrefixTrie trie;
  Substackers substackers;

  void write(std::ostream& out) const;
  static LazyStackArtifact read(std::istream& in);
  /// Writes to a temporary file, then renames; load() names the path in its errors.
  void save(const std::string& path) const;
  static LazyStackArtifact load(const std::string& path);
  /// Bytes write() produces.
  size_t size_bytes() const;
};

/// LazyStacks fitted on one zoo, one per beta of the MDP (ascending), as one file: a header
/// section (tag "LZSBUNDL": the betas and the count) followed by each artifact's sections.
/// read() and load() also accept a file holding a single LazyStackArtifact.
struct LazyStackBundle {
  std::vector<LazyStackArtifact> artifacts;

  void write(std::ostream& out) const;
  static LazyStackBundle read(std::istream& in);
  /// Writes to a temporary file, then renames; load() names the path in its errors.
  void save(const std::string& path) const;
  static LazyStackBundle load(const std::string& path);
  /// Bytes write() produces.
  size_t size_bytes() const;
};

/// Same betas: equal up to rounding (knobs pass through JSON and back).
bool same_beta(double a, double b);
/// "[0.1, 1, 10]": the artifacts' betas, for messages.
std::string betas_text(const std::vector<LazyStackArtifact>& artifacts);

}  // namespace lazy
}  // namespace lazystack
