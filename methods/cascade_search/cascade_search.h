// `cascade-search`: the exhaustive 2- and 3-model cascade search of Lebovitz et al., "Efficient
// Inference With Model Cascades" (TMLR 2023), sections 3-4.
//
// Fit (val_fit only):
//   - members (option; default the whole zoo) are ordered by mean val_fit cost, ties by zoo
//     order. Candidates: every single model; every pair (a, b) with a before b (a cheaper), run
//     as "answer with a if conf_a >= t, else with b"; with max_models = 3 every triple
//     (a, b, c) in cost order, "exit at a if conf_a >= t1, else at b if conf_b >= t2, else c".
//   - pairs are evaluated at every threshold a val_fit sample's confidence allows, by the
//     paper's sorted cumulative-sum evaluation: sort val_fit by conf_a, then each cut's accuracy
//     and cost are prefix sums; thresholds sit midway between consecutive distinct confidences.
//     O(n log n) per pair.
//   - triples: the first threshold t1 takes `grid_size` values, the val_fit quantiles of
//     conf_a at q = i / (grid_size + 1), i = 1..grid_size (the paper subsamples the sorted first
//     thresholds the same way); for each t1 the second threshold is swept exactly on the
//     samples a forwards, by the same sorted evaluation. O(grid_size n) per triple.
//   - the Pareto front over all those (cascade, thresholds) points on val_fit is the method's
//     grid, thinned to at most `max_front` knobs evenly spaced in log cost (both ends kept).
//     Each knob names its cascade and thresholds ({m1, m2, m3, t1, t2}, model indices of the
//     zoo; label "cnn-s>cnn-m@0.83"), so set_knob() needs nothing else.
// Predict runs the knob's cascade through the Meter, one model per step.
//
// Diagnostics (val_cal, never test): the improvement factor at equal accuracy of each knob
// against the single-model Pareto front of the whole zoo on val_cal, linearly interpolated
// between the two front models bracketing the accuracy (= running one of the two at random);
// summarised over `bands` equal accuracy bands between the cheapest and the most accurate single
// model (max and median factor per band); and the best 2- and 3-model cascades by largest
// factor, taken over every pair's and triple's own val_fit front (each thinned to max_front
// settings) evaluated on val_cal.
//
// Left out: temperature scaling and mean-ensembling of executed outputs (cost-cascade has both;
// the paper finds max-prob without ensembling best), cascades of 4+ models, tier_delay in the
// fit-time costs (the Meter charges it at evaluation).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/method.h"
#include "methods/cascade_search/cascade_eval.h"
#include "methods/common/confidence.h"

namespace lazystack {

class CascadeSearch : public Method {
 public:
  static MethodRegistry::Entry registry_entry();
  static std::vector<OptionSpec> option_specs();

  explicit CascadeSearch(const Options& options);

  /// Searches every cascade on val_fit, keeps the (thinned) Pareto front as the grid, and
  /// computes the val_cal improvement-factor diagnostics.
  void fit(const FitContext& ctx) override;
  /// One knob per kept front point, by rising val_fit cost.
  std::vector<Knob> grid() const override;
  /// Reads the cascade from the knob: m1 [, m2, t1 [, m3, t2]].
  void set_knob(const Knob& knob) override;
  int predict(Meter& meter) override;
  nlohmann::json diagnostics() const override;

  /// The grid's cascades and their val_fit points, by rising cost. Valid after fit().
  const std::vector<SearchCandidate>& front() const { return front_; }
  /// Size of the untrimmed val_fit front.
  int full_front_size() const { return full_front_size_; }

 private:
  nlohmann::json improvement_diagnostics(const LogitTable& val_cal,
                                         const SearchResult& search) const;

  // Options.
  ConfidenceMetric metric_;
  int max_models_;
  int grid_size_;
  std::vector<std::string> member_names_;
  int max_front_;
  int bands_;

  // Fitted state.
  std::vector<std::string> model_names_;
  int num_models_ = 0;
  int num_classes_ = 0;
  std::vector<SearchCandidate> front_;
  int full_front_size_ = 0;
  Cascade current_;
  nlohmann::json diagnostics_ = nlohmann::json::object();
};

}  // namespace lazystack
