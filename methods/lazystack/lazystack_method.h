// `lazystack-sub`, `lazystack-mask` and the ablations `lazystack-no-mdp`, `lazystack-no-sub`,
// `lazystack-neither`: LazyStack's online early-exit inference (DESIGN.md section 6; Colaço et
// al., "Unifying Stacking and Cascading for Efficient Ensemble Inference", ICML 2026).
//
// Fit: discover trajectories with the MDP on val_fit (or, without the MDP, take the cost-ordered
// chain), build the prefix trie, train the aggregator (SUB / MASK / none) for its prefixes; with
// the MDP, once per beta of `betas`, so the knob grid spans {beta, theta}.
// Predict: at the root the policy picks the first model; after each model move to its trie node,
// aggregate, recompute (E, h, k) from the aggregate p, and exit with argmax p if max p >= theta,
// if the policy says STOP, or at a leaf; otherwise run the policy's next model, or, if that
// child is not in the trie, the child with most val_fit traffic.
#pragma once

#include <array>
#include <iosfwd>
#include <string>
#include <vector>

#include "core/method.h"
#include "methods/lazystack/artifact.h"
#include "methods/lazystack/discovery.h"
#include "methods/lazystack/set_lattice.h"
#include "methods/lazystack/substackers.h"

namespace lazystack {
namespace lazy {

class LazyStackMethod : public Method {
 public:
  /// Options with the given defaults: discovery (beta, entropy_bins, max_models, prune,
  /// min_share), the beta grid (betas: kDefaultBetas for the MDP order, [] for the cost order),
  /// aggregator, order, the theta grid, and MLP training (hidden, epochs, ...).
  static std::vector<OptionSpec> option_specs(AggregatorKind aggregator, ExecutionOrder order);
  /// The default `betas` of the MDP-order presets.
  static const std::vector<double> kDefaultBetas;
  /// lazystack-sub, lazystack-mask, lazystack-no-mdp, lazystack-no-sub, lazystack-neither.
  static std::vector<MethodRegistry::Entry> registry_entries();

  explicit LazyStackMethod(const Options& options);

  /// MDP order: one artifact per beta (`betas`, or the single `beta` when `betas` is empty),
  /// each with its own discovery and trie. SUB trains one MLP per executed set, shared by every
  /// node and beta that reaches it (its seed derives from the set); MASK trains one model over
  /// the union of the betas' sets. Cost order: one artifact; beta and betas play no part.
  void fit(const FitContext& ctx) override;
  /// MDP order: {beta: b, theta: t} for every fitted beta (ascending) and each of its thetas
  /// (ascending); cost order: {theta: t}. Per beta, the last point (theta > 1) never exits on
  /// confidence.
  std::vector<Knob> grid() const override;
  /// Picks the artifact fitted with the knob's beta (exactly one of the grid's) and its theta.
  /// A knob without beta is accepted only when a single artifact is fitted.
  void set_knob(const Knob& knob) override;
  int predict(Meter& meter) override;
  /// During a sweep, the aggregate at (sample, trie node) of the selected artifact is computed
  /// once and reused by every later knob that reaches the same node: it depends only on the
  /// outputs of the node's prefix, which predict() still runs (and pays for) through the Meter.
  /// Decisions are identical with and without the cache (tested); sweeps get several times
  /// faster, since the substacker forward dominates a decision.
  void begin_sweep(int num_samples) override;
  void end_sweep() override;
  /// Top level: betas, the selected knob, artifact_bytes (the one-file bundle) and per-beta
  /// summaries (start model, fit seconds, bytes); `per_beta`: each artifact's discovery (MDP
  /// size and timings, trajectories, coverage), trie, substacker training and size.
  nlohmann::json diagnostics() const override;

  /// Adopts a fitted (e.g. loaded) artifact or bundle: ready to predict without fit(). The
  /// selection is the last artifact (largest beta) at its largest theta.
  void load(LazyStackArtifact artifact);
  void load(LazyStackBundle bundle);
  /// The artifact the current knob selects.
  const LazyStackArtifact& artifact() const { return bundle_.artifacts.at(selected_); }
  const LazyStackBundle& bundle() const { return bundle_; }

 private:
  /// Per-artifact fitting record (diagnostics only; not serialised).
  struct FitRecord {
    nlohmann::json discovery;  ///< null for the cost order or a loaded artifact
    double fit_seconds = 0.0;
    int substackers_from = -1;  ///< >= 0: that earlier artifact's trie has the same prefixes
  };

  void prepare();
  /// The betas fit() uses: sorted, without duplicates.
  std::vector<double> fit_betas() const;
  LazyStackArtifact fit_one(const LogitTable& val_fit, const LogitTable* val_cal, uint64_t seed,
                            double beta, FitRecord* record) const;
  /// Trains every artifact's aggregator once the tries are known (see fit()).
  void train_aggregators(const LogitTable& val_fit, uint64_t seed);
  std::vector<double> automatic_thetas(const LogitTable& val_fit, const LazyStackArtifact& a,
                                       Aggregator& aggregator) const;

  // Options.
  DiscoveryOptions discovery_options_;
  std::vector<double> betas_;
  AggregatorKind aggregator_kind_;
  ExecutionOrder order_;
  OnlineWalk walk_;
  Options options_;
  std::vector<double> given_thetas_;
  int theta_steps_;
  int theta_quantiles_;
  int64_t mask_max_rows_;

  // Fitted state.
  LazyStackBundle bundle_;
  std::vector<FitRecord> records_;       ///< parallel to bundle_.artifacts
  std::vector<Aggregator> aggregators_;  ///< parallel to bundle_.artifacts
  std::vector<SetLattice> lattices_;     ///< parallel to bundle_.artifacts
  std::vector<std::string> notes_;       ///< fit-wide notes (per-artifact ones live in artifacts)
  double shared_substacker_seconds_ = 0.0;  ///< MASK: its one training, shared by all betas
  size_t selected_ = 0;
  double theta_ = 0.0;

  // Sweep cache (begin_sweep .. end_sweep): per artifact, [sample][node][class] aggregates and
  // a filled flag per (sample, node); allocated on first use of each artifact.
  struct SweepCache {
    std::vector<float> probs;
    std::vector<uint8_t> filled;
  };
  int sweep_samples_ = 0;  ///< 0: no sweep in progress
  std::vector<SweepCache> sweep_cache_;

  // Online policy state: every executed model's probabilities (slot per model), so the mean
  // aggregate is summed in ascending model order exactly as the MDP build sums it.
  std::vector<float> run_probs_, state_sum_;
  // Where online decisions came from (after a model ran): solved, backed-off, bin-level,
  // cheapest (E unseen), trie detour. Per sweep (in the pipeline: 0 = val_cal, 1 = test; the
  // sweeps only), per knob of the grid.
  static constexpr int kSourceKinds = 5;
  using SourceCounts = std::array<int64_t, kSourceKinds>;
  std::vector<std::vector<SourceCounts>> decision_sources_;  ///< [sweep][knob]
  int sweep_ordinal_ = -1;           ///< index into decision_sources_ of the current sweep
  size_t knob_index_ = 0;            ///< grid() position of the current knob
  std::vector<size_t> knob_offset_;  ///< per artifact: grid() position of its first theta
  size_t num_knobs_ = 0;
};

}  // namespace lazy
}  // namespace lazystack
