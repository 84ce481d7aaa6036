// The ablation chart of one run (DESIGN.md section 7): the rows of the ablation table as bars
// of speedup vs the full ensemble (log axis), test accuracy printed above each bar.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "reports/gnuplot.h"

namespace lazystack::reports {

/// One bar: a row of ablation_table().
struct AblationBar {
  std::string method;      ///< name in the summary (figure_text)
  std::string order;       ///< "mdp" / "cost"
  std::string aggregator;  ///< "sub" / "mask" / "last"
  std::string tic;         ///< the x tic label, "MDP\nSUB"
  double x = 0.0;          ///< bar centre (groups are set apart by a gap)
  double speedup = 0.0;    ///< vs the full ensemble at the headline; NaN when failed
  double accuracy = 0.0;   ///< test accuracy at the headline; NaN when failed
  bool failed = false;
};

struct AblationFigure {
  std::string title;  ///< dataset name
  std::vector<AblationBar> bars;
  double y_lo = 0.5, y_hi = 10;  ///< speedup axis (log); bars rise from 1 (the full ensemble)
  FigureSize size;
  FigureLayout layout;
};

/// The bars of a checked summary with LazyStack methods (has_lazystack_methods()), in the
/// ablation table's order: the SUB 2x2, then the MASK rows, each group set apart.
AblationFigure ablation_figure(const nlohmann::json& summary, const FigureSize& size = {});

/// The CSV the script reads: method,order,aggregator,x,speedup_vs_full,accuracy,status.
std::string ablation_csv(const AblationFigure& figure);

/// The gnuplot script: bars coloured by aggregator, solid for the MDP order and hatched for
/// the cost order, each labelled with its speedup and test accuracy.
std::string ablation_script(const AblationFigure& figure, const std::string& csv_name,
                            const std::string& stem);

}  // namespace lazystack::reports
