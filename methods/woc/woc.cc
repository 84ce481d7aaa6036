#include "methods/woc/woc.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "methods/common/method_kit.h"
#include "methods/common/model_outputs.h"

namespace lazystack {

namespace {

constexpr double kNever = std::numeric_limits<double>::infinity();

WocCalibration parse_calibration(const std::string& name) {
  if (name == "accuracy") return WocCalibration::kAccuracy;
  if (name == "exit-rate") return WocCalibration::kExitRate;
  if (name == "shared") return WocCalibration::kShared;
  throw std::invalid_argument("woc: unknown calibration '" + name + "'");
}

const char* to_string(WocCalibration c) {
  switch (c) {
    case WocCalibration::kAccuracy:
      return "accuracy";
    case WocCalibration::kExitRate:
      return "exit-rate";
    case WocCalibration::kShared:
      return "shared";
  }
  return "?";
}

}  // namespace

std::vector<OptionSpec> Woc::option_specs() {
  return {
      opt_string("calibration", "exit-rate",
                 "how the per-position exit thresholds follow the knob: exit-rate (each position "
                 "lets out a fraction of the val_fit samples reaching it), accuracy (each "
                 "position lets out the val_fit samples its committee gets right at rate >= the "
                 "target accuracy) or shared (one threshold at every position)")
          .one_of({"exit-rate", "accuracy", "shared"}),
      opt_strings("members", {},
                  "zoo models in the committee cascade (run cheapest first whatever the order "
                  "here); [] = every model"),
      opt_doubles("grid", {},
                  "knob values to sweep, in the calibration's unit (exit rate, target accuracy "
                  "or threshold); [] = automatic")
          .range(0, 1),
      opt_int("grid_steps", 100,
              "automatic grid: this many steps (exit-rate and shared: over [0, 1]; accuracy: "
              "from the first member's val_fit accuracy to 1)")
          .range(1, 100000),
      opt_int("quantiles", 50,
              "shared calibration, automatic grid: this many quantiles of the val_fit committee "
              "confidences at the exit positions are added")
          .range(0, 100000),
  };
}

MethodRegistry::Entry Woc::registry_entry() {
  return method_entry<Woc>("woc",
                           "Wisdom of Committees: models cheapest first; after k of them, exit "
                           "when the max of their mean probability >= t_k (per-position "
                           "thresholds fitted on val_fit, swept); the last model always answers",
                           MethodCard::swept("1").exits_early().shown_in_figure().names_models(
                               "members", ModelOption::kNames),
                           option_specs());
}

Woc::Woc(const Options& options)
    : calibration_(parse_calibration(options.get_string("calibration"))),
      member_names_(options.get_strings("members")),
      given_grid_(options.get_doubles("grid")),
      grid_steps_(static_cast<int>(options.get_int("grid_steps"))),
      num_quantiles_(static_cast<int>(options.get_int("quantiles"))) {}

const char* Woc::knob_name() const {
  switch (calibration_) {
    case WocCalibration::kAccuracy:
      return "target_accuracy";
    case WocCalibration::kExitRate:
      return "exit_rate";
    case WocCalibration::kShared:
      return "threshold";
  }
  return "?";
}

float Woc::add_to_committee(const float* probs, int k) {
  const int num_classes = num_classes_;
  if (k == 0) std::fill(sum_.begin(), sum_.end(), 0.0f);
  const float inv = 1.0f / static_cast<float>(k + 1);
  float top = 0.0f;
  for (int c = 0; c < num_classes; ++c) {
    sum_[c] += probs[c];
    mean_[c] = sum_[c] * inv;
    top = std::max(top, mean_[c]);
  }
  return top;
}

void Woc::fit(const FitContext& ctx) {
  const LogitTable& val_fit = ctx.val_fit;
  require_models(val_fit, "woc");
  const std::vector<int> members = resolve_members(val_fit, member_names_, "woc");
  model_names_ = val_fit.model_names();
  num_models_ = val_fit.num_models();
  num_classes_ = val_fit.num_classes();
  num_fit_samples_ = val_fit.num_samples();
  const std::vector<double> costs = val_fit.mean_costs();
  order_ = in_cost_order(val_fit, members);
  order_costs_.clear();
  for (int m : order_) order_costs_.push_back(costs[m]);
  sum_.assign(num_classes_, 0.0f);
  mean_.assign(num_classes_, 0.0f);

  // Committee confidence and correctness of every val_fit sample at every exit position.
  const int positions = static_cast<int>(order_.size()) - 1;
  const int n = num_fit_samples_;
  fit_confidence_.assign(positions, std::vector<float>(n));
  fit_correct_.assign(positions, std::vector<char>(n));
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < positions; ++k) {
      fit_confidence_[k][i] = add_to_committee(val_fit.probs(order_[k], i).data, k);
      fit_correct_[k][i] = argmax(mean_.data(), num_classes_) == val_fit.labels()[i];
    }
  }

  knob_values_.clear();
  if (!given_grid_.empty()) {
    knob_values_ = given_grid_;
  } else if (positions == 0) {
    knob_values_ = {0.0};  // one member: nothing to decide, one point
  } else if (calibration_ == WocCalibration::kAccuracy) {
    const int right =
        static_cast<int>(std::count(fit_correct_[0].begin(), fit_correct_[0].end(), 1));
    const double first = static_cast<double>(right) / n;
    for (int s = 0; s <= grid_steps_; ++s)
      knob_values_.push_back(s == grid_steps_ ? 1.0 : first + (1.0 - first) * s / grid_steps_);
  } else if (calibration_ == WocCalibration::kExitRate) {
    for (int s = 0; s <= grid_steps_; ++s)
      knob_values_.push_back(s == grid_steps_ ? 1.0 : static_cast<double>(s) / grid_steps_);
  } else {
    for (int s = 0; s <= grid_steps_; ++s)
      knob_values_.push_back(s == grid_steps_ ? 1.0 : static_cast<double>(s) / grid_steps_);
    std::vector<float> pooled;
    pooled.reserve(static_cast<size_t>(n) * positions);
    for (const auto& conf : fit_confidence_) pooled.insert(pooled.end(), conf.begin(), conf.end());
    std::sort(pooled.begin(), pooled.end());
    for (int q = 1; q <= num_quantiles_; ++q) {
      const double rank = static_cast<double>(q) / (num_quantiles_ + 1) * (pooled.size() - 1);
      knob_values_.push_back(pooled[static_cast<size_t>(std::lround(rank))]);
    }
  }
  std::sort(knob_values_.begin(), knob_values_.end());
  knob_values_.erase(std::unique(knob_values_.begin(), knob_values_.end()), knob_values_.end());
  set_knob(Knob().set(knob_name(), knob_values_.front()));
}

