#include "core/logit_table.h"

#include <fmt/core.h>

#include <cmath>
#include <stdexcept>

namespace lazystack {

LogitTable::LogitTable(std::vector<std::string> model_names, int num_samples, int num_classes)
    : model_names_(std::move(model_names)),
      num_samples_(num_samples),
      num_classes_(num_classes),
      log_probs_(static_cast<size_t>(model_names_.size()) * num_samples * num_classes, 0.0f),
      probs_(log_probs_.size(), 0.0f),
      labels_(num_samples, 0),
      costs_(model_names_.size(), 1.0) {
  if (num_samples < 0 || num_classes < 1) {
    throw std::invalid_argument(
        fmt::format("LogitTable: need num_samples >= 0 and num_classes >= 1, got {} and {}",
                    num_samples, num_classes));
  }
  if (model_names_.size() > 64) {
    throw std::invalid_argument(
        fmt::format("LogitTable: at most 64 models are supported, got {}", model_names_.size()));
  }
}

int LogitTable::model_index(const std::string& name) const {
  for (int m = 0; m < num_models(); ++m)
    if (model_names_[m] == name) return m;
  return -1;
}

void LogitTable::set_logits(int m, const float* logits_nc) {
  const size_t base = static_cast<size_t>(m) * num_samples_ * num_classes_;
  for (int n = 0; n < num_samples_; ++n) {
    const float* in = logits_nc + static_cast<size_t>(n) * num_classes_;
    float* lp = log_probs_.data() + base + static_cast<size_t>(n) * num_classes_;
    float* p = probs_.data() + base + static_cast<size_t>(n) * num_classes_;
    float mx = in[0];
    for (int c = 1; c < num_classes_; ++c) mx = std::max(mx, in[c]);
    double sum = 0.0;
    for (int c = 0; c < num_classes_; ++c) sum += std::exp(static_cast<double>(in[c] - mx));
    const float log_z = mx + static_cast<float>(std::log(sum));
    for (int c = 0; c < num_classes_; ++c) {
      lp[c] = in[c] - log_z;
      p[c] = std::exp(lp[c]);
    }
  }
}

void LogitTable::set_labels(std::vector<int32_t> labels) {
  if (static_cast<int>(labels.size()) != num_samples_) {
    throw std::invalid_argument(
        fmt::format("LogitTable: {} labels for {} samples", labels.size(), num_samples_));
  }
  for (int32_t y : labels) {
    if (y < 0 || y >= num_classes_)
      throw std::invalid_argument(
          fmt::format("LogitTable: label {} outside [0, {})", y, num_classes_));
  }
  labels_ = std::move(labels);
}

void LogitTable::set_costs(std::vector<double> costs) {
  if (static_cast<int>(costs.size()) != num_models()) {
    throw std::invalid_argument(
        fmt::format("LogitTable: {} costs for {} models", costs.size(), num_models()));
  }
  for (double c : costs)
    if (!(c >= 0.0) || !std::isfinite(c))
      throw std::invalid_argument(fmt::format("LogitTable: cost {} is not finite and >= 0", c));
  costs_ = std::move(costs);
}

double LogitTable::mean_cost(int m) const {
  if (num_samples_ == 0) return costs_.at(m);
  double sum = 0.0;
  for (int n = 0; n < num_samples_; ++n) sum += cost(m, n);
  return sum / num_samples_;
}

std::vector<double> LogitTable::mean_costs() const {
  std::vector<double> out(num_models());
  for (int m = 0; m < num_models(); ++m) out[m] = mean_cost(m);
  return out;
}

void LogitTable::set_sample_costs(std::vector<double> sample_costs_mn) {
  if (!sample_costs_mn.empty() &&
      sample_costs_mn.size() != static_cast<size_t>(num_models()) * num_samples_) {
    throw std::invalid_argument(fmt::format("LogitTable: {} per-sample costs, expected {} x {}",
                                            sample_costs_mn.size(), num_models(), num_samples_));
  }
  sample_costs_ = std::move(sample_costs_mn);
}

LogitTable LogitTable::subset(const std::vector<int>& indices) const {
  LogitTable out(model_names_, static_cast<int>(indices.size()), num_classes_);
  const size_t C = num_classes_;
  for (int m = 0; m < num_models(); ++m) {
    for (size_t i = 0; i < indices.size(); ++i) {
      const int n = indices[i];
      if (n < 0 || n >= num_samples_) throw std::out_of_range("LogitTable::subset: bad index");
      const size_t src = (static_cast<size_t>(m) * num_samples_ + n) * C;
      const size_t dst = (static_cast<size_t>(m) * indices.size() + i) * C;
      std::copy(log_probs_.begin() + src, log_probs_.begin() + src + C,
                out.log_probs_.begin() + dst);
      std::copy(probs_.begin() + src, probs_.begin() + src + C, out.probs_.begin() + dst);
    }
  }
  for (size_t i = 0; i < indices.size(); ++i) out.labels_[i] = labels_[indices[i]];
  out.costs_ = costs_;
  if (!sample_costs_.empty()) {
    out.sample_costs_.resize(static_cast<size_t>(num_models()) * indices.size());
    for (int m = 0; m < num_models(); ++m)
      for (size_t i = 0; i < indices.size(); ++i)
        out.sample_costs_[m * indices.size() + i] =
            sample_costs_[static_cast<size_t>(m) * num_samples_ + indices[i]];
  }
  return out;
}

LogitTable LogitTable::select_models(const std::vector<int>& models) const {
  std::vector<std::string> names;
  for (int m : models) {
    if (m < 0 || m >= num_models()) throw std::out_of_range("LogitTable::select_models");
    names.push_back(model_names_[m]);
  }
  LogitTable out(names, num_samples_, num_classes_);
  const size_t block = static_cast<size_t>(num_samples_) * num_classes_;
  for (size_t j = 0; j < models.size(); ++j) {
    std::copy(log_probs_.begin() + models[j] * block, log_probs_.begin() + (models[j] + 1) * block,
              out.log_probs_.begin() + j * block);
    std::copy(probs_.begin() + models[j] * block, probs_.begin() + (models[j] + 1) * block,
              out.probs_.begin() + j * block);
  }
  out.labels_ = labels_;
  out.costs_.clear();
  for (int m : models) out.costs_.push_back(costs_[m]);
  if (!sample_costs_.empty()) {
    for (int m : models)
      out.sample_costs_.insert(out.sample_costs_.end(),
                               sample_costs_.begin() + static_cast<size_t>(m) * num_samples_,
                               sample_costs_.begin() + static_cast<size_t>(m + 1) * num_samples_);
  }
  return out;
}

double LogitTable::model_accuracy(int m) const {
  if (num_samples_ == 0) return 0.0;
  long correct = 0;
  for (int n = 0; n < num_samples_; ++n) correct += argmax(probs(m, n)) == labels_[n];
  return static_cast<double>(correct) / num_samples_;
}

int argmax(const float* p, int n) {
  int best = 0;
  for (int c = 1; c < n; ++c)
    if (p[c] > p[best]) best = c;
  return best;
}

int argmax(ProbView p) { return argmax(p.data, p.size); }

}  // namespace lazystack
