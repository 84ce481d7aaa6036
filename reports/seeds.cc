#include "reports/seeds.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <string>

#include "reports/summary.h"
#include "reports/tables.h"

namespace lazystack::reports {
using nlohmann::json;

namespace {

// t quantile 0.975: a table for 1..30 degrees of freedom; beyond, the first terms of its
// expansion around the normal quantile (Abramowitz and Stegun 26.7.5), within 0.01%.
double t975(int dof) {
  static const double kT[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
                              2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
                              2.110,  2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
                              2.060,  2.056, 2.052, 2.048, 2.045, 2.042};
  if (dof < 1) return NAN;
  if (dof <= 30) return kT[dof - 1];
  const double z = 1.959964, v = dof;
  return z + (z * z * z + z) / (4 * v) +
         (5 * std::pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * v * v);
}

std::vector<double> finite(const std::vector<double>& values) {
  std::vector<double> out;
  for (double v : values)
    if (std::isfinite(v)) out.push_back(v);
  return out;
}

double mean(const std::vector<double>& values) {
  const auto v = finite(values);
  if (v.empty()) return NAN;
  return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

struct Stat {
  const char* key;     // headline field
  const char* header;  // Markdown header
  const char* latex;   // LaTeX header
  std::string (*format)(double);
  bool log_space;  // a ratio: geometric mean and the t interval of the logs
  int decimals;    // log-space cells
  const char* suffix;
};

std::string pct2(double v) { return format_percent(v, 2); }
std::string pct1(double v) { return format_percent(v, 1); }
std::string fixed2(double v) { return format_fixed(v, 2); }

}  // namespace

double ci95_half_width(const std::vector<double>& values) {
  const auto v = finite(values);
  if (v.size() < 2) return 0.0;
  // Identical runs: exactly zero (the mean's rounding would leave a trace of spread).
  if (std::equal(v.begin() + 1, v.end(), v.begin())) return 0.0;
  const double m = mean(v);
  double ss = 0.0;
  for (double x : v) ss += (x - m) * (x - m);
  const double sd = std::sqrt(ss / static_cast<double>(v.size() - 1));
  return t975(static_cast<int>(v.size()) - 1) * sd / std::sqrt(static_cast<double>(v.size()));
}

LogInterval log_t_interval(const std::vector<double>& values) {
  std::vector<double> logs;
  for (double v : values)
    if (std::isfinite(v) && v > 0) logs.push_back(std::log(v));
  LogInterval out;
  out.n = static_cast<int>(logs.size());
  if (logs.empty()) {
    out.gmean = out.lo = out.hi = NAN;
    return out;
  }
  const double m = mean(logs);
  const double h = ci95_half_width(logs);
  out.gmean = std::exp(m);
  out.lo = h > 0 ? std::exp(m - h) : out.gmean;
  out.hi = h > 0 ? std::exp(m + h) : out.gmean;
  return out;
}

std::string format_log_interval(const LogInterval& v, int decimals, const char* suffix) {
  if (v.n == 0 || !std::isfinite(v.gmean)) return "\u2014";
  const std::string g = fmt::format("{:.{}f}{}", v.gmean, decimals, suffix);
  if (v.n < 2) return g;
  return fmt::format("{} [{:.{}f}, {:.{}f}]", g, v.lo, decimals, v.hi, decimals);
}

std::vector<std::string> variance_sources(const std::vector<json>& summaries) {
  if (summaries.size() < 2) return {};
  bool test = false, latency = false;
  for (const json& s : summaries) {
    const json sampling = s.value("seed_sampling", json::object());
    test |= sampling.value("test", std::string()) == "bootstrap";
    latency |= sampling.value("latency", std::string()) == "bootstrap";
  }
  std::vector<std::string> out = {"the val_fit/val_cal split"};
  if (test) out.push_back("the test sample");
  if (latency) out.push_back("the latency measurement");
  return out;
}

std::string variance_note(const std::vector<json>& summaries) {
  const std::vector<std::string> sources = variance_sources(summaries);
  if (sources.empty()) return "";
  std::string list;
  for (size_t i = 0; i < sources.size(); ++i)
    list += (i == 0 ? "" : i + 1 == sources.size() ? " and " : ", ") + sources[i];
  bool test = false, latency = false;
  for (const std::string& s : sources) {
    test |= s == "the test sample";
    latency |= s == "the latency measurement";
  }
  std::string how = " (each seed re-splits val";
  if (test)
    how +=
        "; seeds other than 0 draw a bootstrap replicate of the one test set, so the test "
        "part is resampled, not new data";
  if (latency)
    how +=
        "; and re-draw each model's latency from its profiler repeats (the spread of the "
        "median within one profiling session)";
  how += ")";
  return fmt::format(
      "Intervals over the {} seeds: 95% Student t interval of the mean; ratios (costs, "
      "speedups) are averaged in log space: geometric mean [exp(mean \u00b1 t sd / \u221an) of "
      "the logs]. They cover {}{}; zoo training is not re-drawn (one trained zoo).",
      summaries.size(), list, how);
}

Table seeds_headline_table(const std::vector<json>& summaries) {
  const std::string unit_key =
      summaries.empty() ? "cost" : summaries[0].at("cost_unit").get<std::string>();
  const CostUnit unit = describe_cost_unit(unit_key);
  // Percentages scale the interval too; the other formats are plain numbers.
  const Stat stats[] = {
      {"accuracy", "acc. (%)", "acc.\\ (\\%)", pct2, false, 0, ""},
      {"retention", "retention (%)", "ret.\\ (\\%)", pct1, false, 0, ""},
      {"mean_cost", "", "", format_amount, true, 4, ""},
      {"speedup_vs_full", "\u00d7 full", "$\\times$ full", fixed2, true, 2, "\u00d7"},
      {"speedup_vs_best_single", "\u00d7 best single", "$\\times$ best", fixed2, true, 2, "\u00d7"},
      {"mean_models", "models", "models", fixed2, false, 0, ""},
  };
  Table t;
  t.columns.push_back({"method", "", "method", Align::kLeft});
  t.columns.push_back({"seeds", "", "seeds_ok"});
  for (const Stat& s : stats) {
    const std::string key = s.key;
    const std::string header = key == "mean_cost" ? "cost (" + unit.short_label + ")" : s.header;
    if (s.log_space) {
      t.columns.push_back({header, s.latex[0] ? s.latex : "", key + "_gmean"});
      t.columns.push_back({"", "", key + "_lo", Align::kRight, false});
      t.columns.push_back({"", "", key + "_hi", Align::kRight, false});
    } else {
      t.columns.push_back({header, s.latex[0] ? s.latex : "", key + "_mean"});
      t.columns.push_back({"", "", key + "_ci95", Align::kRight, false});
    }
  }
  t.columns.push_back({"", "", "seeds_failed", Align::kRight, false});
  t.columns.push_back({"", "", "error", Align::kLeft, false});

  // Methods in the order the first seed reports them; any seen only later go after.
  std::vector<std::string> names;
  std::map<std::string, bool> bound;
  for (const json& s : summaries)
    for (const MethodView& m : method_views(s)) {
      if (std::find(names.begin(), names.end(), m.name) == names.end()) names.push_back(m.name);
      bound[m.name] = bound[m.name] || m.bound;
    }

  for (const std::string& name : names) {
    std::map<std::string, std::vector<double>> values;
    int ok = 0, failed = 0;
    std::string error;
    for (const json& s : summaries) {
      const json& methods = s.at("methods");
      auto it = methods.find(name);
      if (it == methods.end()) continue;
      if (auto e = it->find("error"); e != it->end() && e->is_string()) {
        ++failed;
        if (error.empty()) error = e->get<std::string>();
        continue;
      }
      ++ok;
      for (const Stat& st : stats)
        values[st.key].push_back(number_or_nan(it->at("headline"), st.key));
    }
    TableRow row;
    row.cells.push_back({bound[name] ? name + " (bound)" : name, name});
    row.cells.push_back({fmt::format("{}/{}", ok, ok + failed), std::to_string(ok)});
    for (const Stat& st : stats) {
      if (st.log_space) {
        const LogInterval v = log_t_interval(values[st.key]);
        // Costs keep format_amount's significant digits; speedups a fixed number of decimals.
        std::string text = format_log_interval(v, st.decimals, st.suffix);
        if (st.format == format_amount && v.n > 0)
          text = v.n < 2 ? format_amount(v.gmean)
                         : fmt::format("{} [{}, {}]", format_amount(v.gmean), format_amount(v.lo),
                                       format_amount(v.hi));
        row.cells.push_back({ok == 0 ? "\u2014" : text, format_raw(v.gmean)});
        row.cells.push_back({"", v.n >= 2 ? format_raw(v.lo) : ""});
        row.cells.push_back({"", v.n >= 2 ? format_raw(v.hi) : ""});
        continue;
      }
      const double m = mean(values[st.key]);
      const double h = ci95_half_width(values[st.key]);
      // The interval is formatted like the mean: a percentage stays a percentage.
      const bool percent = st.format == pct2 || st.format == pct1;
      const std::string half =
          percent ? format_fixed(100 * h, st.format == pct2 ? 2 : 1) : st.format(h);
      const std::string text = ok == 0   ? "\u2014"
                               : ok == 1 ? st.format(m)
                                         : st.format(m) + " \u00b1 " + half;
      row.cells.push_back({text, format_raw(m)});
      row.cells.push_back({"", ok >= 2 ? format_raw(h) : ""});
    }
    row.cells.push_back({"", std::to_string(failed)});
    row.cells.push_back({"", error});
    if (ok == 0) {
      row.note = "failed in every seed: " + error;
      row.note_from = 2;
    }
    t.add_row(std::move(row));
  }
  std::string dataset = summaries.empty() ? "" : summaries[0].value("dataset", std::string());
  t.caption = fmt::format(
      "Headline operating points on {} over {} seeds: accuracy, retention and models as mean "
      "\u00b1 95% interval (Student t); cost and speedups as geometric mean [95% interval].",
      dataset, summaries.size());
  t.label = "tab:headline-seeds-" + dataset;
  const std::string note = variance_note(summaries);
  if (!note.empty()) t.notes.push_back(note);
  t.notes.push_back(
      "Knobs are fixed on each seed's validation data. (bound): uses test labels, not an "
      "achievable method.");
  return t;
}

}  // namespace lazystack::reports
