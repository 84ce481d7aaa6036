// `lazystack-sub`, `lazystack-mask` and the ablations `lazystack-no-mdp`, `lazystack-no-sub`,
// `lazystack-neither`: LazyStack's online early-exit inference (DESIGN.md section 6; Colaço et
// al., "Unifying Stacking and Cascading for Efficient Ensemble Inference", ICML 2026).
//
// Fit: discover trajectories with the MDP on val_fit (or, without the MDP, take the cost-ordered
// chain), build the prefix trie, train the aggregator (SUB / MASK / none) for its prefixes.
// Predict: at the root the policy picks the first model; after each model move to its trie node,
// aggregate, recompute (E, h, k) from the aggregate p, and exit with argmax p if max p >= theta,
// if the policy says STOP, or at a leaf; otherwise run the policy's next model, or, if that
// child is not in the trie, the child with most val_fit traffic.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "core/method.h"
#include "methods/lazystack/discovery.h"
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

/// A fitted LazyStack: policy, trie, aggregator weights and the theta grid. Saves to one file
/// (a sequence of checksummed sections, see binary_io.h) and loads without LibTorch.
struct LazyStackArtifact {
  std::vector<std::string> model_names;
  int num_classes = 0;
  ExecutionOrder order = ExecutionOrder::kMdp;
  std::vector<double> thetas;      ///< the swept exit thresholds, ascending
  std::vector<std::string> notes;  ///< what fitting had to decide (e.g. a min_share fallback)
  PolicyTable policy;              ///< empty for ExecutionOrder::kCost
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

class LazyStackMethod : public Method {
 public:
  /// Options with the given defaults: discovery (beta, entropy_bins, max_models, prune,
  /// min_share), aggregator, order, the theta grid, and MLP training (hidden, epochs, ...).
  static std::vector<OptionSpec> option_specs(AggregatorKind aggregator, ExecutionOrder order);
  /// lazystack-sub, lazystack-mask, lazystack-no-mdp, lazystack-no-sub, lazystack-neither.
  static std::vector<MethodRegistry::Entry> registry_entries();

  explicit LazyStackMethod(const Options& options);

  void fit(const FitContext& ctx) override;
  /// {theta: t}, ascending; the last point (theta > 1) never exits on confidence.
  std::vector<Knob> grid() const override;
  void set_knob(const Knob& knob) override;
  int predict(Meter& meter) override;
  /// Discovery (MDP size and timings, trajectories, coverage), trie, substacker training,
  /// artifact size.
  nlohmann::json diagnostics() const override;

  /// Adopts a fitted (e.g. loaded) artifact: ready to predict without fit().
  void load(LazyStackArtifact artifact);
  const LazyStackArtifact& artifact() const { return artifact_; }

 private:
  void prepare();
  std::vector<double> automatic_thetas(const LogitTable& val_fit);

  // Options.
  DiscoveryOptions discovery_options_;
  AggregatorKind aggregator_kind_;
  ExecutionOrder order_;
  Options options_;
  std::vector<double> given_thetas_;
  int theta_steps_;
  int theta_quantiles_;
  int64_t mask_max_rows_;

  // Fitted state.
  LazyStackArtifact artifact_;
  nlohmann::json discovery_json_;
  Aggregator aggregator_;
  double theta_ = 0.0;
};

/// Adds the five LazyStack methods to `registry`.
void register_lazystack_methods(MethodRegistry& registry);

}  // namespace lazy
}  // namespace lazystack
