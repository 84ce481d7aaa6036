// `ocl`: online cascade learning. Nie et al., "Online Cascade Learning for Efficient Inference
// over Streams" (ICML 2024), with the rules its public code settles (papers/README.md).
//
// Cheap learners on the raw features (logistic regression, a small MLP), each followed by a
// deferral MLP over its probability vector (C -> 128 -> 1, sigmoid; defer if > 0.5), then the
// expert, a zoo model read through the Meter. The expert's argmax is the only label the method
// ever sees: every sample the expert answers joins the aggregated set D; the learners take an
// online gradient step (Adam, cross-entropy) each `batch` new expert labels, on those plus
// `replay` rows drawn from D (DAgger's aggregation); the deferral MLPs take a step on each
// expert-labelled sample, minimising the paper's cascade cost
//   J = sum_i P(reach i) [(1 - d_i) CE(p_i, expert) + d_i mu c_{i+1} / c_expert]
//       + sum_i (d_i - 1[argmax p_i != expert])^2
// with the learners' outputs held fixed. Until every learner has `warmup` updates the expert
// answers everything; afterwards a level that would answer still hands the sample to the
// expert with probability decay^updates (the decaying jump of DAgger / the paper). The expert
// is one zoo model (named, or the most accurate on val_fit), or with expert_stacker the full
// stacker: an MLP over every model's probabilities fitted offline on labelled val_fit, all
// models run as one tier through the Meter.
//
// Costs: each level (learner + its deferral MLP) is charged whenever it runs, in the
// experiment's unit: median batch-1 LibTorch forward latency (latency_ms, measured like the zoo
// profiler, single-threaded; kept per shape and machine in the method cache folder, so every
// stream and run charges the same), analytic multiply-adds (macs), parameter count (params), or the
// `level_costs` option (required for cost: given). When the expert answers, every learner has
// run on the sample (its output is needed for learning), so all are charged. Gradient steps
// are not charged: like the paper, cost is what serving runs.
#pragma once

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/hash.h"
#include "core/method.h"
#include "core/stream.h"
#include "methods/common/mlp.h"

namespace lazystack {

namespace ocl_detail {
struct Cascade;  // the torch modules and optimisers (ocl.cc)
}

class Ocl : public OnlineMethod {
 public:
  static MethodRegistry::Entry registry_entry();
  static std::vector<OptionSpec> option_specs();
  /// The `learners` a level can use: "logistic", "mlp".
  static const std::vector<std::string>& known_learners();

  /// Throws std::invalid_argument for what option specs cannot check (unknown learner,
  /// level_costs of the wrong length).
  explicit Ocl(const Options& options);
  ~Ocl() override;

  /// Offline choices only: the expert (named, or the most accurate on val_fit) and its cost.
  void fit(const FitContext& ctx) override;
  /// {mu: value} for each value of the mu option.
  std::vector<Knob> grid() const override;
  void set_knob(const Knob& knob) override;
  nlohmann::json diagnostics() const override;

  std::vector<OnlineLevel> begin_stream(const StreamSetup& setup) override;
  int serve(const StreamSample& sample, StreamMeter& meter) override;
  void end_stream() override;
  nlohmann::json stream_diagnostics() const override;
  bool needs_features() const override { return !learners_.empty(); }
  std::string shift() const override { return shift_; }
  std::vector<int> shift_classes(int num_classes) const override;

  /// The expert's model index; -2 for the full stacker (expert_stacker), -1 before fit().
  int expert() const { return expert_; }
  std::string expert_name() const {
    return expert_ >= 0 ? model_names_[expert_] : expert_ == -2 ? "full-stacker" : "";
  }

 private:
  CacheKey latency_key(const StreamSetup& setup) const;
  void measure_latencies(const StreamSetup& setup);
  int ask_expert(StreamMeter& meter);  ///< runs (and pays for) the expert; its argmax
  void update_learners();
  void update_deferrals(int expert_label);

  // Options.
  std::vector<double> mu_grid_;
  double decay_;
  int warmup_;
  int batch_;
  int replay_;
  double learning_rate_;
  double deferral_learning_rate_;
  int hidden_;
  std::vector<std::string> learners_;
  std::string expert_name_;
  bool expert_stacker_;
  std::string shift_;
  std::vector<long> shift_classes_;
  uint64_t option_seed_;
  std::vector<double> given_level_costs_;

  // Fitted (offline).
  std::vector<int> stacker_members_;  ///< expert_stacker: every zoo model, run as one tier
  MlpKernel stacker_;                 ///< expert_stacker: the fitted full stacker
  std::vector<float> stacker_input_, stacker_probs_;
  int expert_ = -1;
  double expert_cost_ = 0.0;
  std::string expert_choice_;  ///< how the expert was chosen
  std::vector<std::string> model_names_;
  uint64_t fit_seed_ = 0;
  double mu_ = 0.0;

  std::string cache_dir_;                    ///< where measured latencies are kept
  std::string measured_key_;                 ///< latency_key() of the measured latencies
  std::vector<double> measured_latency_ms_;  ///< [level]

  // Per stream.
  std::unique_ptr<ocl_detail::Cascade> cascade_;
  std::vector<OnlineLevel> levels_;
  std::string cost_source_;
  std::vector<double> normalised_next_cost_;  ///< [level] c_{i+1} / c_expert
  std::mt19937_64 rng_;
  int num_classes_ = 0, feature_dim_ = 0;
  std::vector<double> feature_mean_, feature_m2_;  ///< running statistics (Welford)
  int64_t seen_ = 0;
  std::vector<float> memory_x_;    ///< D: raw features of expert-labelled samples
  std::vector<int64_t> memory_y_;  ///< D: their expert labels
  int pending_ = 0;                ///< expert labels since the last learner update
  int64_t updates_ = 0, expert_calls_ = 0, warmup_samples_ = 0, jumps_ = 0;
  std::vector<int64_t> forwards_;  ///< [level] forward passes served (for the accounting test)
  std::vector<float> standardised_;
  std::vector<std::vector<float>> level_probs_;  ///< [level][C] this sample's outputs
};

}  // namespace lazystack
