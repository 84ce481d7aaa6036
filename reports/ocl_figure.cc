#include "reports/ocl_figure.h"

#include <fmt/core.h>

#include <algorithm>

#include "reports/summary.h"
#include "reports/table.h"
#include "reports/tables.h"

namespace lazystack::reports {
using nlohmann::json;

namespace {

std::vector<double> numbers(const json& j) {
  std::vector<double> out;
  if (!j.is_array()) return out;
  for (const json& v : j) out.push_back(v.is_number() ? v.get<double>() : 0.0);
  return out;
}

// The headline's test stream record, or null when the method has none.
const json* headline_stream(const json& method) {
  auto d = method.find("diagnostics");
  if (d == method.end() || !d->is_object() || !d->contains("stream")) return nullptr;
  const json& stream = (*d)["stream"];
  const int index = stream.value("headline_index", -1);
  if (!stream.contains("test") || !stream["test"].is_array() || index < 0 ||
      index >= static_cast<int>(stream["test"].size()))
    return nullptr;
  return &stream["test"][index];
}

}  // namespace

OclFigure ocl_figure(const json& summary, const FigureSize& size) {
  OclFigure fig;
  fig.size = size;
  fig.title = dataset_name(summary);
  std::vector<MethodView> views = method_views(summary);
  std::sort(views.begin(), views.end(),
            [](const MethodView& a, const MethodView& b) { return a.name < b.name; });
  for (const MethodView& v : views) {
    if (!v.error.empty()) continue;
    const json* rec = headline_stream(summary["methods"][v.name]);
    if (!rec || !rec->contains("stages") || !rec->contains("share")) continue;
    OclPanel p;
    p.method = figure_text(v.name);
    for (const json& s : (*rec)["stages"]) p.stages.push_back(s.get<std::string>());
    for (double e : numbers((*rec)["window_end"])) p.position.push_back(static_cast<int>(e));
    for (const std::string& s : p.stages) p.share.push_back(numbers((*rec)["share"][s]));
    p.window_accuracy = numbers((*rec)["window_accuracy"]);
    p.running_accuracy = numbers((*rec)["running_accuracy"]);
    p.shift_start = rec->value("shift_start", -1);
    const std::string shift = rec->value("shift", std::string("none"));
    p.title = fmt::format("{}: {}, {}, test accuracy {:.1f}%", p.method, knob_text(*v.headline),
                          shift == "none" ? "no shift" : "shift: " + shift,
                          100 * number_or_nan(*v.headline, "accuracy"));
    if (p.position.empty()) continue;
    fig.panels.push_back(std::move(p));
  }
  fig.size.width_in = 5.0;  // room for the legend beside each panel
  fig.size.font_pt = 6.0;
  fig.size.height_in = 0.4 + 1.9 * static_cast<double>(std::max<size_t>(1, fig.panels.size()));
  return fig;
}

std::string ocl_csv(const OclFigure& figure) {
  std::string out = "method,series,position,value\n";
  auto rows = [&](const OclPanel& p, const std::string& series, const std::vector<double>& v) {
    for (size_t w = 0; w < v.size() && w < p.position.size(); ++w)
      out += fmt::format("{},{},{},{}\n", csv_field(p.method), csv_field(series), p.position[w],
                         format_raw(v[w]));
  };
  for (const OclPanel& p : figure.panels) {
    for (size_t s = 0; s < p.stages.size(); ++s) rows(p, "share:" + p.stages[s], p.share[s]);
    rows(p, "window_accuracy", p.window_accuracy);
    rows(p, "running_accuracy", p.running_accuracy);
  }
  return out;
}

std::string ocl_script(const OclFigure& figure, const std::string& csv_name,
                       const std::string& stem) {
  const FigureSize& size = figure.size;
  std::string s = script_header(
      fmt::format("Online cascade learning on {}: over each online method's headline test "
                  "stream, the share of samples each level answered and the accuracy, per window.",
                  figure.title),
      csv_name, "method,series,position,value", stem);
  s += "# at(m, k): the value on rows of method m and series k; NaN (not drawn) otherwise.\n";
  s += "at(m, k) = (strcol(1) eq m && strcol(2) eq k) ? column(4) : NaN\n\n";
  s += "set border 3 lw 0.8\nset tics nomirror out scale 0.5\n";
  s += "set grid ytics lw 0.5 lc rgb \"#e4e4e4\"\n";
  s += "set yrange [0:1.02]\nset ytics 0.2\n";
  s += "set key outside right top vertical samplen 1.5 spacing 0.9 font \",6\"\n";
  s += "set ylabel \"share / accuracy\" offset 1.5,0\nset lmargin 7\n";
  std::string plots =
      fmt::format("set multiplot layout {},1 title {}\n", std::max<size_t>(1, figure.panels.size()),
                  gnuplot_quote(gnuplot_enhanced_escape(figure.title)));
  if (figure.panels.empty())
    plots += "set label \"no online method\" at graph 0.5, graph 0.5 center\nplot NaN notitle\n";
  for (size_t i = 0; i < figure.panels.size(); ++i) {
    const OclPanel& p = figure.panels[i];
    plots += fmt::format("set title {}\n", gnuplot_quote(gnuplot_enhanced_escape(p.title)));
    plots += fmt::format("set xrange [0:{}]\n", p.position.back());
    plots += i + 1 == figure.panels.size() ? "set xlabel \"samples seen in the stream\"\n"
                                           : "unset xlabel\n";
    plots += "unset arrow\n";
    if (p.shift_start >= 0)
      plots += fmt::format(
          "set arrow from {0},0 to {0},1 nohead dt 2 lw 1 lc rgb \"#666666\"\n"
          "set label 1 \"shift\" at {0},1.0 left offset 0.3,-0.5 font \",6\"\n",
          p.shift_start);
    else
      plots += "unset label 1\n";
    std::vector<std::string> clauses;
    for (size_t st = 0; st < p.stages.size(); ++st) {
      const SeriesStyle style = series_style(static_cast<int>(st));
      clauses.push_back(
          fmt::format("data skip 1 using 3:(at({}, {})) with lines lw 1.4 lc rgb {} title {}",
                      gnuplot_quote(p.method), gnuplot_quote("share:" + p.stages[st]),
                      gnuplot_quote(style.colour),
                      gnuplot_quote(gnuplot_enhanced_escape(p.stages[st] + " answers"))));
    }
    clauses.push_back(fmt::format(
        "data skip 1 using 3:(at({}, \"running_accuracy\")) with lines lw 1.6 lc rgb \"black\" "
        "title \"accuracy so far\"",
        gnuplot_quote(p.method)));
    clauses.push_back(fmt::format(
        "data skip 1 using 3:(at({}, \"window_accuracy\")) with lines lw 0.8 dt 2 lc rgb "
        "\"black\" title \"window accuracy\"",
        gnuplot_quote(p.method)));
    plots += "plot \\\n";
    for (size_t c = 0; c < clauses.size(); ++c)
      plots += "  " + clauses[c] + (c + 1 < clauses.size() ? ", \\\n" : "\n");
  }
  plots += "unset multiplot\n";
  s += gnuplot_outputs(stem, size, plots);
  return s;
}

}  // namespace lazystack::reports
