#include "methods/stacker/stacker.h"

#include <stdexcept>

#include "methods/common/model_outputs.h"

namespace lazystack {

MlpTrainOptions Stacker::default_train_options() { return MlpTrainOptions{}; }

MethodRegistry::Entry Stacker::registry_entry() {
  return method_entry<Stacker>("stacker",
                               "full stacker: an MLP over all zoo models' probabilities, trained "
                               "on val_fit; the accuracy reference of every headline",
                               mlp_train_option_specs(default_train_options()));
}

Stacker::Stacker(const Options& options) : SinglePointMethod("full"), options_(options) {
  mlp_train_options(options_, 0);  // reads every declared option now: a missing one throws here
}

void Stacker::fit(const FitContext& ctx) {
  const LogitTable& val_fit = ctx.val_fit;
  require_models(val_fit, "stacker");
  models_ = all_models(val_fit);
  names_ = val_fit.model_names();
  num_classes_ = val_fit.num_classes();

  const std::vector<float> features = concat_probs(val_fit, models_);
  MlpTrainData data;
  data.features = features.data();
  data.labels = val_fit.labels().data();
  data.num_rows = val_fit.num_samples();
  data.input_dim = val_fit.num_models() * num_classes_;
  data.num_classes = num_classes_;
  trained_ = train_mlp(data, mlp_train_options(options_, ctx.seed));
  kernel_ = MlpKernel(trained_.weights);
  input_.assign(data.input_dim, 0.0f);
  logits_.assign(num_classes_, 0.0f);
}

int Stacker::predict(Meter& meter) {
  require_fitted_shape(meter, static_cast<int>(models_.size()), num_classes_, "stacker");
  meter.run_tier(models_);
  concat_probs(meter, models_, input_.data());
  kernel_.logits(input_.data(), logits_.data());
  return argmax(logits_.data(), num_classes_);
}

nlohmann::json Stacker::diagnostics() const {
  nlohmann::json j = trained_.to_json();
  j["models"] = names_;
  j["kernel_isa"] = kernel_.empty() ? "none" : kernel_.isa();
  return j;
}

}  // namespace lazystack
