// `cheapest` (an example of adding a method): runs only the zoo model with the lowest mean cost
// on val_fit and answers with its argmax. One operating point.
#pragma once

#include "methods/common/method_kit.h"

namespace lazystack {

class Cheapest : public SinglePointMethod {
 public:
  static MethodRegistry::Entry registry_entry();

  Cheapest() : SinglePointMethod("cheapest") {}
  void fit(const FitContext& ctx) override;
  int predict(Meter& meter) override;
  nlohmann::json diagnostics() const override { return {{"model", model_}}; }

 private:
  int model_ = -1;
  int num_models_ = 0;
  int num_classes_ = 0;
};

}  // namespace lazystack
