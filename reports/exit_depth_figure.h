// The exit-depth figure of one run (DESIGN.md section 7): for each early-exit method's headline
// point, the share of test samples that exit after d models, d = 1 .. zoo size.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "reports/gnuplot.h"

namespace lazystack::reports {

/// One method's headline exit-depth histogram.
struct ExitDepthSeries {
  std::string method;            ///< name in the summary (figure_text)
  int style_index = 0;           ///< for series_style(), shared with the Pareto figure
  std::vector<int64_t> samples;  ///< [d] = test samples that exited after d models
  int64_t total = 0;             ///< sum of `samples`
  double offset = 0.0;           ///< sideways shift of its markers, in depth units (dodging)
};

/// Everything the figure shows. Depth d is the headline point's depth_histogram index: the
/// number of sequential steps run before the exit, which is the number of models for every
/// method that runs one model a step.
struct ExitDepthFigure {
  std::string title;  ///< dataset name
  std::vector<ExitDepthSeries> series;
  int min_depth = 1, max_depth = 1;  ///< x axis: every depth from min to max
  double y_lo = 1e-4;                ///< log share axis, from y_lo to 1
  FigureSize size;                   ///< width as asked; height grown to hold the legend
  FigureLayout layout;               ///< plot area and legend (two entries a row, below)
};

/// True when a working method's headline is an early-exit point: its card says it exits early
/// (summary.json `early_exit`, MethodView::early_exit), or its depth_histogram has more than
/// one non-zero bin.
bool is_early_exit(bool early_exit_card, const nlohmann::json& headline);

/// Collects the series from a checked summary: working, achievable (not bound) early-exit
/// methods whose headline has a depth_histogram with samples, by name (the Pareto legend's
/// order). Depth 0 (exit before any model) is shown only when some method has samples there.
ExitDepthFigure exit_depth_figure(const nlohmann::json& summary, const FigureSize& size = {});

/// The CSV the script reads: method,depth,samples,share (share = samples / method's total),
/// one row per method and depth on the axis, zeros included.
std::string exit_depth_csv(const ExitDepthFigure& figure);

/// The gnuplot script: one line with markers per method on a log share axis (zero shares are
/// left out and break the line), each method's markers shifted sideways a little so equal
/// shares stay visible.
std::string exit_depth_script(const ExitDepthFigure& figure, const std::string& csv_name,
                              const std::string& stem);

}  // namespace lazystack::reports
