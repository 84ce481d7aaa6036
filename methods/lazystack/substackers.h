// LazyStack's aggregators over the models run so far (DESIGN.md section 6, "Offline 2"):
// SUB trains one MLP per executed set of the trie's prefixes, over those models' probabilities in
// ascending model order (a node's information is its set, whatever the order the models ran in,
// so the nodes [a, b] and [b, a] and every beta's tries share one MLP);
// MASK trains one MLP over all M probability slots, unexecuted ones zero-filled, plus the M-bit
// mask; LAST (the "no substacker" ablation) answers with the model that ran last. Training uses
// LibTorch through methods/common/mlp_train.h; inference runs the torch-free MlpKernel.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/logit_table.h"
#include "methods/common/mlp.h"
#include "methods/common/mlp_train.h"
#include "methods/lazystack/prefix_trie.h"

namespace lazystack {
namespace lazy {

enum class AggregatorKind {
  kSub,   ///< one substacker MLP per trie node (prefix)
  kMask,  ///< one shared MLP over zero-filled slots plus the executed mask
  kLast,  ///< no substacker: the last model's own probabilities
};
/// "sub" | "mask" | "last"; throws std::invalid_argument otherwise.
AggregatorKind parse_aggregator(const std::string& name);
const char* to_string(AggregatorKind kind);

/// MASK's input for one sample: M * C probabilities (model m's in slot m, zeros where a model
/// did not run) followed by M mask bits (1 = ran). `probs_of(m)` returns model m's C floats.
/// Writes M * C + M floats.
template <class ProbsOf>
void mask_features(uint64_t executed, int num_models, int num_classes, ProbsOf probs_of,
                   float* out) {
  for (int m = 0; m < num_models; ++m) {
    float* slot = out + static_cast<size_t>(m) * num_classes;
    if ((executed >> m) & 1u) {
      const float* p = probs_of(m);
      for (int c = 0; c < num_classes; ++c) slot[c] = p[c];
    } else {
      for (int c = 0; c < num_classes; ++c) slot[c] = 0.0f;
    }
    out[static_cast<size_t>(num_models) * num_classes + m] = (executed >> m) & 1u ? 1.0f : 0.0f;
  }
}

/// Fitted aggregator weights: what the artifact stores.
struct Substackers {
  AggregatorKind kind = AggregatorKind::kSub;
  int num_models = 0;
  int num_classes = 0;
  /// SUB: per trie node id (the root's entry is empty; nodes with the same executed set hold
  /// equal weights), input = the set's probabilities in ascending model order; MASK: exactly
  /// one; LAST: none.
  std::vector<MlpWeights> weights;
  /// SUB: per trie node, 1 = the node answers with the mean of its prefix's probabilities
  /// instead of its MLP (the mean scored a lower cross-entropy on the MLP's early-stopping
  /// held-out rows of val_fit); empty = every node uses its MLP.
  std::vector<uint8_t> use_mean;
  /// Training summaries (not serialised): per SUB node / the MASK model.
  std::vector<nlohmann::json> training;

  /// One checksummed section (tag "LZSSUBST"), embedding MlpWeights::write_binary blobs.
  void write(std::ostream& out) const;
  static Substackers read(std::istream& in);
  bool operator==(const Substackers& o) const {
    return kind == o.kind && num_models == o.num_models && num_classes == o.num_classes &&
           weights == o.weights && use_mean == o.use_mean;
  }
  int64_t num_parameters() const;
};

/// Options of training beyond MlpTrainOptions.
struct SubstackerTrainOptions {
  MlpTrainOptions mlp;  ///< its seed is the base seed; SUB node i trains with a derived seed
  /// MASK: at most this many (sample, prefix) rows; above it a seeded uniform subset is used,
  /// so memory stays bounded (rows x (M * C + M) floats).
  int64_t mask_max_rows = 400000;
  /// SUB: a node whose prefix mean beats its MLP on the MLP's held-out rows (cross-entropy)
  /// answers with the mean (Substackers::use_mean).
  bool mean_fallback = true;
};

/// SUB MLPs already trained, by executed set (bitmask of model indices): a fit over several
/// betas trains each set once. Each MLP's seed derives from the base seed and its set, so a
/// set's MLP is the same whichever trie or beta asks for it first.
struct SubstackerPool {
  struct Trained {
    MlpWeights weights;
    nlohmann::json training;
    uint8_t use_mean = 0;
  };
  std::map<uint64_t, Trained> by_set;
};

/// Trains the aggregator for `trie` on val_fit (every val_fit sample has every model's output,
/// so each node trains on all of them). SUB: one MLP per executed set, reused from `pool` when
/// given and filled into it; a reused node's training summary says "reused": true. MASK: one
/// MLP over the trie's distinct executed sets (train_mask_stacker). LAST: nothing to train.
Substackers train_substackers(const LogitTable& val_fit, const PrefixTrie& trie,
                              AggregatorKind kind, const SubstackerTrainOptions& options,
                              SubstackerPool* pool = nullptr);

/// The MASK stacker over `sets` (distinct executed bitmasks): rows are (sample, set) pairs,
/// capped by options.mask_max_rows. A fit over several betas passes the union of their tries'
/// sets, so one MASK model serves every beta.
Substackers train_mask_stacker(const LogitTable& val_fit, std::vector<uint64_t> sets,
                               const SubstackerTrainOptions& options);

/// The distinct executed sets of the trie's non-root nodes, ascending.
std::vector<uint64_t> trie_sets(const PrefixTrie& trie);

/// Inference over Substackers: one prepared kernel per SUB node (or the MASK kernel) and the
/// per-sample input buffer. Not thread-safe (kernels hold activation buffers).
class Aggregator {
 public:
  Aggregator() = default;
  Aggregator(const Substackers& subs, const PrefixTrie& trie);

  /// Starts a sample: nothing executed.
  void reset();
  /// Records that `model` ran with probabilities `probs` and moved the walk to trie `node`.
  void add(int model, const float* probs, int node);
  /// Aggregated probabilities (C floats) at the current node; valid until the next call.
  const float* probs();

 private:
  AggregatorKind kind_ = AggregatorKind::kLast;
  int num_models_ = 0;
  int num_classes_ = 0;
  std::vector<MlpKernel> kernels_;  ///< SUB: per node; MASK: one
  std::vector<uint8_t> use_mean_;   ///< SUB: per node, answer with the prefix mean
  std::vector<float> slots_;        ///< SUB: each executed model's probabilities, by model
  std::vector<float> input_;        ///< SUB: the set's concat, ascending; MASK: slots + mask
  std::vector<float> output_;
  std::vector<float> last_;
  uint64_t executed_ = 0;
  int node_ = 0;
  int depth_ = 0;
};

}  // namespace lazy
}  // namespace lazystack
