// `oracle`: per sample, the cheapest model that is right. It reads the label and every output
// without paying (Meter bound access), then pays for the one model it picked, so its cost is a
// lower bound for any router over single models at its accuracy. A bound, never a method.
#pragma once

#include <vector>

#include "methods/common/method_kit.h"

namespace lazystack {

/// One point, labelled "oracle".
class Oracle : public SinglePointMethod {
 public:
  static MethodRegistry::Entry registry_entry();

  Oracle() : SinglePointMethod("oracle") {}
  void fit(const FitContext& ctx) override;
  /// Runs the cheapest model whose argmax is the label (on this sample's costs; ties: lower
  /// index); if none is right, the cheapest model.
  int predict(Meter& meter) override;
  bool is_bound() const override { return true; }
  nlohmann::json diagnostics() const override;

 private:
  int num_models_ = 0;
  int num_classes_ = 0;
};

}  // namespace lazystack
