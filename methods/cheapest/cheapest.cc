#include "methods/cheapest/cheapest.h"

#include "methods/common/model_outputs.h"

namespace lazystack {

MethodRegistry::Entry Cheapest::registry_entry() {
  return method_entry<Cheapest>("cheapest",
                                "the zoo model with the lowest mean cost on val_fit, alone",
                                MethodCard::swept("1"));
}

void Cheapest::fit(const FitContext& ctx) {
  require_models(ctx.val_fit, "cheapest");
  model_ = ascending_cost_order(ctx.val_fit).front();
  num_models_ = ctx.val_fit.num_models();
  num_classes_ = ctx.val_fit.num_classes();
}

int Cheapest::predict(Meter& meter) {
  require_fitted_shape(meter, num_models_, num_classes_, "cheapest");
  return argmax(meter.run(model_));
}

}  // namespace lazystack
