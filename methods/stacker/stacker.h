// `stacker`: the full stacker, a classifier over every zoo model's probabilities concatenated,
// trained on val_fit (stacked generalisation, Wolpert 1992; the StackingNet summary in
// papers/). It runs every model, so its accuracy is the reference each headline point must
// retain (DESIGN.md section 5) at the full ensemble's cost. By default its architecture
// (logistic regression or an MLP), L2 penalty and epochs are chosen by K-fold cross-validation
// on val_fit (stacker_cv.h), so the reference is not a weak model; cv_folds: 0 trains the
// given `hidden` / `weight_decay` with early stopping on a holdout instead.
#pragma once

#include <string>
#include <vector>

#include "methods/common/method_kit.h"
#include "methods/common/mlp.h"
#include "methods/common/mlp_train.h"
#include "methods/stacker/stacker_cv.h"

namespace lazystack {

/// One point, labelled "full".
class Stacker : public SinglePointMethod {
 public:
  static MethodRegistry::Entry registry_entry();
  /// Defaults of the stacker's training options (hidden [64], 200 epochs, ...).
  static MlpTrainOptions default_train_options();
  static std::vector<OptionSpec> option_specs();

  explicit Stacker(const Options& options);

  /// Chooses architecture, weight decay and epochs by cross-validation on val_fit, then trains
  /// on all of val_fit (cv_folds 0: the given ones, early stopping on a slice of val_fit).
  /// Seeded by ctx.seed. A val_fit of fewer than 2 rows per fold trains the given ones.
  void fit(const FitContext& ctx) override;
  /// Runs every model as one tier, concatenates their probabilities, returns the MLP's argmax.
  int predict(Meter& meter) override;
  /// Architecture, parameter count, epochs, held-out loss and accuracy, training time; with
  /// cross-validation "cv": every candidate's score and the chosen one (stacker_cv.h).
  nlohmann::json diagnostics() const override;

  const MlpWeights& weights() const { return trained_.weights; }

 private:
  Options options_;
  int cv_folds_ = 0;
  std::vector<StackerCandidate> candidates_;
  StackerCvResult cv_;
  std::string cv_skipped_;  ///< why cross-validation did not run (val_fit too small), or empty
  std::vector<int> models_;
  std::vector<std::string> names_;
  int num_classes_ = 0;
  MlpTrainResult trained_;
  MlpKernel kernel_;
  std::vector<float> input_;   ///< per-sample scratch, [M * C]
  std::vector<float> logits_;  ///< per-sample scratch, [C]
};

}  // namespace lazystack