std::vector<double> Woc::thresholds_for(double value) const {
  const int positions = static_cast<int>(fit_confidence_.size());
  if (calibration_ == WocCalibration::kShared) return std::vector<double>(positions, value);

  std::vector<double> thresholds(positions, kNever);
  std::vector<int> reaching(num_fit_samples_);
  std::iota(reaching.begin(), reaching.end(), 0);
  for (int k = 0; k < positions && !reaching.empty(); ++k) {
    const std::vector<float>& conf = fit_confidence_[k];
    std::vector<int> sorted = reaching;  // most confident first
    std::stable_sort(sorted.begin(), sorted.end(), [&](int a, int b) { return conf[a] > conf[b]; });
    const int count = static_cast<int>(sorted.size());
    if (calibration_ == WocCalibration::kExitRate) {
      const int exits = std::clamp(static_cast<int>(std::ceil(value * count - 1e-9)), 0, count);
      if (exits > 0) thresholds[k] = conf[sorted[exits - 1]];
    } else {  // accuracy: the longest prefix, cut between distinct confidences, right >= value
      int right = 0;
      for (int j = 0; j < count; ++j) {
        right += fit_correct_[k][sorted[j]];
        const bool group_end = j + 1 == count || conf[sorted[j + 1]] != conf[sorted[j]];
        if (group_end && static_cast<double>(right) / (j + 1) >= value)
          thresholds[k] = conf[sorted[j]];
      }
    }
    std::vector<int> next;
    for (int i : reaching)
      if (!(conf[i] >= thresholds[k])) next.push_back(i);
    reaching.swap(next);
  }
  return thresholds;
}

std::vector<Knob> Woc::grid() const {
  std::vector<Knob> knobs;
  for (double v : knob_values_) knobs.push_back(Knob().set(knob_name(), v));
  return knobs;
}

void Woc::set_knob(const Knob& knob) {
  const double v = knob.get(knob_name());
  const bool unit = calibration_ != WocCalibration::kShared;
  if (!(v >= 0.0) || (unit && v > 1.0))
    throw std::invalid_argument(
        fmt::format("woc: {} {} outside [0, {}]", knob_name(), v, unit ? "1" : "inf"));
  knob_ = v;
  position_thresholds_ = thresholds_for(v);
}

int Woc::predict(Meter& meter) {
  require_fitted_shape(meter, num_models_, num_classes_, "woc");
  const int steps = static_cast<int>(order_.size());
  for (int k = 0; k < steps; ++k) {
    const float conf = add_to_committee(meter.run(order_[k]).data, k);
    if (k + 1 < steps && conf >= position_thresholds_[k]) break;
  }
  return argmax(mean_.data(), num_classes_);
}

nlohmann::json Woc::diagnostics() const {
  nlohmann::json order = nlohmann::json::array();
  for (size_t j = 0; j < order_.size(); ++j)
    order.push_back({{"name", model_names_[order_[j]]}, {"mean_cost", order_costs_[j]}});
  // Where val_fit samples exit under the current thresholds (the last entry: the full cascade).
  std::vector<double> exits(order_.size(), 0.0);
  for (int i = 0; i < num_fit_samples_; ++i) {
    size_t k = 0;
    while (k < position_thresholds_.size() && !(fit_confidence_[k][i] >= position_thresholds_[k]))
      ++k;
    exits[k] += 1.0 / num_fit_samples_;
  }
  nlohmann::json thresholds = nlohmann::json::array();
  for (double t : position_thresholds_)
    thresholds.push_back(std::isfinite(t) ? nlohmann::json(t) : nlohmann::json("never"));
  return {{"order", order},
          {"calibration", to_string(calibration_)},
          {"knob", {{knob_name(), knob_}}},
          {"position_thresholds", thresholds},
          {"val_fit_exit_fraction", exits},
          {"grid_points", knob_values_.size()},
          {"grid", given_grid_.empty() ? "automatic" : "given"}};
}

}  // namespace lazystack
