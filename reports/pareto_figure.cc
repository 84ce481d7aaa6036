#include "reports/pareto_figure.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "reports/summary.h"
#include "reports/table.h"
#include "reports/tables.h"

namespace lazystack::reports {
using nlohmann::json;

namespace {

bool plottable(double cost, double accuracy) {
  return std::isfinite(cost) && cost > 0 && std::isfinite(accuracy);
}

// Appends a point of `series` unless it cannot sit on a log axis (counted as skipped) or, with
// `unique`, the series already has it. Returns whether it was added.
bool add_point(ParetoFigure& fig, const std::string& series, const char* kind, const json& p,
               bool unique) {
  const double cost = number_or_nan(p, "mean_cost");
  const double acc = number_or_nan(p, "accuracy");
  if (!plottable(cost, acc)) {
    ++fig.skipped;
    return false;
  }
  if (unique)
    for (const ParetoPoint& q : fig.points)
      if (q.series == series && q.mean_cost == cost && q.accuracy == acc) return false;
  fig.points.push_back({figure_text(series), kind, figure_text(knob_text(p)), cost, acc, ""});
  return true;
}

// A rectangle in plot fractions (0..1 across the plot area).
struct Box {
  double x0, x1, y0, y1;
};

bool overlaps(const Box& a, const Box& b) {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

// Axis ranges from the plotted points: cost padded on the log scale, accuracy zoomed to where
// the points are (a 0..1 axis would squash every method into a sliver at the top).
void set_ranges(ParetoFigure& fig) {
  double cost_lo = INFINITY, cost_hi = 0, acc_lo = INFINITY, acc_hi = -INFINITY;
  for (const ParetoPoint& p : fig.points) {
    cost_lo = std::min(cost_lo, p.mean_cost);
    cost_hi = std::max(cost_hi, p.mean_cost);
    acc_lo = std::min(acc_lo, p.accuracy);
    acc_hi = std::max(acc_hi, p.accuracy);
  }
  if (fig.points.empty()) cost_lo = 1, cost_hi = 10, acc_lo = 0, acc_hi = 1;
  if (cost_hi / cost_lo < 4) {  // widen a narrow cost range around its middle
    const double mid = std::sqrt(cost_lo * cost_hi);
    cost_lo = std::min(cost_lo, mid / 2);
    cost_hi = std::max(cost_hi, mid * 2);
  }
  const double log_pad = std::pow(cost_hi / cost_lo, 0.08);
  fig.x_lo = cost_lo / log_pad;
  fig.x_hi = cost_hi * log_pad;
  const double acc_span = std::max(acc_hi - acc_lo, 0.01);
  fig.y_lo = std::max(0.0, acc_lo - 0.06 * acc_span);
  fig.y_hi = acc_hi + 0.08 * acc_span;  // room above the top point for a name
}

// The zoom panel: the top tenth of the accuracy range of everything but bounds, over the cost
// span of the points in it. Only when that band holds points of at least two series, and the
// main plot squeezes it (the band is a tenth of its height by construction).
void set_zoom(ParetoFigure& fig) {
  double lo = INFINITY, hi = -INFINITY;
  for (const ParetoPoint& p : fig.points)
    if (p.kind != "bound") {
      lo = std::min(lo, p.accuracy);
      hi = std::max(hi, p.accuracy);
    }
  if (!(hi > lo)) return;
  const double band_lo = hi - 0.1 * (hi - lo);
  double cost_lo = INFINITY, cost_hi = 0;
  std::vector<std::string> series;
  for (const ParetoPoint& p : fig.points) {
    if (p.kind == "bound" || p.accuracy < band_lo) continue;
    cost_lo = std::min(cost_lo, p.mean_cost);
    cost_hi = std::max(cost_hi, p.mean_cost);
    if (std::find(series.begin(), series.end(), p.series) == series.end())
      series.push_back(p.series);
  }
  if (series.size() < 2) return;
  if (cost_hi / cost_lo < 2) {
    const double mid = std::sqrt(cost_lo * cost_hi);
    cost_lo = std::min(cost_lo, mid / 1.5);
    cost_hi = std::max(cost_hi, mid * 1.5);
  }
  const double log_pad = std::pow(cost_hi / cost_lo, 0.06);
  fig.has_zoom = true;
  fig.zoom_x_lo = cost_lo / log_pad;
  fig.zoom_x_hi = cost_hi * log_pad;
  const double span = hi - band_lo;
  fig.zoom_y_lo = band_lo - 0.05 * span;
  fig.zoom_y_hi = hi + 0.08 * span;
}

// Where a single model's name can go relative to its marker, in order of preference, with
// the gnuplot label options that put it there.
struct Placement {
  const char* name;
  const char* gnuplot;
  double dx, dy;  // the box's anchor offset, in label widths (dx) and line heights (dy)
};
constexpr Placement kPlacements[] = {
    {"above", "offset char 0,0.75 center", -0.5, 0.3},
    {"below", "offset char 0,-0.75 center", -0.5, -1.3},
    {"right", "offset char 0.5,0 left", 0.0, -0.5},
    {"left", "offset char -0.5,0 right", -1.0, -0.5},
    {"above-right", "offset char 0.3,0.6 left", 0.0, 0.15},
    {"above-left", "offset char -0.3,0.6 right", -1.0, 0.15},
    {"below-right", "offset char 0.3,-0.6 left", 0.0, -1.15},
    {"below-left", "offset char -0.3,-0.6 right", -1.0, -1.15},
};

// A place for each single model's name: the first placement that stays inside the plot and
// clears the markers and the names already placed; when none does, the one that covers least.
void place_names(ParetoFigure& fig) {
  const double plot_w = fig.size.width_in - fig.plot_left_in - fig.plot_right_in;
  const double plot_h = fig.plot_height_in;
  const double name_pt = fig.size.font_pt - 1;
  const double char_w = kCharWidthEm * name_pt * kPointInches / plot_w;
  const double line_h = kLineHeightEm * name_pt * kPointInches / plot_h;
  const double gap_x = 0.04 / plot_w;
  auto fx = [&](double c) { return std::log10(c / fig.x_lo) / std::log10(fig.x_hi / fig.x_lo); };
  auto fy = [&](double a) { return (a - fig.y_lo) / (fig.y_hi - fig.y_lo); };
  // What a name must not cover, weighted: another name or a single model's marker would
  // mislead a reader about which model is which; a method's marker only hides a little.
  std::vector<std::pair<Box, double>> taken;
  for (const ParetoPoint& p : fig.points) {
    const double r_in = p.kind == "headline" ? 0.06 : 0.035;  // headlines are drawn large
    taken.push_back({{fx(p.mean_cost) - r_in / plot_w, fx(p.mean_cost) + r_in / plot_w,
                      fy(p.accuracy) - r_in / plot_h, fy(p.accuracy) + r_in / plot_h},
                     p.kind == kZooPoint ? 5.0 : 1.0});
  }
  auto covered = [&](const Box& b) {
    double cost = 0;
    for (const auto& [t, weight] : taken)
      if (overlaps(b, t))
        cost += weight * (std::min(b.x1, t.x1) - std::max(b.x0, t.x0)) *
                (std::min(b.y1, t.y1) - std::max(b.y0, t.y0));
    return cost;
  };
  for (ParetoPoint& p : fig.points) {
    if (p.kind != kZooPoint) continue;
    const double x = fx(p.mean_cost), y = fy(p.accuracy);
    const double w = char_w * static_cast<double>(p.label.size());
    double best_cover = INFINITY;
    Box best_box{};
    for (const Placement& pl : kPlacements) {
      const double side = pl.dx == 0.0 ? gap_x : pl.dx == -1.0 ? -gap_x : 0.0;
      const Box box{x + pl.dx * w + side, x + (pl.dx + 1) * w + side, y + pl.dy * line_h,
                    y + (pl.dy + 1) * line_h};
      if (box.x0 < 0 || box.x1 > 1 || box.y0 < 0 || box.y1 > 1) continue;
      const double cover = covered(box);
      if (cover < best_cover) {
        best_cover = cover;
        best_box = box;
        p.label_at = pl.name;
      }
      if (cover == 0) break;
    }
    if (p.label_at.empty())
      p.label_at = kPlacements[0].name;
    else
      taken.push_back({best_box, 10.0});
  }
}

}  // namespace

bool MethodFilter::includes(const std::string& name) const {
  const bool listed = std::find(names.begin(), names.end(), name) != names.end();
  return mode == Mode::kAll || (mode == Mode::kOnly) == listed;
}

ParetoFigure pareto_figure(const json& summary, const FigureSize& size,
                           const MethodFilter& filter) {
  ParetoFigure fig;
  fig.size = size;
  fig.title = summary.value("dataset", summary.value("experiment", std::string("")));
  fig.x_label = "mean " + describe_cost_unit(summary.at("cost_unit").get<std::string>()).axis_label;
  if (summary.value("cost_model", std::string()) == "parallel") fig.x_label += ", parallel tiers";

  std::vector<MethodView> views = method_views(summary);
  // Legend order: names, so a reader finds a method in the same place in every figure.
  std::sort(views.begin(), views.end(),
            [](const MethodView& a, const MethodView& b) { return a.name < b.name; });
  bool zoo_has_points = false;
  for (const json& m : summary.at("zoo"))
    zoo_has_points =
        zoo_has_points || plottable(number_or_nan(m, "cost"), number_or_nan(m, "test_accuracy"));
  for (const MethodView& v : views) {
    if (!v.error.empty() || !filter.includes(v.name)) continue;
    // The each-model method's points are the zoo's models, drawn as such.
    if (v.has_role(MethodRole::kEachModel) && zoo_has_points) continue;
    bool added = false;
    if (v.bound) {
      for (const json& p : *v.curve) added |= add_point(fig, v.name, "bound", p, true);
      added |= add_point(fig, v.name, "bound", *v.headline, true);
      if (added) fig.bounds.push_back(figure_text(v.name));
      continue;
    }
    // The curve splits into the front (as summary.json lists it, by cost, to draw as a line)
    // and the dominated rest, so no point is drawn twice.
    std::vector<const json*> front;
    for (const json& p : *v.pareto) front.push_back(&p);
    std::stable_sort(front.begin(), front.end(), [](const json* a, const json* b) {
      return number_or_nan(*a, "mean_cost") < number_or_nan(*b, "mean_cost");
    });
    for (const json* p : front) added |= add_point(fig, v.name, "front", *p, false);
    for (const json& p : *v.curve) {
      const bool on_front = std::any_of(front.begin(), front.end(), [&](const json* f) {
        return number_or_nan(*f, "mean_cost") == number_or_nan(p, "mean_cost") &&
               number_or_nan(*f, "accuracy") == number_or_nan(p, "accuracy");
      });
      if (!on_front) added |= add_point(fig, v.name, "dominated", p, false);
    }
    added |= add_point(fig, v.name, "headline", *v.headline, false);
    if (added) fig.methods.push_back(figure_text(v.name));
  }
  for (const json& m : summary.at("zoo")) {
    if (auto e = m.find("error"); e != m.end() && e->is_string() && !e->get<std::string>().empty())
      continue;
    if (auto p = m.find("parent"); !filter.derived_models && p != m.end() && p->is_string())
      continue;
    const json p = {{"mean_cost", number_or_nan(m, "cost")},
                    {"accuracy", number_or_nan(m, "test_accuracy")},
                    {"label", m.value("name", std::string("?"))}};
    add_point(fig, kZooPoint, kZooPoint, p, false);
  }
  fig.style_index = method_style_indices(fig.methods);

  // Height: title, plot, x axis, then the legend in two columns.
  bool any_single = false;
  for (const ParetoPoint& p : fig.points) any_single = any_single || p.kind == kZooPoint;
  const int entries =
      static_cast<int>(fig.methods.size() + fig.bounds.size()) + any_single + !fig.methods.empty();
  fig.legend_rows = (entries + 1) / 2;
  // gnuplot spaces key lines wider than text lines.
  const double legend_line_in = 1.6 * (size.font_pt - 0.5) * kPointInches;
  fig.plot_top_in = fig.title.empty() ? 0.1 : 0.25;
  const double axis_in = 0.4;  // tic labels and the x label under the plot
  fig.legend_top_in = fig.legend_rows * legend_line_in + 0.1;
  set_ranges(fig);
  set_zoom(fig);
  // The zoom panel: its title, the panel, its x axis and a gap above the legend.
  const double zoom_in = fig.has_zoom ? 0.3 + fig.zoom_height_in + axis_in + 0.1 : 0.0;
  fig.zoom_top_in = fig.plot_top_in + fig.plot_height_in + axis_in + 0.3;
  fig.size.height_in = fig.plot_top_in + fig.plot_height_in + axis_in + zoom_in + fig.legend_top_in;
  if (filter.model_names) place_names(fig);
  return fig;
}

std::string pareto_csv(const ParetoFigure& figure) {
  std::string out = "series,kind,label,mean_cost,accuracy,label_at\n";
  for (const ParetoPoint& p : figure.points)
    out += fmt::format("{},{},{},{},{},{}\n", csv_field(p.series), p.kind, csv_field(p.label),
                       format_raw(p.mean_cost), format_raw(p.accuracy), p.label_at);
  return out;
}

std::string cost_accuracy_axes(const std::string& x_label, double x_lo, double x_hi, double y_lo,
                               double y_hi) {
  std::string s;
  s += fmt::format("set xlabel {} offset 0,0.3\n", gnuplot_quote(gnuplot_enhanced_escape(x_label)));
  s += "set ylabel \"test accuracy\" offset 0.6,0\n";
  s += "set logscale x\n";
  s += fmt::format("set xrange [{:.6g}:{:.6g}]\n", x_lo, x_hi);
  s += fmt::format("set yrange [{:.6g}:{:.6g}]\n", y_lo, y_hi);
  std::string tics;
  for (double t : log_axis_tics(x_lo, x_hi))
    tics += fmt::format("{}\"{}\" {:g}", tics.empty() ? "" : ", ", format_amount(t), t);
  if (!tics.empty()) s += "set xtics (" + tics + ")\n";
  // At most eight accuracy tics whatever the range: a step of 0.01, 0.02, 0.05, 0.1, ...
  double step = 0.5;
  for (double c : {0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2})
    if ((y_hi - y_lo) / c <= 8.5) {
      step = c;
      break;
    }
  s += fmt::format("set mxtics 10\nset ytics {:g} format \"%.{}f\"\n", step, step < 0.01 ? 3 : 2);
  s += "set border 3 lw 0.8\nset tics nomirror out scale 0.5\n";
  s += "set grid xtics ytics lw 0.5 lc rgb \"#e4e4e4\"\n";
  return s;
}

std::string pareto_script(const ParetoFigure& figure, const std::string& csv_name,
                          const std::string& stem) {
  const FigureSize& size = figure.size;
  const double w = size.width_in, h = size.height_in;
  std::string s = script_header(
      fmt::format("Pareto plot of {}: test accuracy against mean cost per sample.", figure.title),
      csv_name, "series,kind,label,mean_cost,accuracy,label_at", stem);
  s += "# at(s, k): a row's cost when it belongs to series s and kind k; NaN (not drawn) "
       "otherwise.\n";
  s += "at(s, k) = (strcol(1) eq s && strcol(2) eq k) ? column(4) : NaN\n\n";

  // The main panel's settings. With a zoom panel they are repeated inside the output loop:
  // the zoom's settings outlive the first format's multiplot, so the next formats would
  // draw both panels with them (seen: SVG and PDF held the zoom twice).
  std::string main_panel =
      fmt::format("# Layout for {:g} x {:.2f} in: fixed margins, legend under the x axis.\n", w, h);
  main_panel += fmt::format("set lmargin at screen {:.4f}\n", figure.plot_left_in / w);
  main_panel += fmt::format("set rmargin at screen {:.4f}\n", 1 - figure.plot_right_in / w);
  main_panel += fmt::format("set tmargin at screen {:.4f}\n", 1 - figure.plot_top_in / h);
  main_panel += fmt::format("set bmargin at screen {:.4f}\n",
                            1 - (figure.plot_top_in + figure.plot_height_in) / h);
  main_panel += title_command(figure.title, size);
  main_panel +=
      cost_accuracy_axes(figure.x_label, figure.x_lo, figure.x_hi, figure.y_lo, figure.y_hi);
  // The legend centred on the figure, its columns trimmed to the text as drawn (gnuplot's own
  // estimate of text width is generous, and two wide columns would overrun the edges).
  size_t longest = 0;
  for (const std::string& m : figure.methods) longest = std::max(longest, m.size());
  for (const std::string& b : figure.bounds) longest = std::max(longest, b.size() + 8);
  const int key_width = 1 - static_cast<int>(std::lround(0.15 * static_cast<double>(longest)));
  // A point smaller when two columns of the longest name do not fit at the usual size.
  double key_font_pt = size.font_pt - 0.5;
  const double column_in = (4.0 + static_cast<double>(longest)) * kDrawnCharWidthEm * kTextScale *
                           key_font_pt * kPointInches;
  if (2 * column_in > w - 0.1) key_font_pt = size.font_pt - 1;
  main_panel += fmt::format(
      "set key at screen {:.4f}, screen {:.4f} center top vertical maxrows {} Left "
      "reverse samplen 2 spacing 1.0 width {} font \",{:g}\"\n",
      0.5, figure.legend_top_in / h, std::max(1, figure.legend_rows), key_width, key_font_pt);
  if (figure.points.empty())
    main_panel += "set label \"no plottable points\" at graph 0.5, graph 0.5 center\n";

  if (!figure.has_zoom) s += main_panel;
  std::vector<std::string> clauses;
  for (size_t i = 0; i < figure.methods.size(); ++i) {
    const SeriesStyle st = series_style(figure.style_index[i]);
    const std::string name = gnuplot_quote(figure.methods[i]);
    const std::string colour = gnuplot_quote(st.colour);
    const std::string title = gnuplot_quote(gnuplot_enhanced_escape(figure.methods[i]));
    // Dominated points hollow and small, the front filled and joined, the headline large with
    // a black ring. A dense sweep (a grid of a hundred thresholds) would smear its markers
    // into a band: then only every n-th front point gets a marker, and the rest shrink.
    int n_curve = 0, n_front = 0;
    for (const ParetoPoint& p : figure.points)
      if (p.series == figure.methods[i]) {
        n_curve += p.kind == "dominated";
        n_front += p.kind == "front";
      }
    const int interval = std::max(1, n_front / 12);
    clauses.push_back(
        fmt::format("data skip 1 using (at({}, \"dominated\")):5 with points pt {} "
                    "ps {} lw 0.8 lc rgb {} notitle",
                    name, st.outline_type, n_curve + n_front > 40 ? 0.3 : 0.45, colour));
    clauses.push_back(
        fmt::format("data skip 1 using (at({}, \"front\")):5 with linespoints "
                    "pt {} ps 0.55 pi {} lw 1.3 lc rgb {} title {}",
                    name, st.point_type, interval, colour, title));
    clauses.push_back(
        fmt::format("data skip 1 using (at({}, \"headline\")):5 with points pt {} "
                    "ps 1.5 lc rgb {} notitle",
                    name, st.point_type, colour));
    clauses.push_back(
        fmt::format("data skip 1 using (at({}, \"headline\")):5 with points pt {} "
                    "ps 1.5 lw 0.9 lc rgb \"black\" notitle",
                    name, st.outline_type));
  }
  static const int kBoundShapes[] = {3, 1, 2};
  for (size_t i = 0; i < figure.bounds.size(); ++i)
    clauses.push_back(
        fmt::format("data skip 1 using (at({}, \"bound\")):5 with points pt {} ps 1.3 lw 1.2 "
                    "lc rgb \"black\" title {}",
                    gnuplot_quote(figure.bounds[i]), kBoundShapes[i % 3],
                    gnuplot_quote(gnuplot_enhanced_escape(figure.bounds[i] + " (bound)"))));
  bool any_single = false;
  for (const ParetoPoint& p : figure.points) any_single = any_single || p.kind == kZooPoint;
  if (any_single) {
    clauses.push_back(
        "data skip 1 using (at(\"single\", \"single\")):5 with points pt 2 ps 0.8 lw 1.2 "
        "lc rgb \"#505050\" title \"single models\"");
    // Names: one clause per placement (column label_at), so names stay clear of each other.
    for (const Placement& pl : kPlacements) {
      bool used = false;
      for (const ParetoPoint& p : figure.points) used = used || p.label_at == pl.name;
      if (!used) continue;
      clauses.push_back(fmt::format(
          "data skip 1 using (at(\"single\", \"single\")):(strcol(6) eq \"{}\" ? $5 : NaN):3 "
          "with labels {} font \",{:g}\" tc rgb \"#303030\" notitle",
          pl.name, pl.gnuplot, size.font_pt - 1));
    }
  }
  if (!figure.methods.empty())
    clauses.push_back(
        "keyentry with points pt 6 ps 1.5 lw 0.9 lc rgb \"black\" "
        "title \"headline point\"");
  if (!figure.has_zoom) {
    s += plot_and_outputs(clauses, stem, size);
    return s;
  }
  // Two panels: the whole plot, then the top tenth of its accuracy range magnified, where the
  // methods that matter crowd together. The legend (placed above) serves both.
  std::vector<std::string> zoom_clauses;
  for (const std::string& c : clauses)
    if (c.find("with labels") == std::string::npos && c.rfind("keyentry", 0) != 0)
      zoom_clauses.push_back(c);
  std::string zoom = "\n# Zoom: the top tenth of the accuracy range (bounds left out).\n";
  zoom += "unset key\nunset label\n";
  zoom += fmt::format("set tmargin at screen {:.4f}\n", 1 - figure.zoom_top_in / h);
  zoom += fmt::format("set bmargin at screen {:.4f}\n",
                      1 - (figure.zoom_top_in + figure.zoom_height_in) / h);
  zoom += fmt::format("set title {} font \",{:g}\" offset 0,-0.6\n",
                      gnuplot_quote("zoom: top 10% of the accuracy range"), size.font_pt);
  zoom += cost_accuracy_axes(figure.x_label, figure.zoom_x_lo, figure.zoom_x_hi, figure.zoom_y_lo,
                             figure.zoom_y_hi);
  s += "\n" + gnuplot_outputs(stem, size,
                              "set multiplot\n" + main_panel + plot_command(clauses) + zoom +
                                  plot_command(zoom_clauses) + "unset multiplot\n");
  return s;
}

}  // namespace lazystack::reports
