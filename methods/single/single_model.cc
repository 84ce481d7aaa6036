#include "methods/single/single_model.h"

#include <fmt/core.h>

#include <cmath>
#include <stdexcept>

#include "methods/common/method_kit.h"
#include "methods/common/model_outputs.h"

namespace lazystack {

MethodRegistry::Entry SingleModel::registry_entry() {
  return method_entry<SingleModel>("single", "each zoo model alone (one point per model)",
                                   MethodCard::swept("1").has_role(MethodRole::kEachModel));
}

void SingleModel::fit(const FitContext& ctx) {
  require_models(ctx.val_fit, "single");
  names_ = ctx.val_fit.model_names();
  num_classes_ = ctx.val_fit.num_classes();
  mean_costs_ = ctx.val_fit.mean_costs();
  val_fit_accuracy_.clear();
  for (int m = 0; m < ctx.val_fit.num_models(); ++m)
    val_fit_accuracy_.push_back(ctx.val_fit.model_accuracy(m));
}

std::vector<Knob> SingleModel::grid() const {
  std::vector<Knob> knobs;
  for (int m = 0; m < static_cast<int>(names_.size()); ++m) {
    Knob k;
    k.set("model", m);
    k.label = names_[m];
    knobs.push_back(k);
  }
  return knobs;
}

void SingleModel::set_knob(const Knob& knob) {
  const double m = knob.get("model");
  if (m != std::floor(m) || m < 0 || m >= static_cast<double>(names_.size()))
    throw std::invalid_argument(
        fmt::format("single: knob model={} is not a model index in [0, {})", m, names_.size()));
  model_ = static_cast<int>(m);
}

int SingleModel::predict(Meter& meter) {
  require_fitted_shape(meter, static_cast<int>(names_.size()), num_classes_, "single");
  return argmax(meter.run(model_));
}

nlohmann::json SingleModel::diagnostics() const {
  nlohmann::json models = nlohmann::json::array();
  for (size_t m = 0; m < names_.size(); ++m)
    models.push_back({{"name", names_[m]},
                      {"mean_cost", mean_costs_[m]},
                      {"val_fit_accuracy", val_fit_accuracy_[m]}});
  return {{"models", models}};
}

}  // namespace lazystack
