// Builds LazyStack's trajectory-discovery MDP from val_fit (DESIGN.md section 6, "Offline 1").
#pragma once

#include "core/logit_table.h"
#include "methods/lazystack/mdp.h"

namespace lazystack {
namespace lazy {

/// What the MDP build needs; every choice the poster leaves open is named here.
struct MdpOptions {
  /// STOP pays beta * 1[k == y]; EXEC(j) costs cost_j / max cost. With 100, one point of
  /// val_fit accuracy is worth one run of the costliest model: accuracy first, as the headline
  /// (>= 97% of the full stacker) needs; theta then trades the rest online. On a synthetic
  /// 8-model zoo, beta 10 stopped after 1.4 models on average, below the best single model.
  double beta = 100.0;
  int num_bins = 10;   ///< B: equal-width entropy bins on H(p) / log C; in [1, 255]
  int max_models = 0;  ///< longest trajectory (horizon); 0 = all models
  bool prune = true;   ///< close states where STOP provably wins (exact: same policy)
  /// How counts become probabilities (all zero: raw frequencies).
  MdpEstimation estimation;
  /// Class component k: 0 = the argmax class itself; G >= 1 = G groups of classes of (about)
  /// equal size, ranked by the mean confidence (max probability) of the all-model mean
  /// aggregate on the val_fit samples it predicts as that class (label-free, so cross-fitting
  /// stays clean); 1 drops the class from the state. G >= C is the class itself.
  int class_groups = 0;
  /// Cross-fitting folds K over val_fit (0 or 1: none). Samples go to folds by a seeded
  /// permutation (`fold_seed`), balanced to within one sample.
  int folds = 0;
  uint64_t fold_seed = 0;
  /// Keep every sample's state in every visited set (TrajectoryMdp::sample_states; 4 bytes per
  /// sample and set: 2^M x N x 4 bytes without pruning, 491 MB at M = 12 and 30k samples).
  bool keep_sample_states = false;
  /// Threads for the per-set states of each level (the MDP is the same for any count).
  int threads = 1;
};

/// Builds the MDP over the states val_fit samples reach from the start, breadth-first by |E|.
///
/// Aggregate: mean probability of the executed models. State (E, h, k) groups every val_fit
/// sample whose aggregate over E has entropy bin h and argmax k; its success rate and, for each
/// unexecuted j, its transition counts to states of E + {j} are counted over those samples.
/// A state is expanded (gets EXEC actions) when some expanded state of a smaller set leads to
/// it, |E| < max_models, and - with `prune` - STOP does not provably win: since no state is
/// worth more than beta, EXEC(j) is worth at most beta - cost_j, so a state whose STOP reward
/// beta * P(correct) is at least beta - min_j cost_j keeps STOP and is not expanded (the solver
/// breaks ties towards STOP, so pruning never changes the policy). Only executed sets that an
/// expanded state leads to are ever computed; with every state expanded that is all 2^M sets.
///
/// Costs: model j's mean cost over val_fit samples (per-sample costs allowed), divided by the
/// largest; all zero when every cost is zero.
///
/// Grouped classes, estimation and folds: see MdpOptions and MdpEstimation. With folds, every
/// count is also kept per fold. Pruning applies to raw estimates without folds only: a state's
/// estimates pool those of its bin and set, so closing one would change the others (smoothed or
/// cross-fitted builds expand every reachable state; tested).
///
/// Work: for each visited set, every sample's aggregate (|E| x C adds, C logs), then one counted
/// transition per (sample in an expanded state, unexecuted model). Memory: two levels of
/// per-sample state ids (uint16). Throws std::invalid_argument on an empty table, missing
/// labels, B outside [1, 255] or B x C > 65536.
TrajectoryMdp build_trajectory_mdp(const LogitTable& val_fit, const MdpOptions& options);

}  // namespace lazy
}  // namespace lazystack
