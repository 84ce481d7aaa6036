// `oracle`: per sample, the cheapest model that is right. It reads the label and every output
// without paying (Meter bound access), then pays for the one model it picked, so its cost is a
// lower bound for any router over single models at its accuracy. A bound, never a method.
#pragma once

#include <vector>

#include "core/method.h"

namespace lazystack {

class Oracle : public Method {
 public:
  static MethodRegistry::Entry registry_entry();

  void fit(const FitContext& ctx) override;
  /// One point, labelled "oracle".
  std::vector<Knob> grid() const override;
  void set_knob(const Knob& knob) override {}
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
