// Comparisons a hostile reviewer accepts (DESIGN.md section 7): every method is compared at
// equal accuracy with the strongest alternative in the run (the lower envelope of every
// baseline), with Lebovitz et al.'s improvement factor against the interpolated single-model
// front, with the cost it needs to reach fixed shares of the full stacker's accuracy, the area
// under its accuracy vs log-cost curve, and RouteLLM's APGR / CPT. Pure functions of
// summary.json, so `lazystack report` can recompute them for a folder that lacks them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/pareto.h"

namespace lazystack::reports {

/// Shares of the full stacker's test accuracy that `cost_to_reach` is reported at, and their
/// keys in summary.json ("0.95", ...).
constexpr double kReachFractions[] = {0.95, 0.97, 0.99, 0.995};
std::string reach_key(double fraction);

/// Share of test samples that must run exactly one model for a headline to be flagged
/// `single_model_exit`: such a headline is in effect one zoo model, and says so.
constexpr double kSingleModelExitShare = 0.95;

/// The table notes that explain the headline flags: † target not reached on val_cal, ‡
/// single-model exit. `suffix` goes before the final period (e.g. " (n/k: in n of k seeds)").
std::string target_missed_note(const std::string& suffix = "");
std::string single_model_exit_note(const std::string& suffix = "");

/// True for a summary method entry `m` (registry name `method`) whose card marks it proposed
/// (LazyStack's methods): the methods the best-baseline envelope leaves out.
bool is_proposed_method(const nlohmann::json& m, const std::string& method);

/// A point of the best-baseline envelope and the baseline it comes from.
struct BaselinePoint {
  double cost = 0.0;
  double accuracy = 0.0;
  std::string method;  ///< the config's name of the baseline ("cascade-search", "single:cnn-m")
};

/// The lower envelope of `points` (cheapest first, accuracy strictly rising); non-finite
/// points are dropped; of equal points the first is kept.
std::vector<BaselinePoint> lower_envelope(std::vector<BaselinePoint> points);

/// What the envelope pays at `accuracy`, interpolated linearly between the two envelope points
/// that bracket it (Lebovitz et al.: run the cheaper or the dearer at random); at or below its
/// cheapest point, that point's cost. `cost` is NaN when the envelope never reaches `accuracy`.
/// `method` names the baseline, or "a+b" for a mix of two baselines.
struct EnvelopeCost {
  double cost;
  std::string method;
};
EnvelopeCost envelope_cost_at(const std::vector<BaselinePoint>& envelope, double accuracy);

/// The points every method is compared against, from a summary: each working baseline's
/// reported curve (`pareto`, the test points of the knobs on its val_cal front), and the base
/// zoo models alone (members without a parent, named "single:<model>", test accuracy and
/// cost; the `single` method's points are these). Leaves out LazyStack methods, bounds, failed
/// methods and the method named `except`.
std::vector<BaselinePoint> baseline_points(const nlohmann::json& summary,
                                           const std::string& except = "");

/// The single-model front of Lebovitz et al.: the base zoo models that no other base model
/// beats on validation accuracy at no more cost, with their test accuracy and cost.
std::vector<CostAccuracy> single_model_front(const nlohmann::json& summary);

/// RouteLLM's routing metrics of one curve between a weak and a strong model. x is the cost
/// spent above the weak model's, as a share of the strong model's extra cost (the cost-based
/// reading of "share of calls to the strong model"); PGR(x) = (acc(x) - acc_weak) /
/// (acc_strong - acc_weak), with acc(x) the curve's interpolated front with the weak model
/// added (one can always answer with it) and flat past its last point.
struct RoutingMetrics {
  double apgr = 0.0;   ///< mean PGR over x in [0, 1]
  double cpt50 = 0.0;  ///< x at which PGR first reaches 0.5; NaN when it never does
  double cpt80 = 0.0;  ///< x at which PGR first reaches 0.8; NaN when it never does
};
RoutingMetrics routing_metrics(const std::vector<CostAccuracy>& curve, const CostAccuracy& weak,
                               const CostAccuracy& strong);

/// Adds to every working method of `summary` a `metrics` object:
///   x_best_baseline  envelope cost at the headline's test accuracy / the headline's cost
///                    (envelope over every other baseline: see baseline_points); null when
///                    the envelope never reaches that accuracy;
///   best_baseline    the baseline (or "a+b" mix) providing that envelope cost;
///   x_single_front   the same against single_model_front();
///   cost_to_reach    {"0.95": c, ...}: the method's reported front's cost at that share of the
///                    full stacker's test accuracy; null when not reached;
///   auc_log_cost     mean accuracy of the reported front's step function over log10(cost) in
///                    reference.auc_cost_range (0 before its first point);
///   apgr, cpt50, cpt80  routing_metrics() between reference.routing.weak and .strong.
/// Also sets reference.auc_cost_range ([cheapest base model's cost, full ensemble cost]) and
/// reference.routing ({weak, strong}: the cheapest base model and the one most accurate on
/// validation). Metrics that cannot be computed are null. Non-finite numbers become null.
void add_comparison_metrics(nlohmann::json& summary);

}  // namespace lazystack::reports
