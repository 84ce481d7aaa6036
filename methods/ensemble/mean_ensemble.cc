#include "methods/ensemble/mean_ensemble.h"

#include <algorithm>
#include <stdexcept>

#include "methods/common/model_outputs.h"

namespace lazystack {

MethodRegistry::Entry MeanEnsemble::registry_entry() {
  return method_entry<MeanEnsemble>(
      "ensemble", "mean of all zoo models' probabilities (every model runs, as one tier)",
      MethodCard::swept("1"));
}

void MeanEnsemble::fit(const FitContext& ctx) {
  require_models(ctx.val_fit, "ensemble");
  models_ = all_models(ctx.val_fit);
  num_classes_ = ctx.val_fit.num_classes();
  sum_.assign(num_classes_, 0.0f);
}

int MeanEnsemble::predict(Meter& meter) {
  require_fitted_shape(meter, static_cast<int>(models_.size()), num_classes_, "ensemble");
  meter.run_tier(models_);
  std::fill(sum_.begin(), sum_.end(), 0.0f);
  for (int m : models_) {
    const ProbView p = meter.probs(m);
    for (int c = 0; c < num_classes_; ++c) sum_[c] += p[c];
  }
  // The mean's argmax is the sum's.
  return argmax(sum_.data(), num_classes_);
}

nlohmann::json MeanEnsemble::diagnostics() const { return {{"models", models_.size()}}; }

}  // namespace lazystack
