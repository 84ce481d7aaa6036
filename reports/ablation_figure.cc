#include "reports/ablation_figure.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "reports/ablation.h"
#include "reports/summary.h"
#include "reports/table.h"
#include "reports/tables.h"

namespace lazystack::reports {
using nlohmann::json;

namespace {

// Colour per aggregator (the x tics name it too): the Pareto figure's LazyStack SUB and MASK
// colours, and a grey-green for the last model's own confidence.
std::string aggregator_colour(const std::string& aggregator) {
  if (aggregator == "sub") return series_style(0).colour;
  if (aggregator == "mask") return series_style(1).colour;
  if (aggregator == "last") return series_style(2).colour;
  return "#777777";
}

std::string short_text(const std::string& order_or_aggregator) {
  if (order_or_aggregator == "mdp") return "MDP";
  if (order_or_aggregator == "sub") return "SUB";
  if (order_or_aggregator == "mask") return "MASK";
  return order_or_aggregator;  // "cost", "last"
}

}  // namespace

AblationFigure ablation_figure(const json& summary, const FigureSize& size) {
  AblationFigure fig;
  fig.size = size;
  fig.title = dataset_name(summary);
  double x = 0.0, lo = 1.0, hi = 1.0;
  int last_group = -1;
  for (const AblationRow& row : ablation_rows(summary)) {
    if (last_group >= 0 && row.group != last_group) x += 0.6;  // a gap between groups
    last_group = row.group;
    AblationBar bar;
    bar.method = figure_text(row.view.name);
    bar.order = figure_text(row.order);
    bar.aggregator = figure_text(row.aggregator);
    bar.tic = short_text(bar.order) + "\n" + short_text(bar.aggregator);
    bar.x = x;
    x += 1.0;
    bar.failed = !row.view.error.empty() || row.view.bound;
    bar.speedup = bar.failed ? NAN : number_or_nan(*row.view.headline, "speedup_vs_full");
    bar.accuracy = bar.failed ? NAN : number_or_nan(*row.view.headline, "accuracy");
    if (std::isfinite(bar.speedup) && bar.speedup > 0) {
      lo = std::min(lo, bar.speedup);
      hi = std::max(hi, bar.speedup);
    }
    fig.bars.push_back(std::move(bar));
  }
  // Log axis from under the lowest bar top (or 1) to well above the highest, for its labels.
  fig.y_lo = lo / 1.6;
  fig.y_hi = hi * std::pow(hi / fig.y_lo, 0.3) * 1.2;
  // Legend: MDP order (solid) and cost order (hatched) side by side under a title line.
  fig.layout = legend_below_layout(fig.size, 2, 12, !fig.title.empty(), /*plot_height_in=*/1.9);
  const double title_line_in = 1.6 * fig.layout.key_font_pt * kPointInches;
  fig.layout.legend_top_in += title_line_in;
  fig.layout.axis_in += 0.1;  // two-line tic labels
  fig.layout.left_in = 0.72;
  fig.size.height_in += title_line_in + 0.1;
  return fig;
}

std::string ablation_csv(const AblationFigure& figure) {
  std::string out = "method,order,aggregator,x,speedup_vs_full,accuracy,status\n";
  for (const AblationBar& b : figure.bars)
    out += fmt::format("{},{},{},{},{},{},{}\n", csv_field(b.method), csv_field(b.order),
                       csv_field(b.aggregator), format_raw(b.x), format_raw(b.speedup),
                       format_raw(b.accuracy), b.failed ? "failed" : "ok");
  return out;
}

std::string ablation_script(const AblationFigure& figure, const std::string& csv_name,
                            const std::string& stem) {
  const FigureSize& size = figure.size;
  std::string s = script_header(
      fmt::format(
          "Ablation chart of {}: LazyStack's speedup vs the full ensemble at each variant's "
          "headline point, test accuracy above each bar.",
          figure.title),
      csv_name, "method,order,aggregator,x,speedup_vs_full,accuracy,status", stem);
  s += "# on(o, a): the bar's x on rows with order o and aggregator a that have a speedup.\n";
  s += "on(o, a) = (strcol(2) eq o && strcol(3) eq a && strcol(7) eq \"ok\") ? column(4) : NaN\n";
  s += "ok(c) = strcol(7) eq \"ok\" ? column(c) : NaN\n\n";
  s += layout_commands(size, figure.layout);
  s += title_command(figure.title, size);
  s += "set ylabel \"speedup vs full ensemble\" offset -0.2,0\n";
  const double x_hi = figure.bars.empty() ? 1.0 : figure.bars.back().x + 0.6;
  s += fmt::format("set xrange [-0.6:{:g}]\n", x_hi);
  s += "set logscale y\n";
  s += fmt::format("set yrange [{:g}:{:g}]\n", figure.y_lo, figure.y_hi);
  std::string tics;
  for (double t : log_axis_tics(figure.y_lo, figure.y_hi))
    tics += fmt::format("{}\"{:g}×\" {:g}", tics.empty() ? "" : ", ", t, t);
  s += "set ytics (" + tics + ")\n";
  std::string xtics;
  for (const AblationBar& b : figure.bars)
    xtics += fmt::format("{}{} {:g}", xtics.empty() ? "" : ", ", gnuplot_quote(b.tic), b.x);
  s += fmt::format("set xtics (" + xtics + ") scale 0 font \",{:g}\"\n", size.font_pt - 0.5);
  s += "set border 3 lw 0.8\nset tics nomirror out\nset ytics scale 0.5\n";
  s += "set grid ytics lw 0.5 lc rgb \"#e4e4e4\"\n";
  // The full ensemble's speedup, 1: the bars rise from it (or fall below it).
  s += "set arrow from graph 0, first 1 to graph 1, first 1 nohead lw 0.8 lc rgb \"#505050\"\n";
  for (const AblationBar& b : figure.bars)
    if (b.failed)
      s += fmt::format("set label \"failed\" at {:g}, first 1 center offset 0,0.8 font \",{:g}\"\n",
                       b.x, size.font_pt - 1.5);
  if (figure.bars.empty())
    s += "set label \"no LazyStack methods\" at graph 0.5, graph 0.5 center\n";

  std::vector<std::string> clauses;
  const double half = 0.36;  // half a bar's width
  for (const char* order : {"mdp", "cost"})
    for (const char* aggregator : {"sub", "last", "mask"}) {
      const bool any = std::any_of(figure.bars.begin(), figure.bars.end(), [&](const auto& b) {
        return b.order == order && b.aggregator == aggregator && !b.failed;
      });
      if (!any) continue;
      // MDP order solid, cost order hatched, so the two read apart without colour too.
      const std::string fill = std::string(order) == "mdp" ? "fs solid 0.85 border lc rgb \"black\""
                                                           : "fs pattern 4 border lc rgb \"black\"";
      clauses.push_back(fmt::format(
          "data skip 1 using (on(\"{}\", \"{}\")):(ok(5)):($4 - {:g}):($4 + {:g}):(1):(ok(5)) "
          "with boxxyerrorbars {} lw 0.8 lc rgb {} notitle",
          order, aggregator, half, half, fill, gnuplot_quote(aggregator_colour(aggregator))));
    }
  // Above each bar: its speedup, then its test accuracy.
  clauses.push_back(fmt::format(
      "data skip 1 using 4:(ok(5)):(strcol(7) eq \"ok\" ? sprintf(\"%.1f×\\n%.1f%%\", $5, "
      "100 * $6) : \"\") with labels "
      "center offset 0,1.3 font \",{:g}\" notitle",
      size.font_pt - 1.5));
  if (!figure.bars.empty()) {
    clauses.push_back(
        "keyentry with boxes fs solid 0.85 border lc rgb \"black\" lc rgb \"#909090\" "
        "title \"MDP order\"");
    clauses.push_back(
        "keyentry with boxes fs pattern 4 border lc rgb \"black\" lc rgb \"#909090\" "
        "title \"cost order\"");
  }
  s += "set key title \"above bars: speedup, test accuracy\"\n";
  s += plot_and_outputs(clauses, stem, size);
  return s;
}

}  // namespace lazystack::reports
