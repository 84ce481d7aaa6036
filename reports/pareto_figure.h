// The Pareto figure of one run (DESIGN.md section 7): accuracy against mean cost (log scale)
// for every method's swept curve, its Pareto front and its headline point, the zoo's single
// models as labelled points, and bounds (the oracle) marked as such.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "reports/gnuplot.h"

namespace lazystack::reports {

/// One plotted point. `kind` says how it is drawn:
///   front     a swept point on the method's Pareto front (filled marker, joined by a line)
///   dominated a swept point off the front (small hollow marker); front + dominated = the
///             method's whole curve
///   headline  the method's headline point, chosen on val (large marker, black ring)
///   single    a zoo model alone (series "single", label = model name)
///   bound     a point of a bound such as the oracle (star; not achievable)
/// The series and kind of the zoo's models in points.csv and the gnuplot script: a word of the
/// figure's data, not a registry name.
inline constexpr const char* kZooPoint = "single";  // names-lint: ok (figure data vocabulary)

struct ParetoPoint {
  std::string series;  ///< method name, or kZooPoint
  std::string kind;
  std::string label;  ///< knob ("theta=0.8") or model name
  double mean_cost = 0.0;
  double accuracy = 0.0;
  std::string label_at{};  ///< singles: where the name goes (above, below-left, ...)
};

/// Which methods a figure draws (by instance name); the zoo's single models are always drawn.
struct MethodFilter {
  enum class Mode { kAll, kOnly, kExcept };
  Mode mode = Mode::kAll;
  std::vector<std::string> names;
  /// Zoo members derived from another (Gatekeeper variants, with a `parent`) as single points.
  bool derived_models = true;
  /// Names beside the single models' points (crowded figures leave them to the main one).
  bool model_names = true;
  bool includes(const std::string& name) const;
};

/// Everything the figure shows, taken from summary.json without recomputation. Points whose
/// cost is not positive or whose numbers are not finite cannot sit on a log axis: they are
/// left out (and counted in `skipped`).
struct ParetoFigure {
  std::string title;                 ///< dataset name
  std::string x_label;               ///< from cost_unit, e.g. "latency per sample (ms)"
  std::vector<std::string> methods;  ///< plotted methods, in legend order
  std::vector<int> style_index;      ///< per method: index for series_style() (stable names)
  std::vector<std::string> bounds;   ///< plotted bounds
  std::vector<ParetoPoint> points;   ///< every plotted point, grouped by series then kind
  int skipped = 0;
  double x_lo = 1, x_hi = 10;  ///< cost axis (log), padded around the points
  double y_lo = 0, y_hi = 1;   ///< accuracy axis, zoomed to the points
  /// The zoomed panel under the plot: the top tenth of the accuracy range of the methods' and
  /// models' points (bounds left out), over the costs of the points inside it.
  bool has_zoom = false;
  double zoom_x_lo = 1, zoom_x_hi = 10, zoom_y_lo = 0, zoom_y_hi = 1;
  double zoom_top_in = 0.0, zoom_height_in = 1.3;  ///< from the figure's top edge

  // Layout, in inches from the figure's edges: fixed, so the plot area is the same size
  // whatever the legend holds, and names can be placed knowing where they land.
  FigureSize size;  ///< width as asked; height grown to hold the legend
  double plot_left_in = 0.6, plot_right_in = 0.12;  ///< margins left and right of the plot
  double plot_top_in = 0.25, plot_height_in = 2.0;
  double legend_top_in = 0.0;  ///< from the bottom edge
  int legend_rows = 0;         ///< two entries a row, under the x axis label
};

/// Collects the figure's points from a checked summary and lays it out at `size.width_in`
/// (axis ranges, zoom panel, legend rows, where each single model's name goes). Methods outside
/// `filter` are left out. A method whose card has the each-model role is drawn as the zoo's
/// labelled points instead of a curve, as long as the zoo has any. Each method's line is its
/// reported curve (`pareto`: knobs chosen on val_cal, read on test); the rest of its grid is drawn
/// as small hollow points.
ParetoFigure pareto_figure(const nlohmann::json& summary, const FigureSize& size = {},
                           const MethodFilter& filter = {});

/// The CSV the script reads: series,kind,label,mean_cost,accuracy,label_at; numbers at full
/// precision. Names and labels have commas turned into ';' and '"' into "'" (gnuplot cannot
/// read a comma inside a quoted field).
std::string pareto_csv(const ParetoFigure& figure);

/// Axes of a cost-accuracy plot: log cost axis labelled `x_label` with 1-2-5 tics, accuracy
/// axis with at most eight tics, border, tics and grid (shared with the multi-seed figure).
std::string cost_accuracy_axes(const std::string& x_label, double x_lo, double x_hi, double y_lo,
                               double y_hi);

/// The gnuplot script that plots `csv_name` and writes <stem>.png/.svg/.pdf.
std::string pareto_script(const ParetoFigure& figure, const std::string& csv_name,
                          const std::string& stem);

}  // namespace lazystack::reports
