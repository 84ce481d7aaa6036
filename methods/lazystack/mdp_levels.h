// The per-level work of the MDP build (mdp_build.cc): every sample's state in each executed set
// of a level, the label-free class groups and the cross-fitting folds. Internal to the build.
#pragma once

#include <cstdint>
#include <vector>

#include "core/logit_table.h"
#include "methods/lazystack/mdp.h"

namespace lazystack {
namespace lazy {
namespace build_detail {

// Transitions into a set of the next level, recorded before its states get global ids.
struct PendingTransition {
  uint32_t local = 0;  // successor's local id in the child set
  uint32_t count = 0;
  uint32_t fold_begin = 0;  // per-fold counts at child.pending_folds[fold_begin, + K)
};
struct PendingAction {
  uint32_t state = 0;  // global id of the source state
  int model = 0;
  uint32_t begin = 0, end = 0;  // range in the child's pending transitions
};
// One executed set of the level being built: every sample's local state id and the per-state
// counts, then (once its parents are processed) which local states are reachable.
struct LevelSet {
  uint64_t executed = 0;
  std::vector<int> models;                 // ascending
  std::vector<uint16_t> ids;               // [N] local state of each sample
  std::vector<uint8_t> right;              // [N] aggregate argmax == label (keep_sample_states)
  std::vector<int32_t> code_to_local;      // [C*B], code = k * B + h; -1 = no sample
  std::vector<uint32_t> local_code;        // local -> code
  std::vector<uint32_t> count, correct;    // per local state
  std::vector<uint32_t> fcount, fcorrect;  // per local state x fold (cross-fitting only)
  std::vector<uint32_t> pending_folds;
  std::vector<uint8_t> reachable;  // per local state
  std::vector<int32_t> global;     // per local state: MDP state id, -1 if unreachable
  std::vector<uint8_t> expanded;   // per local state
  std::vector<PendingTransition> pending;
  std::vector<PendingAction> pending_actions;
  bool any_expanded = false;
};

/// Every sample's local state in each set of `level` (ids, counts, per-fold counts, and the
/// right bit with `keep_right`), chunk by chunk; bit-identical to state.h's one-row functions.
/// The sets are shared out over up to `threads` threads; the result does not depend on it.
void compute_states(const LogitTable& table, int num_bins, const TrajectoryMdp& mdp,
                    std::vector<LevelSet>& level, bool keep_right, int threads);
/// Class codes: classes ranked by the mean confidence of the all-model mean aggregate on the
/// samples it predicts as that class (never predicted: lowest), in `groups` equal ranges.
/// Label-free.
std::vector<uint16_t> class_groups_by_confidence(const LogitTable& table, int groups);
/// Balanced seeded folds: a permutation of the samples, position i in fold i % K.
std::vector<uint8_t> assign_folds(int n_samples, int folds, uint64_t seed);

}  // namespace build_detail
}  // namespace lazy
}  // namespace lazystack
