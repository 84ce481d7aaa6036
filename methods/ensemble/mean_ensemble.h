// `ensemble`: the mean of every zoo model's probabilities, all models run as one tier. The
// full-cost reference point of every curve.
#pragma once

#include <vector>

#include "core/method.h"

namespace lazystack {

class MeanEnsemble : public Method {
 public:
  static MethodRegistry::Entry registry_entry();

  void fit(const FitContext& ctx) override;
  /// One point, labelled "all".
  std::vector<Knob> grid() const override;
  void set_knob(const Knob& knob) override {}
  int predict(Meter& meter) override;
  nlohmann::json diagnostics() const override;

 private:
  std::vector<int> models_;
  int num_classes_ = 0;
  std::vector<float> sum_;  ///< per-sample scratch, [C]
};

}  // namespace lazystack
