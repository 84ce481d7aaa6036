// `single`: each zoo model alone. One operating point per model; together they are the
// single-model front every method is compared against.
#pragma once

#include <string>
#include <vector>

#include "core/method.h"

namespace lazystack {

class SingleModel : public Method {
 public:
  static MethodRegistry::Entry registry_entry();

  void fit(const FitContext& ctx) override;
  /// One knob per model: {model: m}, labelled with the model's name.
  std::vector<Knob> grid() const override;
  void set_knob(const Knob& knob) override;
  int predict(Meter& meter) override;
  nlohmann::json diagnostics() const override;

 private:
  std::vector<std::string> names_;
  std::vector<double> mean_costs_;  ///< on val_fit
  std::vector<double> val_fit_accuracy_;
  int num_classes_ = 0;
  int model_ = 0;
};

}  // namespace lazystack
