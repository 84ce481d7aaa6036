#include "reports/pareto_figure.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/core.h>

#include "reports/summary.h"
#include "reports/table.h"
#include "reports/tables.h"

namespace lazystack::reports {
using nlohmann::json;

namespace {

// Methods every dataset's figure shares keep one look across figures (same colour and marker
// for cost-cascade on every dataset); others follow in name order.
const char* const kKnownMethods[] = {
    "lazystack-sub",    "lazystack-mask",   "cost-cascade",      "woc",
    "abc",              "coe",              "gatekeeper",        "ocl",
    "ensemble",         "stacker",          "stacker-weights",   "lazystack-no-mdp",
    "lazystack-no-sub", "lazystack-neither"};
constexpr int kNumKnown = sizeof kKnownMethods / sizeof kKnownMethods[0];

bool plottable(double cost, double accuracy) {
  return std::isfinite(cost) && cost > 0 && std::isfinite(accuracy);
}

// Where a single model's name goes relative to its marker.
struct LabelBox {
  double x0, x1, y0, y1;  // in plot fractions
};

bool overlaps(const LabelBox& a, const LabelBox& b) {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

// 1-2-5 tics inside [lo, hi] on a log axis; only decades when the range spans many of them.
// Labelled with format_amount: "0.2", "5", "10k", "2M".
std::vector<double> log_tics(double lo, double hi) {
  std::vector<double> tics;
  const int first = static_cast<int>(std::floor(std::log10(lo)));
  const int last = static_cast<int>(std::ceil(std::log10(hi)));
  const bool decades_only = last - first > 3;
  for (int e = first; e <= last; ++e)
    for (double m : {1.0, 2.0, 5.0}) {
      if (decades_only && m != 1.0) continue;
      const double t = m * std::pow(10.0, e);
      if (t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9)) tics.push_back(t);
    }
  return tics;
}

// Axis ranges from the plotted points (log-padded cost; accuracy zoomed to where the points
// are, as a 0..1 axis would squash every method into a sliver at the top), then a place for
// each single model's name: above, below, right or left of its marker, whichever first clears
// the names already placed and the markers (in plot fractions).
void lay_out(ParetoFigure& fig, const FigureSize& size) {
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
  const double log_pad = std::pow(cost_hi / cost_lo, 0.06);
  fig.x_lo = cost_lo / log_pad;
  fig.x_hi = cost_hi * log_pad;
  const double acc_span = std::max(acc_hi - acc_lo, 0.01);
  fig.y_lo = std::max(0.0, acc_lo - 0.06 * acc_span);
  fig.y_hi = acc_hi + 0.09 * acc_span;  // room above the top point for a name

  // Rough text metrics: the plot area is the figure minus margins and the legend below it.
  const double plot_w_in = size.width_in - 0.65, plot_h_in = size.height_in * 0.55;
  const double label_pt = size.font_pt - 1;
  const double char_w = 0.55 * label_pt / 72.0 / plot_w_in;
  const double line_h = 1.2 * label_pt / 72.0 / plot_h_in;
  const double marker_w = 0.04 / plot_w_in, marker_h = 0.04 / plot_h_in;
  auto fx = [&](double c) { return std::log10(c / fig.x_lo) / std::log10(fig.x_hi / fig.x_lo); };
  auto fy = [&](double a) { return (a - fig.y_lo) / (fig.y_hi - fig.y_lo); };
  std::vector<LabelBox> taken;
  for (const ParetoPoint& p : fig.points)
    taken.push_back({fx(p.mean_cost) - marker_w, fx(p.mean_cost) + marker_w,
                     fy(p.accuracy) - marker_h, fy(p.accuracy) + marker_h});
  for (ParetoPoint& p : fig.points) {
    if (p.kind != "single") continue;
    const double x = fx(p.mean_cost), y = fy(p.accuracy);
    const double w = char_w * static_cast<double>(p.label.size());
    const double gap = 1.5 * marker_w;
    const std::pair<const char*, LabelBox> options[] = {
        {"above", {x - w / 2, x + w / 2, y + 0.4 * line_h, y + 1.4 * line_h}},
        {"below", {x - w / 2, x + w / 2, y - 1.4 * line_h, y - 0.4 * line_h}},
        {"right", {x + gap, x + gap + w, y - line_h / 2, y + line_h / 2}},
        {"left", {x - gap - w, x - gap, y - line_h / 2, y + line_h / 2}}};
    p.label_at = "above";
    for (const auto& [where, box] : options) {
      if (box.x0 < 0 || box.x1 > 1 || box.y0 < 0 || box.y1 > 1) continue;
      bool clear = true;
      for (const LabelBox& t : taken) clear = clear && !overlaps(box, t);
      if (clear) {
        p.label_at = where;
        taken.push_back(box);
        break;
      }
    }
  }
}

}  // namespace

ParetoFigure pareto_figure(const json& summary, const FigureSize& size) {
  ParetoFigure fig;
  fig.title = summary.value("dataset", summary.value("experiment", std::string("")));
  fig.x_label = describe_cost_unit(summary.at("cost_unit").get<std::string>()).axis_label;
  const std::string cost_model = summary.value("cost_model", std::string(""));
  if (cost_model == "parallel") fig.x_label = "mean " + fig.x_label + ", parallel tiers";
  else fig.x_label = "mean " + fig.x_label;

  std::vector<ParetoPoint> singles;
  for (const json& m : summary.at("zoo")) {
    if (auto e = m.find("error"); e != m.end() && e->is_string() && !e->get<std::string>().empty())
      continue;
    const double cost = number_or_nan(m, "cost");
    const double acc = number_or_nan(m, "test_accuracy");
    if (!plottable(cost, acc)) {
      ++fig.skipped;
      continue;
    }
    singles.push_back({"single", "single", m.value("name", std::string("?")), cost, acc, ""});
  }

  std::vector<MethodView> views = method_views(summary);
  // Legend order: names, so a reader finds a method in the same place in every figure.
  std::sort(views.begin(), views.end(),
            [](const MethodView& a, const MethodView& b) { return a.name < b.name; });
  std::vector<std::string> unknown;
  for (const MethodView& v : views) {
    if (!v.error.empty()) continue;
    if (v.method == "single" && !singles.empty()) continue;  // drawn as the zoo's points
    if (v.bound) {
      size_t before = fig.points.size();
      auto add = [&](const json& p) {
        const double cost = number_or_nan(p, "mean_cost");
        const double acc = number_or_nan(p, "accuracy");
        if (!plottable(cost, acc)) {
          ++fig.skipped;
          return;
        }
        for (size_t i = before; i < fig.points.size(); ++i)
          if (fig.points[i].mean_cost == cost && fig.points[i].accuracy == acc) return;
        fig.points.push_back({v.name, "bound", knob_text(p), cost, acc, ""});
      };
      for (const json& p : *v.curve) add(p);
      add(*v.headline);
      if (fig.points.size() > before) fig.bounds.push_back(v.name);
      continue;
    }
    const size_t before = fig.points.size();
    auto add = [&](const json& p, const char* kind) {
      const double cost = number_or_nan(p, "mean_cost");
      const double acc = number_or_nan(p, "accuracy");
      if (!plottable(cost, acc)) {
        ++fig.skipped;
        return;
      }
      fig.points.push_back({v.name, kind, knob_text(p), cost, acc, ""});
    };
    for (const json& p : *v.curve) add(p, "curve");
    std::vector<const json*> front;
    for (const json& p : *v.pareto) front.push_back(&p);
    std::stable_sort(front.begin(), front.end(), [](const json* a, const json* b) {
      return number_or_nan(*a, "mean_cost") < number_or_nan(*b, "mean_cost");
    });
    for (const json* p : front) add(*p, "front");
    add(*v.headline, "headline");
    if (fig.points.size() == before) continue;
    fig.methods.push_back(v.name);
    const auto known = std::find(std::begin(kKnownMethods), std::end(kKnownMethods), v.name);
    if (known != std::end(kKnownMethods)) {
      fig.style_index.push_back(static_cast<int>(known - std::begin(kKnownMethods)));
    } else {
      fig.style_index.push_back(kNumKnown + static_cast<int>(unknown.size()));
      unknown.push_back(v.name);
    }
  }
  fig.points.insert(fig.points.end(), singles.begin(), singles.end());
  lay_out(fig, size);
  return fig;
}

std::string pareto_csv(const ParetoFigure& figure) {
  std::string out = "series,kind,label,mean_cost,accuracy,label_at\n";
  for (const ParetoPoint& p : figure.points)
    out += fmt::format("{},{},{},{},{},{}\n", csv_field(p.series), p.kind, csv_field(p.label),
                       format_raw(p.mean_cost), format_raw(p.accuracy), p.label_at);
  return out;
}

std::string pareto_script(const ParetoFigure& figure, const std::string& csv_name,
                          const std::string& stem, const FigureSize& size) {
  std::string s;
  s += fmt::format("# Pareto plot of {}: test accuracy against mean cost per sample.\n",
                   figure.title);
  s += fmt::format("# Data: {} (series,kind,label,mean_cost,accuracy,label_at), written by lazystack "
                   "from summary.json.\n",
                   csv_name);
  s += fmt::format("# Re-render by hand: gnuplot {}.gp   (writes {}.png, {}.svg, {}.pdf)\n",
                   stem, stem, stem, stem);
  s += "reset\nset encoding utf8\nset datafile separator comma\n";
  s += fmt::format("data = {}\n", gnuplot_quote(csv_name));
  s += "# at(s, k): a row's cost when it belongs to series s and kind k; NaN (not drawn) "
       "otherwise.\n";
  s += "at(s, k) = (strcol(1) eq s && strcol(2) eq k) ? column(4) : NaN\n\n";
  if (!figure.title.empty())
    s += fmt::format("set title {} font \",{:g}\"\n",
                     gnuplot_quote(gnuplot_enhanced_escape(figure.title)), size.font_pt + 1);
  s += fmt::format("set xlabel {}\n", gnuplot_quote(gnuplot_enhanced_escape(figure.x_label)));
  s += "set ylabel \"test accuracy\"\n";
  s += "set logscale x\n";
  s += fmt::format("set xrange [{:.6g}:{:.6g}]\n", figure.x_lo, figure.x_hi);
  s += fmt::format("set yrange [{:.6g}:{:.6g}]\n", figure.y_lo, figure.y_hi);
  std::string tics;
  for (double t : log_tics(figure.x_lo, figure.x_hi))
    tics += fmt::format("{}\"{}\" {:g}", tics.empty() ? "" : ", ", format_amount(t), t);
  if (!tics.empty()) s += "set xtics (" + tics + ")\n";
  s += "set mxtics 10\n";
  s += "set border 3 lw 0.8\nset tics nomirror out scale 0.5\n";
  s += "set grid xtics ytics lw 0.5 lc rgb \"#e4e4e4\"\n";
  const int entries = static_cast<int>(figure.methods.size() + figure.bounds.size()) + 2;
  s += fmt::format("set key below center horizontal maxrows {} samplen 2 spacing 1.0 "
                   "width -1 font \",{:g}\"\n",
                   (entries + 1) / 2, size.font_pt - 0.5);
  if (figure.points.empty())
    s += "set label \"no plottable points\" at graph 0.5, graph 0.5 center\n";

  std::vector<std::string> clauses;
  for (size_t i = 0; i < figure.methods.size(); ++i) {
    const SeriesStyle st = series_style(figure.style_index[i]);
    const std::string name = gnuplot_quote(figure.methods[i]);
    const std::string colour = gnuplot_quote(st.colour);
    const std::string title = gnuplot_quote(gnuplot_enhanced_escape(figure.methods[i]));
    clauses.push_back(fmt::format("data skip 1 using (at({}, \"curve\")):5 with points pt {} "
                                  "ps 0.45 lw 0.8 lc rgb {} notitle",
                                  name, st.outline_type, colour));
    clauses.push_back(fmt::format("data skip 1 using (at({}, \"front\")):5 with linespoints "
                                  "pt {} ps 0.55 lw 1.3 lc rgb {} title {}",
                                  name, st.point_type, colour, title));
    clauses.push_back(fmt::format("data skip 1 using (at({}, \"headline\")):5 with points pt {} "
                                  "ps 1.5 lc rgb {} notitle",
                                  name, st.point_type, colour));
    clauses.push_back(fmt::format("data skip 1 using (at({}, \"headline\")):5 with points pt {} "
                                  "ps 1.5 lw 0.9 lc rgb \"black\" notitle",
                                  name, st.outline_type));
  }
  static const int kBoundShapes[] = {3, 1, 2};
  for (size_t i = 0; i < figure.bounds.size(); ++i)
    clauses.push_back(fmt::format(
        "data skip 1 using (at({}, \"bound\")):5 with points pt {} ps 1.3 lw 1.2 "
        "lc rgb \"black\" title {}",
        gnuplot_quote(figure.bounds[i]), kBoundShapes[i % 3],
        gnuplot_quote(gnuplot_enhanced_escape(figure.bounds[i] + " (bound)"))));
  bool any_single = false;
  for (const ParetoPoint& p : figure.points) any_single = any_single || p.kind == "single";
  if (any_single) {
    clauses.push_back(
        "data skip 1 using (at(\"single\", \"single\")):5 with points pt 2 ps 0.8 lw 1.2 "
        "lc rgb \"#505050\" title \"single models\"");
    // Names: one clause per placement (column label_at), so names stay clear of each other.
    static const std::pair<const char*, const char*> kPlacements[] = {
        {"above", "offset char 0,0.7 center"},
        {"below", "offset char 0,-0.7 center"},
        {"right", "offset char 0.6,0 left"},
        {"left", "offset char -0.6,0 right"}};
    for (const auto& [where, offset] : kPlacements) {
      bool used = false;
      for (const ParetoPoint& p : figure.points) used = used || p.label_at == where;
      if (!used) continue;
      clauses.push_back(fmt::format(
          "data skip 1 using (at(\"single\", \"single\")):(strcol(6) eq \"{}\" ? $5 : NaN):3 "
          "with labels {} font \",{:g}\" tc rgb \"#303030\" notitle",
          where, offset, size.font_pt - 1));
    }
  }
  if (!figure.methods.empty())
    clauses.push_back("keyentry with points pt 6 ps 1.5 lw 0.9 lc rgb \"black\" "
                      "title \"headline (knob fixed on val)\"");
  if (clauses.empty()) clauses.push_back("NaN notitle");

  std::string plot = "plot \\\n";
  for (size_t i = 0; i < clauses.size(); ++i)
    plot += "  " + clauses[i] + (i + 1 < clauses.size() ? ", \\\n" : "\n");
  s += "\n" + gnuplot_outputs(stem, size, plot);
  return s;
}

}  // namespace lazystack::reports
