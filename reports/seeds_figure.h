// The multi-seed Pareto figure: per method, the curve averaged over seeds (points matched by
// knob across the seeds) with a band of the 95% interval of accuracy, and the mean headline
// point with its interval.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "reports/gnuplot.h"

namespace lazystack::reports {

/// A point averaged over seeds.
struct SeedsPoint {
  std::string knob;            ///< knob_text() of the point ("theta=0.8"); empty for a headline
  int seeds = 0;               ///< seeds averaged
  double mean_cost = 0.0;      ///< mean over the seeds
  double accuracy = 0.0;       ///< mean over the seeds
  double accuracy_ci95 = 0.0;  ///< half-width of the 95% t interval (0 for one seed)
  double cost_ci95 = 0.0;
};

struct SeedsSeries {
  std::string method;             ///< name in the summaries (figure_text)
  int style_index = 0;            ///< for series_style()
  int seeds_ok = 0;               ///< seeds where the method worked
  std::vector<SeedsPoint> front;  ///< Pareto front of the knob-matched means, by cost
  int matched = 0;                ///< knobs found in every seed where the method worked
  SeedsPoint headline;            ///< mean of the seeds' headline points (knobs may differ)
};

struct SeedsParetoFigure {
  std::string title;    ///< dataset name, "over n seeds"
  std::string x_label;  ///< from cost_unit
  std::vector<SeedsSeries> series;
  int num_seeds = 0;
  double x_lo = 1, x_hi = 10, y_lo = 0, y_hi = 1;
  FigureSize size;
  FigureLayout layout;
};

/// Collects the figure from the seeds' checked summaries: every working, achievable method
/// except the each-model method (its points are the zoo's models). A curve point enters the mean
/// curve when its knob is on the method's curve in every seed where the method worked; methods
/// whose knobs differ between seeds (grids placed by the data) are shown by their mean headline
/// alone. Points that cannot sit on a log cost axis are left out.
SeedsParetoFigure seeds_pareto_figure(const std::vector<nlohmann::json>& summaries,
                                      const FigureSize& size = {});

/// The CSV the script reads:
/// series,kind,knob,seeds,mean_cost,accuracy,accuracy_lo,accuracy_hi,accuracy_ci95,cost_ci95
/// with kind "front" or "headline"; lo / hi = accuracy -/+ accuracy_ci95.
std::string seeds_pareto_csv(const SeedsParetoFigure& figure);

/// The gnuplot script: per method a translucent band (the accuracy interval along its mean
/// front), the mean front as a line with markers, and the mean headline with error bars.
std::string seeds_pareto_script(const SeedsParetoFigure& figure, const std::string& csv_name,
                                const std::string& stem);

}  // namespace lazystack::reports
