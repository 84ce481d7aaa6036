#include "core/meter.h"

#include <fmt/core.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace lazystack {

CostModel parse_cost_model(const std::string& name) {
  if (name == "sequential") return CostModel::kSequential;
  if (name == "parallel") return CostModel::kParallel;
  throw std::invalid_argument("cost_model must be 'sequential' or 'parallel', got '" + name + "'");
}

const char* to_string(CostModel model) {
  return model == CostModel::kParallel ? "parallel" : "sequential";
}

Meter::Meter(const LogitTable& table, CostModel cost_model, double tier_delay)
    : Meter(table, cost_model,
            tier_delay != 0.0 ? std::vector<double>{tier_delay} : std::vector<double>{}) {}

Meter::Meter(const LogitTable& table, CostModel cost_model, std::vector<double> tier_delays)
    : table_(table), cost_model_(cost_model), tier_delays_(std::move(tier_delays)) {
  trace_.reserve(table.num_models());
}

double Meter::step_delay() const {
  if (tier_delays_.empty()) return 0.0;
  return tier_delays_[std::min(static_cast<size_t>(depth_), tier_delays_.size() - 1)];
}

void Meter::reset(int sample) {
  if (sample < 0 || sample >= table_.num_samples())
    throw std::out_of_range(
        fmt::format("Meter::reset: sample {} outside [0, {})", sample, table_.num_samples()));
  sample_ = sample;
  executed_ = 0;
  trace_.clear();
  depth_ = 0;
  cost_ = 0.0;
}

void Meter::check_model(int m) const {
  if (m < 0 || m >= table_.num_models())
    throw std::out_of_range(
        fmt::format("Meter: model index {} outside [0, {})", m, table_.num_models()));
}

ProbView Meter::run(int m) {
  check_model(m);
  if (!executed(m)) {
    executed_ |= uint64_t{1} << m;
    trace_.push_back(m);
    cost_ += table_.cost(m, sample_) + step_delay();
    ++depth_;
  }
  return table_.probs(m, sample_);
}

void Meter::run_tier(const int* models, int count) {
  double tier_cost = 0.0;
  bool any = false;
  for (int i = 0; i < count; ++i) {
    const int m = models[i];
    check_model(m);
    if (executed(m)) continue;
    executed_ |= uint64_t{1} << m;
    trace_.push_back(m);
    const double c = table_.cost(m, sample_);
    tier_cost = cost_model_ == CostModel::kParallel ? std::max(tier_cost, c) : tier_cost + c;
    any = true;
  }
  if (any) {
    cost_ += tier_cost + step_delay();
    ++depth_;
  }
}

ProbView Meter::probs(int m) const {
  check_model(m);
  if (!executed(m))
    throw std::logic_error(
        fmt::format("Meter: read of model {} ('{}') on sample {} before running it", m,
                    table_.model_names()[m], sample_));
  return table_.probs(m, sample_);
}

ProbView Meter::log_probs(int m) const {
  check_model(m);
  if (!executed(m))
    throw std::logic_error(
        fmt::format("Meter: read of model {} ('{}') on sample {} before running it", m,
                    table_.model_names()[m], sample_));
  return table_.log_probs(m, sample_);
}

int Meter::bound_label() const {
  if (!bound_access_) throw std::logic_error("Meter: labels are only for bound methods");
  return table_.labels()[sample_];
}

ProbView Meter::bound_peek(int m) const {
  if (!bound_access_) throw std::logic_error("Meter: peeking is only for bound methods");
  check_model(m);
  return table_.probs(m, sample_);
}

}  // namespace lazystack
