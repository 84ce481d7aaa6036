// LogitTable: every zoo model's output on one split, the data all methods share.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lazystack {

/// A read-only view of one model's output on one sample: `num_classes` floats.
struct ProbView {
  const float* data = nullptr;
  int size = 0;
  float operator[](int c) const { return data[c]; }
  const float* begin() const { return data; }
  const float* end() const { return data + size; }
};

/// Outputs of M models on N samples of one split, C classes each, plus labels and costs.
/// Layout is model-major ([m][n][c]) so one model's block is contiguous, as in the HDF5 cache.
/// Both log-probabilities (log-softmax of the logits) and probabilities are kept: methods see
/// probabilities; temperature scaling and logit margins need the logits up to a constant.
class LogitTable {
 public:
  LogitTable() = default;
  /// An all-zero table; fill it with set_logits().
  LogitTable(std::vector<std::string> model_names, int num_samples, int num_classes);

  int num_models() const { return static_cast<int>(model_names_.size()); }
  int num_samples() const { return num_samples_; }
  int num_classes() const { return num_classes_; }
  const std::vector<std::string>& model_names() const { return model_names_; }
  /// Index of a model by name, or -1.
  int model_index(const std::string& name) const;

  /// Stores model m's logits (any constant shift per row is fine); computes log-probs and probs.
  void set_logits(int m, const float* logits_nc);
  /// Probability vector of model m on sample n.
  ProbView probs(int m, int n) const {
    return {probs_.data() + (static_cast<size_t>(m) * num_samples_ + n) * num_classes_,
            num_classes_};
  }
  /// Log-probabilities (normalised logits) of model m on sample n.
  ProbView log_probs(int m, int n) const {
    return {log_probs_.data() + (static_cast<size_t>(m) * num_samples_ + n) * num_classes_,
            num_classes_};
  }
  /// Contiguous [N][C] block of model m.
  const float* model_probs(int m) const {
    return probs_.data() + static_cast<size_t>(m) * num_samples_ * num_classes_;
  }
  const float* model_log_probs(int m) const {
    return log_probs_.data() + static_cast<size_t>(m) * num_samples_ * num_classes_;
  }

  /// Labels (int class ids). Methods get them only for fitting splits, never through a Meter.
  const std::vector<int32_t>& labels() const { return labels_; }
  void set_labels(std::vector<int32_t> labels);

  /// Per-model cost in the experiment's cost unit (same for every sample).
  const std::vector<double>& costs() const { return costs_; }
  void set_costs(std::vector<double> costs);
  /// Optional per-(model, sample) cost ([m][n]); when set it overrides costs() in the Meter.
  const std::vector<double>& sample_costs() const { return sample_costs_; }
  void set_sample_costs(std::vector<double> sample_costs_mn);
  double cost(int m, int n) const {
    return sample_costs_.empty() ? costs_[m]
                                 : sample_costs_[static_cast<size_t>(m) * num_samples_ + n];
  }
  /// Model m's mean cost over the samples: the sum of cost(m, n) over n, divided by the number
  /// of samples (so a constant cost comes back as that sum's rounding of it); costs()[m] for a
  /// table without samples. The one definition every method and reference number uses.
  double mean_cost(int m) const;
  /// mean_cost of every model, in model order.
  std::vector<double> mean_costs() const;

  /// Rows `indices` of this table (all models), e.g. val -> val_fit / val_cal.
  LogitTable subset(const std::vector<int>& indices) const;
  /// The same samples restricted to models `models` (in that order).
  LogitTable select_models(const std::vector<int>& models) const;

  /// Accuracy of model m's argmax against the labels.
  double model_accuracy(int m) const;

 private:
  std::vector<std::string> model_names_;
  int num_samples_ = 0;
  int num_classes_ = 0;
  std::vector<float> log_probs_;
  std::vector<float> probs_;
  std::vector<int32_t> labels_;
  std::vector<double> costs_;
  std::vector<double> sample_costs_;
};

/// argmax of a probability vector (first maximum on ties).
int argmax(ProbView p);
int argmax(const float* p, int n);

}  // namespace lazystack
