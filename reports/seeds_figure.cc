#include "reports/seeds_figure.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "reports/pareto_figure.h"
#include "reports/seeds.h"
#include "reports/summary.h"
#include "reports/table.h"
#include "reports/tables.h"

namespace lazystack::reports {
using nlohmann::json;

namespace {

bool plottable(double cost, double accuracy) {
  return std::isfinite(cost) && cost > 0 && std::isfinite(accuracy);
}

double mean_of(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return v.empty() ? NAN : sum / static_cast<double>(v.size());
}

SeedsPoint average(const std::string& knob, const std::vector<double>& costs,
                   const std::vector<double>& accuracies) {
  SeedsPoint p;
  p.knob = knob;
  p.seeds = static_cast<int>(accuracies.size());
  p.mean_cost = mean_of(costs);
  p.accuracy = mean_of(accuracies);
  p.accuracy_ci95 = ci95_half_width(accuracies);
  p.cost_ci95 = ci95_half_width(costs);
  return p;
}

// The points no other point beats on both cost (lower) and accuracy (higher), by cost.
std::vector<SeedsPoint> front_of(std::vector<SeedsPoint> points) {
  std::sort(points.begin(), points.end(), [](const SeedsPoint& a, const SeedsPoint& b) {
    return a.mean_cost != b.mean_cost ? a.mean_cost < b.mean_cost : a.accuracy > b.accuracy;
  });
  std::vector<SeedsPoint> front;
  for (const SeedsPoint& p : points)
    if (front.empty() || p.accuracy > front.back().accuracy) front.push_back(p);
  return front;
}

}  // namespace

SeedsParetoFigure seeds_pareto_figure(const std::vector<json>& summaries, const FigureSize& size) {
  SeedsParetoFigure fig;
  fig.size = size;
  fig.num_seeds = static_cast<int>(summaries.size());
  if (summaries.empty()) return fig;
  fig.title = fmt::format("{}, {} seeds", dataset_name(summaries[0]), summaries.size());
  fig.x_label =
      "mean " + describe_cost_unit(summaries[0].at("cost_unit").get<std::string>()).axis_label;
  if (summaries[0].value("cost_model", std::string()) == "parallel")
    fig.x_label += ", parallel tiers";

  // Methods in name order (the legend's), from every seed.
  std::vector<std::string> names;
  for (const json& s : summaries)
    for (const MethodView& v : method_views(s))
      if (v.error.empty() && !v.bound && !v.has_role(MethodRole::kEachModel) &&
          std::find(names.begin(), names.end(), v.name) == names.end())
        names.push_back(v.name);
  std::sort(names.begin(), names.end());

  for (const std::string& name : names) {
    SeedsSeries series;
    series.method = figure_text(name);
    // The seeds where it worked, each with its curve by knob.
    std::vector<std::map<std::string, const json*>> curves;
    std::vector<std::string> first_order;  // knobs in the first working seed's curve order
    std::vector<double> h_cost, h_acc;
    for (const json& s : summaries) {
      const json& methods = s.at("methods");
      auto it = methods.find(name);
      if (it == methods.end() || !it->contains("headline")) continue;
      if (auto e = it->find("error"); e != it->end() && e->is_string()) continue;
      ++series.seeds_ok;
      const double c = number_or_nan(it->at("headline"), "mean_cost");
      const double a = number_or_nan(it->at("headline"), "accuracy");
      if (plottable(c, a)) h_cost.push_back(c), h_acc.push_back(a);
      std::map<std::string, const json*> by_knob;
      for (const json& p : it->at("curve")) {
        const std::string knob = knob_text(p);
        if (by_knob.emplace(knob, &p).second && curves.empty()) first_order.push_back(knob);
      }
      curves.push_back(std::move(by_knob));
    }
    if (series.seeds_ok == 0) continue;
    std::vector<SeedsPoint> matched;
    for (const std::string& knob : first_order) {
      std::vector<double> costs, accs;
      for (const auto& curve : curves) {
        auto p = curve.find(knob);
        if (p == curve.end()) break;
        const double c = number_or_nan(*p->second, "mean_cost");
        const double a = number_or_nan(*p->second, "accuracy");
        if (!plottable(c, a)) break;
        costs.push_back(c);
        accs.push_back(a);
      }
      if (accs.size() == curves.size()) matched.push_back(average(knob, costs, accs));
    }
    series.matched = static_cast<int>(matched.size());
    series.front = front_of(std::move(matched));
    series.headline = average("", h_cost, h_acc);
    if (series.front.empty() && h_acc.empty()) continue;
    fig.series.push_back(std::move(series));
  }
  std::vector<std::string> shown;
  size_t longest = 0;
  for (const SeedsSeries& s : fig.series) {
    shown.push_back(s.method);
    longest = std::max(longest, s.method.size());
  }
  const std::vector<int> styles = method_style_indices(shown);
  for (size_t i = 0; i < fig.series.size(); ++i) fig.series[i].style_index = styles[i];

  // Ranges over the mean points and their bands.
  double c_lo = INFINITY, c_hi = 0, a_lo = INFINITY, a_hi = -INFINITY;
  auto include = [&](const SeedsPoint& p) {
    if (!plottable(p.mean_cost, p.accuracy)) return;
    c_lo = std::min(c_lo, p.mean_cost);
    c_hi = std::max(c_hi, p.mean_cost);
    a_lo = std::min(a_lo, p.accuracy - p.accuracy_ci95);
    a_hi = std::max(a_hi, p.accuracy + p.accuracy_ci95);
  };
  for (const SeedsSeries& s : fig.series) {
    for (const SeedsPoint& p : s.front) include(p);
    include(s.headline);
  }
  if (!(c_hi > 0)) c_lo = 1, c_hi = 10, a_lo = 0, a_hi = 1;
  if (c_hi / c_lo < 4) {
    const double mid = std::sqrt(c_lo * c_hi);
    c_lo = std::min(c_lo, mid / 2);
    c_hi = std::max(c_hi, mid * 2);
  }
  const double pad = std::pow(c_hi / c_lo, 0.08);
  fig.x_lo = c_lo / pad;
  fig.x_hi = c_hi * pad;
  const double span = std::max(a_hi - a_lo, 0.01);
  fig.y_lo = std::max(0.0, a_lo - 0.05 * span);
  fig.y_hi = std::min(1.0 + 0.05 * span, a_hi + 0.05 * span);
  // Legend: the methods, then "mean headline ± 95%" and "band: 95% interval".
  fig.layout = legend_below_layout(fig.size, static_cast<int>(fig.series.size()) + 2,
                                   std::max<size_t>(longest, 21), true, /*plot_height_in=*/2.0);
  return fig;
}

std::string seeds_pareto_csv(const SeedsParetoFigure& figure) {
  std::string out =
      "series,kind,knob,seeds,mean_cost,accuracy,accuracy_lo,accuracy_hi,accuracy_ci95,"
      "cost_ci95\n";
  auto row = [&](const SeedsSeries& s, const char* kind, const SeedsPoint& p) {
    out += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", csv_field(s.method), kind,
                       csv_field(figure_text(p.knob)), p.seeds, format_raw(p.mean_cost),
                       format_raw(p.accuracy), format_raw(p.accuracy - p.accuracy_ci95),
                       format_raw(p.accuracy + p.accuracy_ci95), format_raw(p.accuracy_ci95),
                       format_raw(p.cost_ci95));
  };
  for (const SeedsSeries& s : figure.series) {
    for (const SeedsPoint& p : s.front) row(s, "front", p);
    if (s.headline.seeds > 0) row(s, "headline", s.headline);
  }
  return out;
}

