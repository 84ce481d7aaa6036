// Training an MLP (methods/common/mlp.h) with LibTorch: Adam, weight decay, cross-entropy, early
// stopping on a seeded held-out slice of the training rows. The header is torch-free; only
// mlp_train.cc includes torch.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/options.h"
#include "methods/common/mlp.h"

namespace lazystack {

/// How to train. Every random choice (initial weights, held-out rows, batch order) comes from
/// `seed`, through explicitly seeded generators, never torch's global one.
struct MlpTrainOptions {
  std::vector<int> hidden = {64};  ///< hidden layer widths ({} = softmax regression)
  int max_epochs = 200;            ///< upper bound; early stopping usually ends sooner
  int batch_size = 128;
  double learning_rate = 1e-3;    ///< Adam
  double weight_decay = 1e-4;     ///< Adam's L2 penalty
  int patience = 10;              ///< epochs without a better held-out loss before stopping
  double holdout_fraction = 0.1;  ///< rows held out for early stopping (0 = train max_epochs)
  uint64_t seed = 0;
  /// torch intra-op threads while training (restored afterwards). One by default: for
  /// stacker-sized MLPs (batch 128, hidden 64) two OpenMP threads were measured 10-50x slower
  /// per step than one on this 2-core machine (fork/join and spin-waits outweigh the work, worse
  /// when OpenCV's pool or other jobs share the cores). Never more than 2 here (DESIGN.md s. 11).
  int num_threads = 1;
};

/// Row-major training data; the pointers must outlive the train_mlp() call.
struct MlpTrainData {
  const float* features = nullptr;  ///< [num_rows][input_dim]
  const int32_t* labels = nullptr;  ///< [num_rows], each in [0, num_classes)
  int num_rows = 0;
  int input_dim = 0;
  int num_classes = 0;
  /// Optional [num_rows] non-negative weights of each row's loss (nullptr = all 1).
  const float* sample_weights = nullptr;
  /// Optional held-out rows given by the caller (a cross-validation fold), used instead of a
  /// random holdout: every row above trains, these score each epoch (early stopping, the
  /// per-epoch curves). Needs options.holdout_fraction == 0. [eval_rows][input_dim].
  const float* eval_features = nullptr;
  const int32_t* eval_labels = nullptr;  ///< [eval_rows], each in [0, num_classes)
  int eval_rows = 0;
};

/// What training produced: the exported weights of the best epoch and how it went.
struct MlpTrainResult {
  MlpWeights weights;  ///< at the epoch with the lowest held-out loss (the last without one)
  int epochs_run = 0;
  int best_epoch = 0;  ///< 1-based
  int train_rows = 0;
  int holdout_rows = 0;
  double train_loss = 0.0;         ///< mean (weighted) loss of the best epoch's passes
  double holdout_loss = -1.0;      ///< (weighted) cross-entropy at best_epoch; -1 without holdout
  double holdout_accuracy = -1.0;  ///< at best_epoch; -1 without holdout
  bool early_stopped = false;
  double seconds = 0.0;
  std::vector<int> holdout_indices;  ///< the held-out rows (ascending): reproducible, checkable
  /// Per epoch run (index e = epoch e + 1): held-out loss and accuracy; empty without held-out
  /// rows. Cross-validation reads them to choose the number of epochs.
  std::vector<double> holdout_loss_curve, holdout_accuracy_curve;
  nlohmann::json to_json() const;  ///< everything but the weights, for diagnostics
};

/// Trains an MLP of shape input_dim -> hidden... -> num_classes. Throws std::invalid_argument
/// on inconsistent data or options (no rows, a label out of range, a negative weight).
MlpTrainResult train_mlp(const MlpTrainData& data, const MlpTrainOptions& options);

/// The declared options of MLP training, for methods that train one (stacker, LazyStack's
/// substackers): hidden, epochs, batch_size, lr, weight_decay, patience, holdout. `defaults`
/// supplies each default (its seed and num_threads are not options).
std::vector<OptionSpec> mlp_train_option_specs(const MlpTrainOptions& defaults = {});
/// Reads the options declared by mlp_train_option_specs(); the seed comes from the caller.
MlpTrainOptions mlp_train_options(const Options& options, uint64_t seed);

}  // namespace lazystack
