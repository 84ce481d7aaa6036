// The trajectory coverage figure of one run (DESIGN.md section 7): for LazyStack with the MDP
// order (lazystack-sub, lazystack-mask) at its selected beta, the cumulative share of val_fit
// samples that the k most common trajectories (model sequences of the policy's rollouts)
// cover, k = 1..K, with the min_share cut that decides which trajectories get a substacker.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "reports/gnuplot.h"

namespace lazystack::reports {

/// One trajectory distribution, most common trajectory first.
struct TrajectoryCurve {
  std::vector<std::string> methods;  ///< the methods it belongs to (equal ones are merged)
  int style_index = 0;               ///< for series_style()
  double beta = 0.0;                 ///< the selected beta whose policy made them
  double min_share = 0.0;            ///< trajectories with at least this share are kept
  int num_samples = 0;               ///< val_fit samples rolled out
  std::vector<double> share;         ///< [k-1] = share of the k-th most common trajectory
  std::vector<double> cumulative;    ///< [k-1] = share covered by the k most common
  std::vector<bool> kept;            ///< [k-1] = the k-th got a substacker (share >= min_share)
  std::vector<std::string> models;   ///< [k-1] = its models in run order, "cnn-s>softmax"
  int num_kept = 0;
  double kept_coverage = 0.0;  ///< share covered by the kept ones

  /// The methods that share it: "lazystack-sub" or "lazystack-sub / lazystack-mask"
  std::string label() const;
};

struct TrajectoryFigure {
  std::string title;  ///< dataset name
  std::vector<TrajectoryCurve> curves;
  bool log_x = false;  ///< many trajectories: a log axis keeps the common ones apart
  double x_lo = 0.5, x_hi = 1.5;
  double y_lo = 0.0;  ///< cumulative share axis from y_lo to 1
  FigureSize size;
  FigureLayout layout;
};

/// Collects the curves from a checked summary: working methods of registry type lazystack-sub
/// or lazystack-mask that ran with the MDP order, at the beta in diagnostics.selected (the
/// headline's), from diagnostics.per_beta[].discovery.trajectories (or diagnostics.discovery
/// for a single-beta fit). Methods with the same trajectories (the same policy) share a curve.
/// No curves when the summary has none of these diagnostics.
TrajectoryFigure trajectory_figure(const nlohmann::json& summary, const FigureSize& size = {});

/// The CSV the script reads: series,beta,rank,share,cumulative_share,kept,models; one row per
/// curve and trajectory (kept is 1 or 0; models joined with '>').
std::string trajectory_csv(const TrajectoryFigure& figure);

/// The gnuplot script: each curve as a line, kept trajectories filled, dropped ones hollow,
/// and the min_share cut as a dashed vertical line labelled with what the kept ones cover.
std::string trajectory_script(const TrajectoryFigure& figure, const std::string& csv_name,
                              const std::string& stem);

}  // namespace lazystack::reports