std::string seeds_pareto_script(const SeedsParetoFigure& figure, const std::string& csv_name,
                                const std::string& stem) {
  const FigureSize& size = figure.size;
  std::string s = script_header(
      fmt::format(
          "Pareto plot of {}: per method the mean over seeds of its curve points matched by knob "
          "(the front of those means), a band of the 95% interval of accuracy, and the mean "
          "headline point with its intervals.",
          figure.title),
      csv_name,
      "series,kind,knob,seeds,mean_cost,accuracy,accuracy_lo,accuracy_hi,accuracy_ci95,cost_ci95",
      stem, "the seeds' summary.json");
  s += "at(s, k) = (strcol(1) eq s && strcol(2) eq k) ? column(5) : NaN\n\n";
  s += layout_commands(size, figure.layout);
  s += title_command(figure.title, size);
  s += cost_accuracy_axes(figure.x_label, figure.x_lo, figure.x_hi, figure.y_lo, figure.y_hi);
  s += "set style fill transparent solid 0.18 noborder\n";
  if (figure.series.empty())
    s += "set label \"no plottable points\" at graph 0.5, graph 0.5 center\n";

  std::vector<std::string> bands, lines, keys;
  for (const SeedsSeries& series : figure.series) {
    const SeriesStyle st = series_style(series.style_index);
    const std::string name = gnuplot_quote(series.method);
    const std::string colour = gnuplot_quote(st.colour);
    const std::string title = gnuplot_quote(gnuplot_enhanced_escape(series.method));
    const int n = static_cast<int>(series.front.size());
    // Bands first, under every line.
    if (n >= 2)
      bands.push_back(fmt::format(
          "data skip 1 using (at({}, \"front\")):7:8 with filledcurves lc rgb {} notitle", name,
          colour));
    // A dense front gets a marker every few points; the legend shows the marker either way.
    lines.push_back(fmt::format(
        "data skip 1 using (at({}, \"front\")):6 with linespoints pt {} ps 0.5 pi {} lw 1.3 "
        "lc rgb {} notitle",
        name, st.point_type, std::max(1, n / 10), colour));
    lines.push_back(fmt::format(
        "data skip 1 using (at({}, \"headline\")):6:7:8 with yerrorbars pt {} ps 1.3 lw 1.0 "
        "lc rgb {} notitle",
        name, st.point_type, colour));
    keys.push_back(fmt::format("keyentry with linespoints pt {} ps 0.6 lw 1.3 lc rgb {} title {}",
                               st.point_type, colour, title));
    lines.push_back(
        fmt::format("data skip 1 using (at({}, \"headline\")):6 with points pt {} ps 1.3 lw 0.9 "
                    "lc rgb \"black\" notitle",
                    name, st.outline_type));
  }
  std::vector<std::string> clauses = bands;
  clauses.insert(clauses.end(), lines.begin(), lines.end());
  clauses.insert(clauses.end(), keys.begin(), keys.end());
  if (!figure.series.empty()) {
    clauses.push_back(
        "keyentry with yerrorbars pt 6 ps 1.3 lw 0.9 lc rgb \"black\" "
        "title \"headline, mean ± 95%\"");
    clauses.push_back(
        "keyentry with filledcurves lc rgb \"#808080\" title \"accuracy 95% interval\"");
  }
  s += plot_and_outputs(clauses, stem, size);
  return s;
}

}  // namespace lazystack::reports
