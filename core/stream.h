// Streaming evaluation for methods that learn while they serve (online cascade learning): a
// split arrives one sample at a time in a seeded order, the method answers each sample before
// it sees the next, and every level it runs is charged. Labels stay here: they only score.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "core/cost_unit.h"
#include "core/evaluate.h"
#include "core/logit_table.h"
#include "core/meter.h"
#include "core/method.h"

namespace lazystack {

/// One of an online method's own levels (a learner and its deferral function): not a zoo model,
/// so its cost is declared up front, in the experiment's cost unit, and charged per run.
struct OnlineLevel {
  std::string name;
  double cost = 0.0;  ///< per run, in the experiment's cost unit
};

/// What an online method may know before a stream starts. No labels.
struct StreamSetup {
  int num_samples = 0;
  int feature_dim = 0;  ///< 0: the split has no raw features (labels and model outputs only)
  int num_classes = 0;
  CostUnit cost_unit = CostUnit::kGiven;
  uint64_t seed = 0;
};

/// One sample as an online method sees it: its raw features and its place in the stream.
struct StreamSample {
  const float* features = nullptr;  ///< [feature_dim]; nullptr when the split has none
  int feature_dim = 0;
  int position = 0;  ///< 0-based position in the stream
};

/// The per-sample gate of an online method: zoo models through the Meter (paid for, read only
/// after running), its own levels charged at their declared cost, at most once per sample.
/// Stages: levels 0 .. L-1, then L for any zoo model. Cost = zoo cost + levels run.
class StreamMeter {
 public:
  StreamMeter(Meter& zoo, std::vector<OnlineLevel> levels);

  void reset(int sample);
  /// Charges level `level` (once per sample); call before using its output.
  void run_level(int level);
  /// Runs zoo model m through the Meter (charged there); returns its probabilities.
  ProbView run_model(int m);
  /// Runs zoo models as one tier through the Meter (charged there, per its cost model).
  void run_tier(const std::vector<int>& models) { zoo_.run_tier(models); }

  int num_levels() const { return static_cast<int>(levels_.size()); }
  const std::vector<OnlineLevel>& levels() const { return levels_; }
  /// Levels run on this sample, in order.
  const std::vector<int>& level_trace() const { return level_trace_; }
  double level_cost() const { return level_cost_; }
  double cost() const { return zoo_.cost() + level_cost_; }
  /// The stage that answered: L (the zoo, i.e. the expert) when a zoo model ran, else the last
  /// level run, -1 when nothing ran. Taken from the accounting, not from the method.
  int answering_stage() const;
  const Meter& zoo() const { return zoo_; }

 private:
  Meter& zoo_;
  std::vector<OnlineLevel> levels_;
  uint64_t levels_run_ = 0;
  std::vector<int> level_trace_;
  double level_cost_ = 0.0;
};

/// A method that learns over a stream (its card's kind is MethodKind::kOnline, its registry
/// factory MethodCard::make_online). Like a Method it fits offline choices (e.g. the expert) on
/// val_fit and has a knob grid; instead of predicting it serves a stream: the pipeline streams
/// every knob over val_cal and test (pipeline/stream_run.h).
class OnlineMethod {
 public:
  virtual ~OnlineMethod() = default;
  /// Offline choices on labelled val_fit (same contract as Method::fit).
  virtual void fit(const FitContext& ctx) = 0;
  /// Knob settings, each streamed from scratch. Never empty.
  virtual std::vector<Knob> grid() const = 0;
  virtual void set_knob(const Knob& knob) = 0;
  /// Method-specific results for summary.json.
  virtual nlohmann::json diagnostics() const { return nlohmann::json::object(); }
  /// Starts a stream at the current knob: forgets everything learned on earlier streams and
  /// returns its levels (names, costs). Throws std::runtime_error when it cannot run (e.g. it
  /// needs features and setup.feature_dim == 0).
  virtual std::vector<OnlineLevel> begin_stream(const StreamSetup& setup) = 0;
  /// Answers one sample; may learn from what it paid for before returning.
  virtual int serve(const StreamSample& sample, StreamMeter& meter) = 0;
  /// Called after the last sample (also when serving threw).
  virtual void end_stream() {}
  /// Method-specific numbers of the stream just served (updates, expert calls, ...).
  virtual nlohmann::json stream_diagnostics() const { return nlohmann::json::object(); }
  /// True when it cannot run without raw features (a dataset of imported logits has none).
  virtual bool needs_features() const { return false; }
  /// The stream it asks for: "none", or "classes" (shift_classes() arrive only at the end).
  virtual std::string shift() const { return "none"; }
  virtual std::vector<int> shift_classes(int num_classes) const { return {}; }
};

/// A split as a stream: zoo outputs (with labels, for scoring only), raw features aligned with
/// its rows, and the order in which the samples arrive.
struct StreamSplit {
  const LogitTable* outputs = nullptr;
  const float* features = nullptr;  ///< [num_samples][feature_dim] or nullptr
  int feature_dim = 0;
  std::vector<int> order;  ///< permutation of the samples
  int shift_start = -1;    ///< first position of the shifted part; -1 without a shift
  std::string shift = "none";
};

/// Samples in a seeded random order; with `shift_classes` non-empty, the samples of those
/// classes come only in the last part of the stream (the last third, or more when they are
/// more than a third), mixed there with other samples to fill it, as in the paper's category
/// shift. `shift_start` receives the first position of that part (-1 without a shift). The
/// evaluator, not the method, reads the labels to build it.
std::vector<int> stream_order(const std::vector<int32_t>& labels,
                              const std::vector<int>& shift_classes, uint64_t seed,
                              int* shift_start);

/// How the stream went, in windows of consecutive positions.
struct StreamRecord {
  std::vector<std::string> stages;             ///< level names, then the expert stage
  int window = 1;                              ///< samples per window (the last may be shorter)
  std::vector<int> window_end;                 ///< position after each window
  std::vector<std::vector<int64_t>> answered;  ///< [window][stage] samples answered
  std::vector<int64_t> correct;                ///< [window] samples answered right
  std::vector<int64_t> level_runs;             ///< [level] runs over the whole stream
  int64_t zoo_runs = 0;                        ///< samples on which a zoo model ran
  double level_cost = 0.0;                     ///< mean level cost per sample
  double zoo_cost = 0.0;                       ///< mean zoo cost per sample
  double seconds = 0.0;                        ///< wall time of the whole stream (learning too)
  int shift_start = -1;
  std::string shift;
  nlohmann::json method;  ///< the method's stream_diagnostics()
  /// Windows, per-stage shares, window and running accuracy, end-of-stream shares (last window
  /// and whole stream).
  nlohmann::json to_json() const;
};

/// Streams `split` through `method` at its current knob. Decisions, when given, are stored at
/// each sample's row (not its stream position). `num_windows` sets the record's resolution.
OperatingPoint stream_evaluate(OnlineMethod& method, const StreamSplit& split,
                               const StreamSetup& setup, const EvalOptions& options,
                               StreamRecord* record = nullptr, SampleDecisions* decisions = nullptr,
                               int num_windows = 50);

}  // namespace lazystack
