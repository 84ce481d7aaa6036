#include "methods/stacker/stacker.h"

#include <fmt/core.h>

#include <stdexcept>

#include "methods/common/model_outputs.h"

namespace lazystack {

MlpTrainOptions Stacker::default_train_options() { return MlpTrainOptions{}; }

std::vector<OptionSpec> Stacker::option_specs() {
  std::vector<OptionSpec> specs = mlp_train_option_specs(default_train_options());
  specs.push_back(opt_int("cv_folds", 5,
                          "folds of the cross-validation on val_fit that chooses the "
                          "architecture (cv_hidden), the weight decay (cv_weight_decays) and the "
                          "epochs (up to `epochs`); then `hidden`, `weight_decay` and `holdout` "
                          "are not used. 0 = no cross-validation")
                      .range(0, 50));
  specs.push_back(opt_strings("cv_hidden", {"logistic", "64"},
                              "architectures tried: 'logistic' (softmax regression, no hidden "
                              "layer) or hidden widths joined by 'x' (64, 128x64)"));
  specs.push_back(opt_doubles("cv_weight_decays", {1e-5, 1e-4, 1e-3},
                              "Adam L2 penalties tried with each architecture")
                      .range(0, 1));
  return specs;
}

MethodRegistry::Entry Stacker::registry_entry() {
  return method_entry<Stacker>(
      "stacker",
      "full stacker: logistic regression or an MLP over all zoo models' probabilities, chosen "
      "by cross-validation on val_fit and trained on it; the accuracy reference of every "
      "headline",
      MethodCard::swept("1").is_reference().shown_in_figure(), option_specs());
}

Stacker::Stacker(const Options& options) : SinglePointMethod("full"), options_(options) {
  mlp_train_options(options_, 0);  // reads every declared option now: a missing one throws here
  cv_folds_ = static_cast<int>(options_.get_int("cv_folds"));
  if (cv_folds_ == 1)
    throw std::invalid_argument("stacker: cv_folds must be 0 (no cross-validation) or >= 2");
  try {
    candidates_ = stacker_candidates(options_.get_strings("cv_hidden"),
                                     options_.get_doubles("cv_weight_decays"));
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("stacker: cv_hidden: ") + e.what());
  }
  if (cv_folds_ > 0 && candidates_.empty())
    throw std::invalid_argument(
        "stacker: cross-validation needs at least one cv_hidden and one cv_weight_decays");
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
  MlpTrainOptions train = mlp_train_options(options_, ctx.seed);
  cv_ = StackerCvResult{};
  cv_skipped_.clear();
  // Folds of one row score nothing: too small a val_fit trains the given architecture instead
  // (and says so in the diagnostics).
  if (cv_folds_ > 0 && data.num_rows < 2 * cv_folds_)
    cv_skipped_ = fmt::format(
        "{} val_fit rows are too few for {} folds of at least 2 rows: "
        "trained hidden {} with early stopping instead",
        data.num_rows, cv_folds_, StackerCandidate{train.hidden, 0.0}.hidden_name());
  if (cv_folds_ > 0 && cv_skipped_.empty()) {
    cv_ = cross_validate_stacker(data, candidates_, train, cv_folds_);
    const StackerCvScore& chosen = cv_.scores[cv_.chosen];
    train.hidden = chosen.candidate.hidden;
    train.weight_decay = chosen.candidate.weight_decay;
    train.max_epochs = chosen.epochs;
    train.holdout_fraction = 0.0;  // the epochs are chosen: train them on every row
  }
  trained_ = train_mlp(data, train);
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
  if (cv_.chosen >= 0) j["cv"] = cv_.to_json();
  if (!cv_skipped_.empty()) j["cv"] = {{"skipped", cv_skipped_}};
  return j;
}

}  // namespace lazystack
