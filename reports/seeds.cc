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

Table seeds_headline_table(const std::vector<json>& summaries) {
  const std::string unit_key =
      summaries.empty() ? "cost" : summaries[0].at("cost_unit").get<std::string>();
  const CostUnit unit = describe_cost_unit(unit_key);
  // Percentages scale the interval too; the other formats are plain numbers.
  const Stat stats[] = {
      {"accuracy", "acc. (%)", "acc.\\ (\\%)", pct2},
      {"retention", "retention (%)", "ret.\\ (\\%)", pct1},
      {"mean_cost", "", "", format_amount},
      {"speedup_vs_full", "× full", "$\\times$ full", fixed2},
      {"speedup_vs_best_single", "× best single", "$\\times$ best", fixed2},
      {"mean_models", "models", "models", fixed2},
  };
  Table t;
  t.columns.push_back({"method", "", "method", Align::kLeft});
  t.columns.push_back({"seeds", "", "seeds_ok"});
  for (const Stat& s : stats) {
    const std::string header =
        std::string(s.key) == "mean_cost" ? "cost (" + unit.short_label + ")" : s.header;
    t.columns.push_back({header, s.latex[0] ? s.latex : "", std::string(s.key) + "_mean"});
    t.columns.push_back({"", "", std::string(s.key) + "_ci95", Align::kRight, false});
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
      "Headline operating points on {} over {} seeds: mean \u00b1 95% "
      "interval (Student t).",
      dataset, summaries.size());
  t.label = "tab:headline-seeds-" + dataset;
  t.notes.push_back(
      "Each seed re-draws the seeded splits that fit and calibrate the methods; "
      "knobs are fixed on that seed's validation data. (bound): uses test "
      "labels, not an achievable method.");
  return t;
}

}  // namespace lazystack::reports
