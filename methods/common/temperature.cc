#include "methods/common/temperature.h"

#include <fmt/core.h>

#include <cmath>
#include <stdexcept>

namespace lazystack {
namespace {

// Mean NLL of softmax(beta * log_probs) against the labels; beta = 1 / temperature.
double nll_at(const LogitTable& table, int model, double beta) {
  const int n = table.num_samples(), num_classes = table.num_classes();
  const float* lp = table.model_log_probs(model);
  const auto& labels = table.labels();
  double total = 0.0;
  for (int i = 0; i < n; ++i) {
    const float* row = lp + static_cast<size_t>(i) * num_classes;
    double max = row[0];
    for (int c = 1; c < num_classes; ++c) max = std::max(max, static_cast<double>(row[c]));
    double sum = 0.0;
    for (int c = 0; c < num_classes; ++c) sum += std::exp(beta * (row[c] - max));
    total += std::log(sum) - beta * (row[labels[i]] - max);
  }
  return total / n;
}

}  // namespace

double fit_temperature(const LogitTable& table, int model) {
  if (table.num_samples() == 0 || table.labels().size() != static_cast<size_t>(table.num_samples()))
    throw std::invalid_argument(
        fmt::format("fit_temperature: model {} needs labelled samples", model));
  // Golden-section search for the minimum over beta = 1 / T in [1/20, 1/0.05].
  const double inv_phi = (std::sqrt(5.0) - 1.0) / 2.0;
  double lo = 1.0 / 20.0, hi = 1.0 / 0.05;
  double a = hi - inv_phi * (hi - lo), b = lo + inv_phi * (hi - lo);
  double fa = nll_at(table, model, a), fb = nll_at(table, model, b);
  for (int iter = 0; iter < 60 && hi - lo > 1e-6; ++iter) {
    if (fa <= fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - inv_phi * (hi - lo);
      fa = nll_at(table, model, a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + inv_phi * (hi - lo);
      fb = nll_at(table, model, b);
    }
  }
  return 1.0 / (0.5 * (lo + hi));
}

void apply_temperature(const float* log_probs, int num_classes, double temperature, float* probs,
                       float* scaled_log_probs) {
  const float beta = static_cast<float>(1.0 / temperature);
  float max = log_probs[0];
  for (int c = 1; c < num_classes; ++c) max = std::max(max, log_probs[c]);
  float sum = 0.0f;
  for (int c = 0; c < num_classes; ++c) {
    probs[c] = std::exp(beta * (log_probs[c] - max));
    sum += probs[c];
  }
  const float inv_sum = 1.0f / sum;
  for (int c = 0; c < num_classes; ++c) probs[c] *= inv_sum;
  if (scaled_log_probs) {
    const float log_sum = std::log(sum);
    for (int c = 0; c < num_classes; ++c)
      scaled_log_probs[c] = beta * (log_probs[c] - max) - log_sum;
  }
}

}  // namespace lazystack
