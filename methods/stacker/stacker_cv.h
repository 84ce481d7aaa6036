// Choosing the full stacker by K-fold cross-validation on val_fit: its architecture (logistic
// regression, i.e. no hidden layer, or an MLP), its L2 penalty (Adam weight decay) and its
// number of epochs. The full stacker is the accuracy reference of every headline (retention,
// the 97% target), so it must not be a weak model: with logistic regression among the
// candidates it should never fall below a plain logistic regression on the same probabilities
// by more than noise.
//
// Procedure: val_fit is cut into K stratified, seeded folds. For each candidate and fold, train
// on the other K - 1 folds and record the held-out fold's accuracy and loss after every epoch
// (training stops after `patience` epochs without a lower held-out loss; a stopped fold keeps
// its last values for later epochs). Per candidate the fold curves are averaged; its epochs are
// the epoch of the highest mean accuracy (ties: the lower mean loss, then fewer epochs), its
// score that accuracy. The chosen candidate has the highest score (ties: the lower loss, then
// the earlier candidate, so logistic regression wins ties when listed first); the stacker is
// then trained on all of val_fit for exactly its epochs. Test data is never seen.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "methods/common/mlp_train.h"

namespace lazystack {

/// One point of the search.
struct StackerCandidate {
  std::vector<int> hidden;  ///< hidden widths; {} = logistic (softmax) regression
  double weight_decay = 0.0;
  std::string hidden_name() const;  ///< "logistic", "64", "128x64"
};

/// "logistic" -> {}; "64" -> {64}; "128x64" -> {128, 64}. Throws std::invalid_argument.
std::vector<int> parse_hidden(const std::string& text);

/// Every (hidden, weight decay) pair, hidden-major, in the order given.
std::vector<StackerCandidate> stacker_candidates(const std::vector<std::string>& hidden,
                                                 const std::vector<double>& weight_decays);

/// One candidate's cross-validated result.
struct StackerCvScore {
  StackerCandidate candidate;
  double accuracy = 0.0;  ///< mean held-out accuracy at `epochs`
  double loss = 0.0;      ///< mean held-out cross-entropy at `epochs`
  int epochs = 0;         ///< chosen epochs (1-based)
  double seconds = 0.0;   ///< training time over its folds
};

struct StackerCvResult {
  int folds = 0;
  std::vector<StackerCvScore> scores;  ///< in candidate order
  int chosen = -1;                     ///< index into scores
  double seconds = 0.0;
  nlohmann::json to_json() const;  ///< folds, every score, the chosen one, seconds
};

/// Stratified folds of rows 0..n-1: per class, the rows shuffled (seeded) and dealt round-robin.
/// Every row is in exactly one fold; fold sizes differ by at most the number of classes.
std::vector<std::vector<int>> stratified_folds(const int32_t* labels, int num_rows, int folds,
                                               uint64_t seed);

/// Cross-validates every candidate on `data` (its features and labels; no sample weights) with
/// `base`'s optimiser settings (lr, batch size, patience; base.max_epochs caps the epochs;
/// base.seed seeds folds and training). Throws std::invalid_argument for folds < 2, more folds
/// than rows, or no candidates.
StackerCvResult cross_validate_stacker(const MlpTrainData& data,
                                       const std::vector<StackerCandidate>& candidates,
                                       const MlpTrainOptions& base, int folds);

}  // namespace lazystack
