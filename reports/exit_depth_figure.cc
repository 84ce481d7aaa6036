#include "reports/exit_depth_figure.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "reports/summary.h"
#include "reports/table.h"
#include "reports/tables.h"

namespace lazystack::reports {
using nlohmann::json;

namespace {

// The headline's histogram; empty when it has none (or a malformed one).
std::vector<int64_t> histogram_of(const json& headline) {
  std::vector<int64_t> out;
  auto it = headline.find("depth_histogram");
  if (it == headline.end() || !it->is_array()) return {};
  for (const json& v : *it) {
    if (!v.is_number() || v.get<double>() < 0) return {};
    out.push_back(v.get<int64_t>());
  }
  return out;
}

}  // namespace

bool is_early_exit(bool early_exit_card, const json& headline) {
  if (early_exit_card) return true;
  const std::vector<int64_t> h = histogram_of(headline);
  return std::count_if(h.begin(), h.end(), [](int64_t n) { return n > 0; }) > 1;
}

ExitDepthFigure exit_depth_figure(const json& summary, const FigureSize& size) {
  ExitDepthFigure fig;
  fig.size = size;
  fig.title = dataset_name(summary);
  std::vector<MethodView> views = method_views(summary);
  std::sort(views.begin(), views.end(),
            [](const MethodView& a, const MethodView& b) { return a.name < b.name; });
  size_t bins = 0;
  for (const MethodView& v : views) {
    if (!v.error.empty() || v.bound || !is_early_exit(v.early_exit, *v.headline)) continue;
    ExitDepthSeries s;
    s.method = figure_text(v.name);
    s.samples = histogram_of(*v.headline);
    for (int64_t n : s.samples) s.total += n;
    if (s.total <= 0) continue;
    bins = std::max(bins, s.samples.size());
    fig.series.push_back(std::move(s));
  }
  std::vector<std::string> names;
  for (const ExitDepthSeries& s : fig.series) names.push_back(s.method);
  const std::vector<int> styles = method_style_indices(names);
  bool depth0 = false;
  double min_share = 1.0;
  for (size_t i = 0; i < fig.series.size(); ++i) {
    ExitDepthSeries& s = fig.series[i];
    s.style_index = styles[i];
    s.samples.resize(bins, 0);
    depth0 = depth0 || s.samples[0] > 0;
    for (int64_t n : s.samples)
      if (n > 0) min_share = std::min(min_share, static_cast<double>(n) / s.total);
  }
  fig.min_depth = depth0 ? 0 : 1;
  fig.max_depth = std::max(fig.min_depth, static_cast<int>(bins) - 1);
  // The 1-2-5 step under the rarest plotted share, so its marker clears the axis.
  const double floor_share = min_share / 1.6;
  const double decade = std::pow(10.0, std::floor(std::log10(floor_share)));
  fig.y_lo = floor_share >= 5 * decade   ? 5 * decade
             : floor_share >= 2 * decade ? 2 * decade
                                         : decade;
  // Dodging: the methods' markers spread over at most 0.6 of a depth step.
  const size_t n = fig.series.size();
  const double step = n > 1 ? std::min(0.1, 0.6 / static_cast<double>(n - 1)) : 0.0;
  for (size_t i = 0; i < n; ++i)
    fig.series[i].offset = (static_cast<double>(i) - (static_cast<double>(n) - 1) / 2) * step;
  size_t longest = 0;
  for (const std::string& name : names) longest = std::max(longest, name.size());
  fig.layout = legend_below_layout(fig.size, static_cast<int>(fig.series.size()), longest,
                                   !fig.title.empty(), /*plot_height_in=*/1.9);
  fig.layout.left_in = 0.75;  // room for "0.01%" and the axis label
  return fig;
}

std::string exit_depth_csv(const ExitDepthFigure& figure) {
  std::string out = "method,depth,samples,share\n";
  for (const ExitDepthSeries& s : figure.series)
    for (int d = figure.min_depth; d <= figure.max_depth; ++d) {
      const int64_t n = d < static_cast<int>(s.samples.size()) ? s.samples[d] : 0;
      out += fmt::format("{},{},{},{}\n", csv_field(s.method), d, n,
                         format_raw(static_cast<double>(n) / static_cast<double>(s.total)));
    }
  return out;
}

std::string exit_depth_script(const ExitDepthFigure& figure, const std::string& csv_name,
                              const std::string& stem) {
  const FigureSize& size = figure.size;
  std::string s = script_header(
      fmt::format(
          "Exit depth on {}: share of test samples that exit after d models, at each early-exit "
          "method's headline point.",
          figure.title),
      csv_name, "method,depth,samples,share", stem);
  s += "# at(m, dx): the depth shifted by dx on rows of method m with samples; NaN (not drawn,\n"
       "# and the line broken) otherwise: a zero share has no place on a log axis.\n";
  s += "at(m, dx) = (strcol(1) eq m && column(3) > 0) ? column(2) + dx : NaN\n\n";
  s += layout_commands(size, figure.layout);
  s += title_command(figure.title, size);
  s += "set xlabel \"exit depth: models run before the exit\" offset 0,0.3\n";
  s += "set ylabel \"share of test samples\" offset 0.6,0\n";
  s += fmt::format("set xrange [{}:{}]\nset xtics 1\nunset mxtics\n", figure.min_depth - 0.6,
                   figure.max_depth + 0.6);
  // Shares as percentages on a log axis, so the rare deep exits show beside the common
  // shallow ones; headroom above 100%.
  s += "set logscale y\n";
  s += fmt::format("set yrange [{:g}:1.6]\n", figure.y_lo);
  std::string tics;
  for (double t : log_axis_tics(figure.y_lo, 1.0))
    tics += fmt::format("{}\"{:g}%%\" {:g}", tics.empty() ? "" : ", ", 100 * t, t);  // %% is %
  s += "set ytics (" + tics + ")\n";
  s += "set border 3 lw 0.8\nset tics nomirror out scale 0.5\n";
  s += "set grid ytics lw 0.5 lc rgb \"#e4e4e4\"\n";
  if (figure.series.empty())
    s += "set label \"no early-exit method\" at graph 0.5, graph 0.5 center\n";

  std::vector<std::string> clauses;
  for (const ExitDepthSeries& series : figure.series) {
    const SeriesStyle st = series_style(series.style_index);
    clauses.push_back(fmt::format(
        "data skip 1 using (at({}, {:g})):4 with linespoints pt {} ps 0.75 lw 1.2 lc rgb {} "
        "title {}",
        gnuplot_quote(series.method), series.offset, st.point_type, gnuplot_quote(st.colour),
        gnuplot_quote(gnuplot_enhanced_escape(series.method))));
  }
  s += plot_and_outputs(clauses, stem, size);
  return s;
}

}  // namespace lazystack::reports
