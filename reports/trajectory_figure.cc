#include "reports/trajectory_figure.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "reports/summary.h"
#include "reports/table.h"
#include "reports/tables.h"

namespace lazystack::reports {
using nlohmann::json;

namespace {

// The discovery diagnostics of the selected beta; null when the method has none.
const json* selected_discovery(const json& diagnostics, double* beta) {
  if (!diagnostics.is_object()) return nullptr;
  double selected = NAN;
  if (auto s = diagnostics.find("selected"); s != diagnostics.end() && s->is_object())
    selected = number_or_nan(*s, "beta");
  if (auto per = diagnostics.find("per_beta"); per != diagnostics.end() && per->is_array()) {
    for (const json& b : *per) {
      const double b_beta = number_or_nan(b, "beta");
      const bool match = std::isnan(selected) ? per->size() == 1 : b_beta == selected;
      if (!match) continue;
      auto d = b.find("discovery");
      if (d == b.end() || !d->is_object()) return nullptr;
      *beta = b_beta;
      return &*d;
    }
    return nullptr;
  }
  if (auto d = diagnostics.find("discovery"); d != diagnostics.end() && d->is_object()) {
    *beta = std::isnan(selected) ? number_or_nan(*d, "beta") : selected;
    return &*d;
  }
  return nullptr;
}

// The curve of one method; false when its diagnostics hold no trajectories.
bool read_curve(const json& method, TrajectoryCurve* curve) {
  auto diagnostics = method.find("diagnostics");
  if (diagnostics == method.end()) return false;
  double beta = NAN;
  const json* discovery = selected_discovery(*diagnostics, &beta);
  if (!discovery) return false;
  auto t = discovery->find("trajectories");
  if (t == discovery->end() || !t->is_object()) return false;
  auto list = t->find("trajectories");
  if (list == t->end() || !list->is_array() || list->empty()) return false;
  curve->beta = beta;
  curve->min_share = number_or_nan(*t, "min_share");
  curve->num_samples = static_cast<int>(t->value("num_samples", 0));
  struct Row {
    double share;
    bool kept;
    std::string models;
  };
  std::vector<Row> rows;
  for (const json& tr : *list) {
    Row r{number_or_nan(tr, "share"), tr.value("kept", false), ""};
    if (!std::isfinite(r.share)) return false;
    if (auto m = tr.find("models"); m != tr.end() && m->is_array())
      for (const json& name : *m)
        r.models += (r.models.empty() ? "" : ">") + figure_text(name.get<std::string>());
    rows.push_back(std::move(r));
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& a, const Row& b) { return a.share > b.share; });
  double sum = 0;
  for (const Row& r : rows) {
    sum += r.share;
    curve->share.push_back(r.share);
    curve->cumulative.push_back(sum);
    curve->kept.push_back(r.kept);
    curve->models.push_back(r.models);
    if (r.kept) {
      ++curve->num_kept;
      curve->kept_coverage += r.share;
    }
  }
  return true;
}

bool same_trajectories(const TrajectoryCurve& a, const TrajectoryCurve& b) {
  return a.beta == b.beta && a.share == b.share && a.kept == b.kept && a.models == b.models &&
         a.min_share == b.min_share;
}

std::string percent_text(double fraction) { return fmt::format("{:.3g}%", 100 * fraction); }

}  // namespace

std::string TrajectoryCurve::label() const {
  std::string out;
  for (const std::string& m : methods) out += (out.empty() ? "" : " / ") + m;
  return out;
}

