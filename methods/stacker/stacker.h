// `stacker`: the full stacker, an MLP over every zoo model's probabilities concatenated,
// trained on val_fit (stacked generalisation, Wolpert 1992; the StackingNet summary in
// papers/). It runs every model, so its accuracy is the reference each headline point must
// retain (DESIGN.md section 5) at the full ensemble's cost.
#pragma once

#include <string>
#include <vector>

#include "methods/common/method_kit.h"
#include "methods/common/mlp.h"
#include "methods/common/mlp_train.h"

namespace lazystack {

/// One point, labelled "full".
class Stacker : public SinglePointMethod {
 public:
  static MethodRegistry::Entry registry_entry();
  /// Defaults of the stacker's training options (hidden [64], 200 epochs, ...).
  static MlpTrainOptions default_train_options();

  explicit Stacker(const Options& options);

  /// Trains the MLP on val_fit (seeded by ctx.seed; early stopping on a slice of val_fit).
  void fit(const FitContext& ctx) override;
  /// Runs every model as one tier, concatenates their probabilities, returns the MLP's argmax.
  int predict(Meter& meter) override;
  /// Architecture, parameter count, epochs, held-out loss and accuracy, training time.
  nlohmann::json diagnostics() const override;

  const MlpWeights& weights() const { return trained_.weights; }

 private:
  Options options_;
  std::vector<int> models_;
  std::vector<std::string> names_;
  int num_classes_ = 0;
  MlpTrainResult trained_;
  MlpKernel kernel_;
  std::vector<float> input_;   ///< per-sample scratch, [M * C]
  std::vector<float> logits_;  ///< per-sample scratch, [C]
};

}  // namespace lazystack
