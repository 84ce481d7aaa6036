#include "methods/oracle/oracle.h"

#include "methods/common/model_outputs.h"

namespace lazystack {

MethodRegistry::Entry Oracle::registry_entry() {
  return method_entry<Oracle>(
      "oracle",
      "bound: per sample the cheapest model that is right (reads the labels; not a method)",
      MethodCard::bound("1").shown_in_figure());
}

void Oracle::fit(const FitContext& ctx) {
  require_models(ctx.val_fit, "oracle");
  num_models_ = ctx.val_fit.num_models();
  num_classes_ = ctx.val_fit.num_classes();
}

int Oracle::predict(Meter& meter) {
  require_fitted_shape(meter, num_models_, num_classes_, "oracle");
  const int label = meter.bound_label();
  int right = -1, cheapest = 0;
  for (int m = 0; m < num_models_; ++m) {
    const double cost = meter.model_cost(m);
    if (cost < meter.model_cost(cheapest)) cheapest = m;
    if (argmax(meter.bound_peek(m)) == label && (right < 0 || cost < meter.model_cost(right)))
      right = m;
  }
  return argmax(meter.run(right >= 0 ? right : cheapest));
}

nlohmann::json Oracle::diagnostics() const {
  return {{"bound", true},
          {"note", "uses the labels of the split it is evaluated on; a lower bound on cost"}};
}

}  // namespace lazystack
