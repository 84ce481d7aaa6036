#include "methods/common/model_outputs.h"

#include <fmt/core.h>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <stdexcept>

namespace lazystack {

std::vector<float> concat_probs(const LogitTable& table, const std::vector<int>& models) {
  const size_t n = table.num_samples(), num_classes = table.num_classes(), k = models.size();
  std::vector<float> out(n * k * num_classes);
  for (size_t j = 0; j < k; ++j) {
    const float* block = table.model_probs(models[j]);
    for (size_t i = 0; i < n; ++i)
      std::memcpy(out.data() + (i * k + j) * num_classes, block + i * num_classes,
                  num_classes * sizeof(float));
  }
  return out;
}

void concat_probs(const Meter& meter, const std::vector<int>& models, float* out) {
  const int num_classes = meter.num_classes();
  for (int m : models) {
    std::memcpy(out, meter.probs(m).data, num_classes * sizeof(float));
    out += num_classes;
  }
}

std::vector<int> ascending_cost_order(const LogitTable& table) {
  const std::vector<double> costs = table.mean_costs();
  std::vector<int> order(costs.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return costs[a] < costs[b]; });
  return order;
}

std::vector<int> all_models(const LogitTable& table) {
  std::vector<int> models(table.num_models());
  std::iota(models.begin(), models.end(), 0);
  return models;
}

void require_models(const LogitTable& val_fit, const char* method) {
  if (val_fit.num_models() == 0)
    throw std::runtime_error(fmt::format("{}: the zoo has no models", method));
  if (val_fit.num_samples() == 0)
    throw std::runtime_error(fmt::format("{}: val_fit has no samples", method));
}

void require_fitted_shape(const Meter& meter, int num_models, int num_classes, const char* method) {
  if (meter.num_models() != num_models || meter.num_classes() != num_classes)
    throw std::logic_error(
        fmt::format("{}: fitted on {} models x {} classes, asked to predict on {} x {}{}", method,
                    num_models, num_classes, meter.num_models(), meter.num_classes(),
                    num_models == 0 ? " (was fit() called?)" : ""));
}

std::vector<int> resolve_models(const LogitTable& table, const std::vector<std::string>& names) {
  if (names.empty()) return all_models(table);
  std::vector<int> models;
  std::string known;
  for (const auto& name : table.model_names()) known += (known.empty() ? "" : ", ") + name;
  for (const auto& name : names) {
    const int m = table.model_index(name);
    if (m < 0)
      throw std::invalid_argument("unknown model '" + name + "' (the zoo has: " + known + ")");
    if (std::find(models.begin(), models.end(), m) != models.end())
      throw std::invalid_argument("model '" + name + "' is listed twice");
    models.push_back(m);
  }
  return models;
}

std::vector<int> resolve_members(const LogitTable& table, const std::vector<std::string>& names,
                                 const char* method) {
  try {
    return resolve_models(table, names);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(std::string(method) + ": members: " + e.what());
  }
}

std::vector<int> in_cost_order(const LogitTable& table, const std::vector<int>& models) {
  std::vector<int> out;
  for (int m : ascending_cost_order(table))
    if (std::find(models.begin(), models.end(), m) != models.end()) out.push_back(m);
  return out;
}

}  // namespace lazystack