TrajectoryFigure trajectory_figure(const json& summary, const FigureSize& size) {
  TrajectoryFigure fig;
  fig.size = size;
  fig.title = dataset_name(summary);
  std::vector<MethodView> views = method_views(summary);
  // The lead method (LazyStack-SUB) before the others, then by name.
  std::sort(views.begin(), views.end(), [](const MethodView& a, const MethodView& b) {
    const bool a_leads = a.has_role(MethodRole::kLead), b_leads = b.has_role(MethodRole::kLead);
    if (a_leads != b_leads) return a_leads;
    return a.name < b.name;
  });
  const json& methods = summary.at("methods");
  for (const MethodView& v : views) {
    // The proposed methods of the headline figure (cards): LazyStack-SUB and -MASK.
    if (!v.error.empty() || !v.proposed || !v.in_figure) continue;
    const json& m = methods.at(v.name);
    const json& d = m.value("diagnostics", json::object());
    if (d.is_object() && d.value("order", std::string("mdp")) != "mdp") continue;
    TrajectoryCurve curve;
    if (!read_curve(m, &curve)) continue;
    curve.methods.push_back(figure_text(v.name));
    auto same = std::find_if(fig.curves.begin(), fig.curves.end(),
                             [&](const TrajectoryCurve& c) { return same_trajectories(c, curve); });
    if (same != fig.curves.end())
      same->methods.push_back(curve.methods[0]);
    else
      fig.curves.push_back(std::move(curve));
  }
  std::vector<std::string> first_names;
  for (const TrajectoryCurve& c : fig.curves) first_names.push_back(c.methods[0]);
  const std::vector<int> styles = method_style_indices(first_names);
  size_t longest = 0, most = 1;
  double lowest = 1.0;
  for (size_t i = 0; i < fig.curves.size(); ++i) {
    TrajectoryCurve& c = fig.curves[i];
    c.style_index = styles[i];
    longest = std::max(longest, c.label().size() + 11);  // + " (β = 100)"
    most = std::max(most, c.share.size());
    lowest = std::min(lowest, c.cumulative.front());
  }
  // Past 20 trajectories a linear axis squeezes the few that matter into its left edge.
  fig.log_x = most > 20;
  fig.x_lo = fig.log_x ? 0.8 : 0.5;
  fig.x_hi = fig.log_x ? static_cast<double>(most) * 1.25 : static_cast<double>(most) + 0.5;
  fig.y_lo = std::max(0.0, std::floor((lowest - 0.05) * 10) / 10);
  // Legend: the curves, then the kept / dropped / cut marks.
  fig.layout = legend_below_layout(fig.size, static_cast<int>(fig.curves.size()) + 3, longest,
                                   !fig.title.empty(), /*plot_height_in=*/1.9);
  fig.layout.left_in = 0.7;
  return fig;
}

std::string trajectory_csv(const TrajectoryFigure& figure) {
  std::string out = "series,beta,rank,share,cumulative_share,kept,models\n";
  for (const TrajectoryCurve& c : figure.curves)
    for (size_t k = 0; k < c.share.size(); ++k)
      out += fmt::format("{},{},{},{},{},{},{}\n", csv_field(c.label()), format_raw(c.beta), k + 1,
                         format_raw(c.share[k]), format_raw(c.cumulative[k]), c.kept[k] ? 1 : 0,
                         csv_field(c.models[k]));
  return out;
}

