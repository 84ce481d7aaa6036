// The Meter: the only way a method sees a model's output on a test sample (DESIGN.md section 3).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "core/logit_table.h"

namespace lazystack {

/// How a tier of models run together is charged.
enum class CostModel {
  kSequential,  ///< a tier costs the sum of its members
  kParallel,    ///< a tier costs the max of its members
};
CostModel parse_cost_model(const std::string& name);  ///< "sequential" | "parallel"
const char* to_string(CostModel model);

/// Per-sample gate between a method and the cached outputs. A method can read a model's
/// output only after running it, and each model is charged at most once per sample. The
/// evaluator reads cost, models used and exit depth from here, never from the method.
/// Supports up to 64 models (executed set is a bitmask).
class Meter {
 public:
  Meter(const LogitTable& table, CostModel cost_model, double tier_delay = 0.0);
  /// Per-step delays: the k-th sequential step of a sample (0-based: a model run alone, or a
  /// tier) pays tier_delays[min(k, size - 1)] (CoE's edge-to-cloud setting: the deeper the
  /// tier, the further away it runs). Empty = no delay.
  Meter(const LogitTable& table, CostModel cost_model, std::vector<double> tier_delays);

  /// Starts a new sample: clears cost, trace and the executed set.
  void reset(int sample);

  /// Runs model m (charging its cost unless it already ran on this sample); returns its probs.
  ProbView run(int m);
  /// Runs several models as one tier: charges max (parallel) or sum (sequential) of the members
  /// not yet run, plus the step's delay (communication delay, e.g. edge-to-cloud).
  void run_tier(const int* models, int count);
  void run_tier(std::initializer_list<int> models) {
    run_tier(models.begin(), static_cast<int>(models.size()));
  }
  void run_tier(const std::vector<int>& models) {
    run_tier(models.data(), static_cast<int>(models.size()));
  }

  /// Output of a model that already ran on this sample; throws std::logic_error otherwise.
  ProbView probs(int m) const;
  ProbView log_probs(int m) const;

  bool executed(int m) const { return (executed_ >> m) & 1u; }
  uint64_t executed_mask() const { return executed_; }
  /// Models in the order they ran.
  const std::vector<int>& trace() const { return trace_; }
  int num_run() const { return static_cast<int>(trace_.size()); }
  /// Sequential steps taken (a tier counts once): the exit depth.
  int depth() const { return depth_; }
  double cost() const { return cost_; }

  int sample() const { return sample_; }
  int num_models() const { return table_.num_models(); }
  int num_classes() const { return table_.num_classes(); }
  /// Cost of model m on the current sample (public knowledge: costs are profiled up front).
  double model_cost(int m) const { return table_.cost(m, sample_); }
  CostModel cost_model() const { return cost_model_; }

  /// Bound methods only (oracle): the label and any output without paying. Throws unless the
  /// Meter was opened with allow_bound_access(), which the evaluator does only for bounds.
  void allow_bound_access() { bound_access_ = true; }
  int bound_label() const;
  ProbView bound_peek(int m) const;

 private:
  void check_model(int m) const;
  double step_delay() const;  ///< the delay of the next sequential step (depth_)

  const LogitTable& table_;
  CostModel cost_model_;
  std::vector<double> tier_delays_;  ///< per step; the last repeats; empty = none
  int sample_ = 0;
  uint64_t executed_ = 0;
  std::vector<int> trace_;
  int depth_ = 0;
  double cost_ = 0.0;
  bool bound_access_ = false;
};

}  // namespace lazystack
