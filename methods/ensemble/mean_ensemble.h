// `ensemble`: the mean of every zoo model's probabilities, all models run as one tier. The
// full-cost reference point of every curve.
#pragma once

#include <vector>

#include "methods/common/method_kit.h"

namespace lazystack {

/// One point, labelled "all".
class MeanEnsemble : public SinglePointMethod {
 public:
  static MethodRegistry::Entry registry_entry();

  MeanEnsemble() : SinglePointMethod("all") {}
  void fit(const FitContext& ctx) override;
  int predict(Meter& meter) override;
  nlohmann::json diagnostics() const override;

 private:
  std::vector<int> models_;
  int num_classes_ = 0;
  std::vector<float> sum_;  ///< per-sample scratch, [C]
};

}  // namespace lazystack