std::string trajectory_script(const TrajectoryFigure& figure, const std::string& csv_name,
                              const std::string& stem) {
  const FigureSize& size = figure.size;
  std::string s = script_header(
      fmt::format(
          "Trajectory coverage on {}: cumulative share of val_fit samples covered by the k most "
          "common trajectories of LazyStack's policy at its selected beta.",
          figure.title),
      csv_name, "series,beta,rank,share,cumulative_share,kept,models", stem);
  s += "# at(c, k): the rank on rows of curve c whose kept flag is k (k < 0: any); NaN else.\n";
  s += "at(c, k) = (strcol(1) eq c && (k < 0 || column(6) == k)) ? column(3) : NaN\n\n";
  s += layout_commands(size, figure.layout);
  s += title_command(figure.title, size);
  s += "set xlabel \"trajectories, most common first\" offset 0,0.3\n";
  s += "set ylabel \"val\\\\_fit samples covered\" offset 0.6,0\n";
  s += fmt::format("set xrange [{:g}:{:g}]\n", figure.x_lo, figure.x_hi);
  if (figure.log_x) {
    s += "set logscale x\n";
    std::string tics;
    for (double t : log_axis_tics(1.0, figure.x_hi))
      tics += fmt::format("{}\"{:g}\" {:g}", tics.empty() ? "" : ", ", t, t);
    s += "set xtics (" + tics + ")\nset mxtics 10\n";
  } else {
    s += fmt::format("set xtics {}\nunset mxtics\n", figure.x_hi > 12 ? 2 : 1);
  }
  s += fmt::format("set yrange [{:g}:1.02]\n", figure.y_lo);
  // Shares as percentages: 70%, 80%, ... 100%.
  const int step = 1.0 - figure.y_lo > 0.5 ? 20 : 10;
  std::string tics;
  for (int p = static_cast<int>(std::lround(100 * figure.y_lo)); p <= 100; p += step)
    tics += fmt::format("{}\"{}%%\" {:g}", tics.empty() ? "" : ", ", p, p / 100.0);  // %% is %
  s += "set ytics (" + tics + ")\n";
  s += "set border 3 lw 0.8\nset tics nomirror out scale 0.5\n";
  s += "set grid xtics ytics lw 0.5 lc rgb \"#e4e4e4\"\n";
  if (figure.curves.empty())
    s += "set label \"no trajectory diagnostics\" at graph 0.5, graph 0.5 center\n";

  std::vector<std::string> clauses;
  for (size_t i = 0; i < figure.curves.size(); ++i) {
    const TrajectoryCurve& c = figure.curves[i];
    const SeriesStyle st = series_style(c.style_index);
    const std::string name = gnuplot_quote(c.label());
    const std::string colour = gnuplot_quote(st.colour);
    // The cut: between the last kept trajectory and the first dropped one.
    const double cut = c.num_kept + 0.5;
    s += fmt::format(
        "set arrow from {:g}, graph 0 to {:g}, graph 1 nohead dashtype 2 lw 1.2 lc rgb {}\n", cut,
        cut, colour);
    s += fmt::format(
        "set label {} at {:g}, graph {:.3f} left offset char 0.4,0 font \",{:g}\" tc rgb {}\n",
        gnuplot_quote(gnuplot_enhanced_escape(fmt::format("min_share {}:\n{} kept, cover {}",
                                                          percent_text(c.min_share), c.num_kept,
                                                          percent_text(c.kept_coverage)))),
        cut, 0.22 + 0.2 * static_cast<double>(i), size.font_pt - 1, colour);
    const std::string title =
        gnuplot_enhanced_escape(c.label()) + fmt::format(" (β = {:g})", c.beta);
    const int n = static_cast<int>(c.share.size());
    clauses.push_back(
        fmt::format("data skip 1 using (at({}, -1)):5 with lines lw 1.3 lc rgb {} title {}", name,
                    colour, gnuplot_quote(title)));
    clauses.push_back(
        fmt::format("data skip 1 using (at({}, 1)):5 with points pt {} ps 0.8 lc rgb {} notitle",
                    name, st.point_type, colour));
    clauses.push_back(fmt::format(
        "data skip 1 using (at({}, 0)):5 with points pt {} ps {} lw 0.8 lc rgb {} notitle", name,
        st.outline_type, n > 40 ? 0.45 : 0.7, colour));
  }
  if (!figure.curves.empty()) {
    clauses.push_back(
        "keyentry with points pt 7 ps 0.8 lc rgb \"#505050\" title \"kept (share ≥ "
        "min\\\\_share)\"");
    clauses.push_back("keyentry with points pt 6 ps 0.7 lc rgb \"#505050\" title \"dropped\"");
    clauses.push_back(
        "keyentry with lines dashtype 2 lw 1.2 lc rgb \"#505050\" title \"min\\\\_share cut\"");
  }
  s += plot_and_outputs(clauses, stem, size);
  return s;
}

}  // namespace lazystack::reports
