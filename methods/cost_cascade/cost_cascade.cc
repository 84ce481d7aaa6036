#include "methods/cost_cascade/cost_cascade.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "methods/common/method_kit.h"
#include "methods/common/model_outputs.h"
#include "methods/common/temperature.h"

namespace lazystack {
namespace {

// The names of CascadeCombine's values, in enum order.
std::vector<std::string> combine_names() { return {"last", "mean", "mean-logits"}; }

CascadeCombine parse_combine(const std::string& name) {
  const std::vector<std::string> names = combine_names();
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<CascadeCombine>(i);
  throw std::invalid_argument("cost-cascade: unknown combine mode '" + name + "'");
}

}  // namespace

std::vector<OptionSpec> CostCascade::option_specs() {
  return {
      opt_string("confidence", "max-prob",
                 "exit signal: max-prob, margin (top-1 minus top-2 probability), entropy "
                 "(1 - H/log C) or logit-margin (top-1 minus top-2 log-probability)")
          .one_of(confidence_metric_names()),
      opt_string("combine", "last",
                 "what is judged and answered after each step: the last model's output (last), "
                 "the mean probability of every output run so far (mean), or the softmax of "
                 "their mean logits (mean-logits)")
          .one_of(combine_names()),
      opt_bool("temperature", false,
               "scale each model's logits by a temperature fitted on val_fit (NLL) first"),
      opt_strings("members", {},
                  "zoo models in the cascade (run cheapest first whatever the order here); "
                  "[] = every model"),
      opt_doubles("thresholds", {},
                  "exit thresholds to sweep; [] = automatic: grid_steps uniform steps plus "
                  "quantiles of the val_fit confidences")
          .range(0, 1e9),
      opt_int("grid_steps", 100,
              "automatic grid: uniform steps over [0, 1] (over [0, max val_fit value] for "
              "logit-margin)")
          .range(1, 100000),
      opt_int("quantiles", 50,
              "automatic grid: this many quantiles of the val_fit confidences at the exit points "
              "are added")
          .range(0, 100000),
  };
}

MethodRegistry::Entry CostCascade::registry_entry() {
  return method_entry<CostCascade>("cost-cascade",
                                   "zoo models cheapest first; exit when the confidence >= "
                                   "threshold (swept), the last model always answers",
                                   MethodCard::swept("1")
                                       .exits_early()
                                       .has_role(MethodRole::kCostOrderCascade)
                                       .names_models("members", ModelOption::kNames),
                                   option_specs());
}

CostCascade::CostCascade(const Options& options)
    : metric_(parse_confidence_metric(options.get_string("confidence"))),
      combine_(parse_combine(options.get_string("combine"))),
      use_temperature_(options.get_bool("temperature")),
      member_names_(options.get_strings("members")),
      given_thresholds_(options.get_doubles("thresholds")),
      grid_steps_(static_cast<int>(options.get_int("grid_steps"))),
      num_quantiles_(static_cast<int>(options.get_int("quantiles"))) {}

void CostCascade::fit(const FitContext& ctx) {
  const LogitTable& val_fit = ctx.val_fit;
  require_models(val_fit, "cost-cascade");
  const std::vector<int> members = resolve_members(val_fit, member_names_, "cost-cascade");
  model_names_ = val_fit.model_names();
  num_models_ = val_fit.num_models();
  num_classes_ = val_fit.num_classes();
  const std::vector<double> costs = val_fit.mean_costs();
  order_ = in_cost_order(val_fit, members);
  order_costs_.clear();
  temperatures_.clear();
  for (int m : order_) {
    order_costs_.push_back(costs[m]);
    temperatures_.push_back(use_temperature_ ? fit_temperature(val_fit, m) : 1.0);
  }
  for (auto* v : {&scaled_probs_, &scaled_log_probs_, &sum_, &mean_, &mean_log_probs_})
    v->assign(num_classes_, 0.0f);

  if (!given_thresholds_.empty()) {
    thresholds_ = given_thresholds_;
    std::sort(thresholds_.begin(), thresholds_.end());
    thresholds_.erase(std::unique(thresholds_.begin(), thresholds_.end()), thresholds_.end());
  } else {
    thresholds_ = automatic_thresholds(val_fit, ctx.cost_model);
  }
  threshold_ = thresholds_.front();
}

std::vector<double> CostCascade::automatic_thresholds(const LogitTable& val_fit,
                                                      CostModel cost_model) {
  if (order_.size() == 1) return {0.0};  // nothing to decide: one point
  // Confidences at every exit point (all steps but the last) of every val_fit sample, read by
  // running the cascade itself to the end.
  std::vector<float> pooled, steps(order_.size());
  pooled.reserve(static_cast<size_t>(val_fit.num_samples()) * (order_.size() - 1));
  Meter meter(val_fit, cost_model);
  for (int n = 0; n < val_fit.num_samples(); ++n) {
    meter.reset(n);
    run(meter, std::numeric_limits<double>::infinity(), steps.data());
    pooled.insert(pooled.end(), steps.begin(), steps.end() - 1);
  }
  std::sort(pooled.begin(), pooled.end());

  std::vector<double> grid;
  const double top = is_unit_interval(metric_) ? 1.0 : (pooled.empty() ? 1.0 : pooled.back());
  for (int s = 0; s <= grid_steps_; ++s) grid.push_back(top * s / grid_steps_);
  if (!pooled.empty()) {
    for (int q = 1; q <= num_quantiles_; ++q) {
      const double rank = static_cast<double>(q) / (num_quantiles_ + 1) * (pooled.size() - 1);
      grid.push_back(pooled[static_cast<size_t>(std::lround(rank))]);
    }
  }
  std::sort(grid.begin(), grid.end());
  grid.erase(std::unique(grid.begin(), grid.end()), grid.end());
  return grid;
}

std::vector<Knob> CostCascade::grid() const {
  std::vector<Knob> knobs;
  for (double t : thresholds_) knobs.push_back(Knob().set("threshold", t));
  return knobs;
}

void CostCascade::set_knob(const Knob& knob) {
  const double t = knob.get("threshold");
  if (!(t >= 0.0)) throw std::invalid_argument(fmt::format("cost-cascade: threshold {} < 0", t));
  threshold_ = t;
}

int CostCascade::run(Meter& meter, double threshold, float* confidences) {
  const int num_classes = num_classes_;
  const int steps = static_cast<int>(order_.size());
  // Log-probabilities are needed by the logit margin and by the mean of logits.
  const bool want_logs =
      metric_ == ConfidenceMetric::kLogitMargin || combine_ == CascadeCombine::kMeanLogits;
  if (combine_ != CascadeCombine::kLast) std::fill(sum_.begin(), sum_.end(), 0.0f);
  for (int j = 0; j < steps; ++j) {
    const int m = order_[j];
    const float* probs = meter.run(m).data;
    const float* log_probs = nullptr;
    if (use_temperature_) {
      apply_temperature(meter.log_probs(m).data, num_classes, temperatures_[j],
                        scaled_probs_.data(), want_logs ? scaled_log_probs_.data() : nullptr);
      probs = scaled_probs_.data();
      if (want_logs) log_probs = scaled_log_probs_.data();
    } else if (want_logs) {
      log_probs = meter.log_probs(m).data;
    }
    if (combine_ == CascadeCombine::kMean) {
      const float inv = 1.0f / static_cast<float>(j + 1);
      for (int c = 0; c < num_classes; ++c) {
        sum_[c] += probs[c];
        mean_[c] = sum_[c] * inv;
      }
      probs = mean_.data();
      log_probs = nullptr;  // the logit margin of a mean is taken on log(mean)
    } else if (combine_ == CascadeCombine::kMeanLogits) {
      for (int c = 0; c < num_classes; ++c) sum_[c] += log_probs[c];
      // softmax(sum / (j + 1)) is the softmax of the mean: a temperature of j + 1 on the sum.
      apply_temperature(sum_.data(), num_classes, /*temperature=*/j + 1.0, mean_.data(),
                        mean_log_probs_.data());
      probs = mean_.data();
      log_probs = mean_log_probs_.data();
    }
    const bool last = j + 1 == steps;
    if (!last || confidences) {
      const float conf = confidence(metric_, probs, log_probs, num_classes);
      if (confidences) confidences[j] = conf;
      if (!last && conf >= threshold) return argmax(probs, num_classes);
    }
    if (last) return argmax(probs, num_classes);
  }
  return -1;  // unreachable: fit() guarantees at least one member
}

int CostCascade::predict(Meter& meter) {
  require_fitted_shape(meter, num_models_, num_classes_, "cost-cascade");
  return run(meter, threshold_, nullptr);
}

nlohmann::json CostCascade::diagnostics() const {
  nlohmann::json order = nlohmann::json::array();
  for (size_t j = 0; j < order_.size(); ++j) {
    nlohmann::json member = {{"name", model_names_[order_[j]]}, {"mean_cost", order_costs_[j]}};
    if (use_temperature_) member["temperature"] = temperatures_[j];
    order.push_back(member);
  }
  return {{"order", order},
          {"confidence", to_string(metric_)},
          {"combine", combine_names()[static_cast<size_t>(combine_)]},
          {"temperature_scaling", use_temperature_},
          {"thresholds", thresholds_.size()},
          {"threshold_grid",
           given_thresholds_.empty()
               ? fmt::format("automatic: {} uniform steps + {} val_fit confidence quantiles",
                             grid_steps_, num_quantiles_)
               : std::string("given")}};
}

}  // namespace lazystack
