// The OCL learning-curve figure of one run (DESIGN.md section 7): for each online method
// (diagnostics.stream in summary.json), over its headline test stream, the share of samples
// each level answered and the cascade's accuracy, window by window, with the start of the
// shifted part marked when the stream has one.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "reports/gnuplot.h"

namespace lazystack::reports {

/// One online method's headline test stream.
struct OclPanel {
  std::string method;                      ///< name in the summary (figure_text)
  std::string title;                       ///< "ocl: mu=0.1, no shift, test acc. 86.5%"
  std::vector<std::string> stages;         ///< level names, then "expert"
  std::vector<int> position;               ///< samples seen at each window's end
  std::vector<std::vector<double>> share;  ///< [stage][window] share answered in the window
  std::vector<double> window_accuracy, running_accuracy;
  int shift_start = -1;  ///< first shifted position; -1 without a shift
};

struct OclFigure {
  std::string title;  ///< dataset name
  std::vector<OclPanel> panels;
  FigureSize size;
};

/// Panels of every working method whose diagnostics hold a stream record (by name); empty when
/// the run has no online method.
OclFigure ocl_figure(const nlohmann::json& summary, const FigureSize& size = {});

/// The CSV the script reads: method,series,position,value; series is share:<stage>,
/// window_accuracy or running_accuracy; each (method, series) in consecutive rows.
std::string ocl_csv(const OclFigure& figure);

/// The gnuplot script: one panel per method, stacked, shares as coloured lines, accuracies in
/// black, the shift start as a dashed vertical line.
std::string ocl_script(const OclFigure& figure, const std::string& csv_name,
                       const std::string& stem);

}  // namespace lazystack::reports
