// The evaluation machinery behind `cascade-search` (Lebovitz et al., "Efficient Inference With
// Model Cascades", TMLR 2023, section 3 "Evaluation"): per-sample confidences, correctness and
// costs of every model on a labelled split, a direct evaluation of one cascade, the sorted
// cumulative-sum sweep of a cascade's last threshold, and the improvement factor at equal
// accuracy summarised per accuracy band. Pure functions on labelled fitting splits (val_fit,
// val_cal); the test split never comes here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/logit_table.h"
#include "core/pareto.h"
#include "methods/common/confidence.h"

namespace lazystack {

/// What a cascade evaluation needs of each model on one labelled split, [m][n] each.
struct CascadeData {
  int num_samples = 0;
  std::vector<std::vector<float>> confidence;  ///< the exit signal, as predict() computes it
  std::vector<std::vector<uint8_t>> correct;   ///< argmax == label
  std::vector<std::vector<double>> cost;       ///< table.cost(m, n)
  std::vector<double> mean_cost;               ///< [m]
  std::vector<double> accuracy;                ///< [m]
};

/// Confidence (metric), correctness and cost of every model on every sample of `table`. The
/// confidence is the very function predict() applies to the Meter's outputs, so fit-time
/// evaluations and Meter runs agree bit for bit on the exit decisions.
CascadeData cascade_data(const LogitTable& table, ConfidenceMetric metric);

/// A cascade of 1 to 3 models run in the given order; after model j (all but the last) it exits
/// when confidence >= thresholds[j]. The last model always answers.
struct Cascade {
  std::vector<int> models;
  std::vector<double> thresholds;  ///< models.size() - 1 entries
};

/// "cnn-s>cnn-m@0.83" / "a>b>c@0.8,0.95" / "cnn-s" (thresholds to 4 significant digits).
std::string cascade_label(const Cascade& cascade, const std::vector<std::string>& names);

/// Accuracy and mean cost of `cascade` on the split, sample by sample (the reference the
/// sweeps are tested against). Throws std::invalid_argument on a malformed cascade.
CostAccuracy evaluate_cascade(const CascadeData& data, const Cascade& cascade);

/// Samples sorted by model m's confidence, most confident first (ties: lower index first).
std::vector<int> order_by_confidence(const CascadeData& data, int m);

/// One threshold of a sweep and the whole cascade's accuracy and mean cost there.
struct SweepPoint {
  double threshold = 0.0;
  CostAccuracy point;
};

/// The sorted cumulative-sum evaluation of the final pair of a cascade, "answer with a if
/// conf_a >= t, else with b", on the samples `forwarded` (listed most confident in a first, as
/// order_by_confidence() gives them, possibly filtered). Samples that left the cascade earlier
/// contribute `prior_correct` right answers; `prior_cost` is the total cost already charged
/// over all samples before a runs. Every forwarded sample pays a; those that do not exit pay b.
/// Returns one point per cut between two distinct consecutive confidences (the threshold is
/// their midpoint), i.e. every exit rate strictly between "none" and "all" that a threshold can
/// produce, in order of falling threshold (rising exit rate). O(k) after the sort. Accuracy and
/// cost are over all data.num_samples samples.
std::vector<SweepPoint> sweep_final_pair(const CascadeData& data, int a, int b,
                                         const std::vector<int>& forwarded, double prior_correct,
                                         double prior_cost);

/// `count` thresholds at evenly spaced quantiles of `values` (q = i / (count + 1), i = 1..count;
/// the value itself, so "conf >= t" lets the samples at or above it exit), ascending, distinct.
std::vector<double> quantile_thresholds(std::vector<float> values, int count);

/// Indices of at most `max_points` points of `front` (sorted by cost) spread evenly in log
/// cost (in cost when a cost is <= 0): the point nearest each of max_points evenly spaced
/// targets from the cheapest to the dearest, duplicates dropped. The two ends are always kept.
std::vector<int> thin_evenly_in_log_cost(const std::vector<CostAccuracy>& front, int max_points);

/// The improvement factor of a set of points per accuracy band: bands split [lowest, highest
/// accuracy of `single_front`] (sorted by cost, as from pareto_points) into `bands` equal
/// widths; a point's factor is front_cost_at(single_front, accuracy) / cost (linear
/// interpolation between the two bracketing single models). Points outside the range are not
/// in any band.
struct ImprovementBand {
  double accuracy_lo = 0.0, accuracy_hi = 0.0;
  std::vector<int> points;      ///< indices into the points given, in that order
  std::vector<double> factors;  ///< factor of each of those points
  double max_factor = 0.0;      ///< 0 when the band is empty
  double median_factor = 0.0;   ///< 0 when the band is empty
  int best = -1;                ///< index of the point with the largest factor, or -1
};
std::vector<ImprovementBand> improvement_bands(const std::vector<CostAccuracy>& single_front,
                                               const std::vector<CostAccuracy>& points, int bands);

/// The cascade search itself, on val_fit data.
struct SearchCandidate {
  Cascade cascade;
  CostAccuracy val_fit;
};
struct CascadeFront {
  std::vector<int> models;             ///< the cascade's members in run order
  std::vector<SearchCandidate> front;  ///< its own Pareto front of threshold settings
};
struct SearchResult {
  /// One entry per single model, then per pair, then per triple (members in cost order).
  std::vector<CascadeFront> cascades;
  /// The Pareto front over every cascade's front, sorted by cost. At equal cost and accuracy
  /// the simpler cascade (fewer models, earlier in `cascades`) is kept.
  std::vector<SearchCandidate> front;
  int64_t points_evaluated = 0;  ///< threshold settings evaluated in all
};

/// Exhaustive search over `members` (model indices, cheapest first): every single model, every
/// pair (a, b) with a before b, swept exactly (sweep_final_pair), and when max_models == 3
/// every triple (a, b, c) with `grid_size` first thresholds (quantile_thresholds of a's
/// confidences) and, for each, the exact sweep of the second threshold on what a forwards.
/// Cost O(M^2 n log n + M^3 grid_size n).
SearchResult search_cascades(const CascadeData& data, const std::vector<int>& members,
                             int max_models, int grid_size);

}  // namespace lazystack
