#include "reports/cross_dataset.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "reports/comparisons.h"
#include "reports/seeds.h"
#include "reports/summary.h"
#include "reports/tables.h"

namespace lazystack::reports {
using nlohmann::json;

namespace {

const char* const kDash = "\u2014";

// The method entry of `summary` that stands for `wanted`: by summary name, else the first
// (by name) of that registry type. Null when there is none.
const json* find_method(const json& summary, const std::string& wanted, std::string* name) {
  const json& methods = summary.at("methods");
  if (auto it = methods.find(wanted); it != methods.end()) {
    *name = it.key();
    return &*it;
  }
  for (auto it = methods.begin(); it != methods.end(); ++it)
    if (it->value("method", std::string()) == wanted) {
      *name = it.key();
      return &*it;
    }
  return nullptr;
}

bool works(const json& method) {
  auto e = method.find("error");
  return !(e != method.end() && e->is_string()) && method.contains("headline");
}

double headline_value(const json* method, const char* key) {
  return method ? number_or_nan(method->at("headline"), key) : NAN;
}

// methods.<m>.metrics.<key> (comparisons.h add_comparison_metrics); NaN when absent or null.
double metric_value(const json* method, const char* key) {
  if (!method) return NAN;
  auto m = method->find("metrics");
  return m != method->end() && m->is_object() ? number_or_nan(*m, key) : NAN;
}

double cost_to_reach_97(const json* method) {
  if (!method) return NAN;
  auto m = method->find("metrics");
  if (m == method->end() || !m->is_object()) return NAN;
  auto reach = m->find("cost_to_reach");
  return reach != m->end() && reach->is_object() ? number_or_nan(*reach, "0.97") : NAN;
}

// "2 of 3 seeds" when only some seeds have a value; `missing` says what the others mean.
std::string coverage_suffix(int n, int worked, const std::string& missing) {
  if (n == 0 || n >= worked) return "";
  return fmt::format(" ({} of {} seeds; others {})", n, worked,
                     missing.empty() ? std::string("missing") : missing);
}

// Arithmetic: "91.70" for one seed, "91.70 ± 0.31" for several.
void arithmetic_cells(const CrossDatasetColumn& c, const std::vector<double>& values, int worked,
                      TableRow* row) {
  double sum = 0;
  int n = 0;
  for (double v : values)
    if (std::isfinite(v)) sum += v, ++n;
  const double m = n ? sum / n : NAN;
  const double h = ci95_half_width(values);
  std::string text = std::isfinite(m) ? fmt::format("{:.{}f}{}", c.scale * m, c.decimals, c.suffix)
                     : worked > 0 && !c.missing.empty() ? c.missing
                                                        : std::string(kDash);
  if (n >= 2 && std::isfinite(m))
    text += fmt::format(" \u00b1 {:.{}f}{}", c.scale * h, c.decimals, c.suffix);
  text += coverage_suffix(n, worked, c.missing);
  row->cells.push_back({text, format_raw(m)});
  row->cells.push_back({"", n >= 2 ? format_raw(h) : ""});
}

// Log space: "52.1×" for one seed, "52.1× [40.0, 67.8]" for several.
void log_cells(const CrossDatasetColumn& c, const std::vector<double>& values, int worked,
               TableRow* row) {
  LogInterval v = log_t_interval(values);
  LogInterval shown = v;
  shown.gmean *= c.scale, shown.lo *= c.scale, shown.hi *= c.scale;
  std::string text = v.n == 0 && worked > 0 && !c.missing.empty()
                         ? c.missing
                         : format_log_interval(shown, c.decimals, c.suffix.c_str());
  text += coverage_suffix(v.n, worked, c.missing);
  row->cells.push_back({text, format_raw(v.gmean)});
  row->cells.push_back({"", v.n >= 2 ? format_raw(v.lo) : ""});
  row->cells.push_back({"", v.n >= 2 ? format_raw(v.hi) : ""});
}

}  // namespace

const std::vector<CrossDatasetColumn>& cross_dataset_columns() {
  static const std::vector<CrossDatasetColumn> columns = {
      {"LazyStack acc. (%)", "LazyStack acc.\\ (\\%)", "lazystack_accuracy",
       [](const json&, const json* m) { return headline_value(m, "accuracy"); }, false, 100, 2, "",
       ""},
      {"full stacker acc. (%)", "stacker acc.\\ (\\%)", "full_stacker_accuracy",
       [](const json& s, const json*) {
         return number_or_nan(s.at("reference"), "full_stacker_accuracy");
       },
       false, 100, 2, "", ""},
      {"speedup (× full)", "speedup ($\\times$ full)", "speedup_vs_full",
       [](const json&, const json* m) { return headline_value(m, "speedup_vs_full"); }, true, 1, 1,
       "\u00d7", ""},
      {"retention (%)", "ret.\\ (\\%)", "retention",
       [](const json&, const json* m) { return headline_value(m, "retention"); }, false, 100, 1, "",
       ""},
      {"models", "models", "mean_models",
       [](const json&, const json* m) { return headline_value(m, "mean_models"); }, false, 1, 2, "",
       ""},
      {"× best baseline", "$\\times$ best base.", "x_best_baseline",
       [](const json&, const json* m) { return metric_value(m, "x_best_baseline"); }, true, 1, 2,
       "\u00d7", "above every baseline"},
      {"× single front", "$\\times$ singles", "x_single_front",
       [](const json&, const json* m) { return metric_value(m, "x_single_front"); }, true, 1, 2,
       "\u00d7", "above every single model"},
      {"cost to 97%", "cost to 97\\%", "cost_to_reach_97",
       [](const json&, const json* m) { return cost_to_reach_97(m); }, true, 1, 4, "",
       "not reached"},
      {"APGR", "APGR", "apgr", [](const json&, const json* m) { return metric_value(m, "apgr"); },
       false, 1, 2, "", ""},
  };
  return columns;
}

Table cross_dataset_table(const std::vector<std::vector<json>>& runs,
                          const std::vector<std::string>& wanted_methods) {
  std::vector<std::string> methods = wanted_methods;
  if (methods.empty()) {
    std::vector<const json*> all;
    for (const std::vector<json>& seeds : runs)
      for (const json& s : seeds) all.push_back(&s);
    methods = featured_methods(all);
  }
  const std::vector<CrossDatasetColumn>& columns = cross_dataset_columns();
  Table t;
  t.columns = {{"dataset", "", "dataset", Align::kLeft}, {"domain", "", "domain", Align::kLeft}};
  for (const CrossDatasetColumn& c : columns) {
    t.columns.push_back({c.header, c.latex, c.csv});
    if (c.log_space) {
      t.columns.push_back({"", "", c.csv + "_lo", Align::kRight, /*display=*/false});
      t.columns.push_back({"", "", c.csv + "_hi", Align::kRight, /*display=*/false});
    } else {
      t.columns.push_back({"", "", c.csv + "_ci95", Align::kRight, /*display=*/false});
    }
  }
  t.columns.push_back({"best baseline", "best baseline", "best_baseline", Align::kLeft});
  t.columns.push_back({"", "", "seeds_target_missed", Align::kRight, /*display=*/false});
  t.columns.push_back({"", "", "seeds_single_model_exit", Align::kRight, /*display=*/false});
  for (const char* csv : {"method", "seeds", "seeds_ok", "variance_sources"})
    t.columns.push_back({"", "", csv, std::string(csv) == "method" ? Align::kLeft : Align::kRight,
                         /*display=*/false});

  bool any_missed = false, any_single_exit = false;
  std::vector<std::string> used;  // "dataset: method" when a row is not the first choice
  std::vector<std::string> notes_by_seeds;
  for (const std::vector<json>& seeds : runs) {
    if (seeds.empty()) continue;
    const std::string dataset = dataset_name(seeds[0]);
    const std::string domain = seeds[0].value("domain", std::string());
    // The first preferred method that worked in any seed.
    std::string chosen, chosen_name;
    for (const std::string& wanted : methods) {
      for (const json& s : seeds) {
        std::string name;
        const json* m = find_method(s, wanted, &name);
        if (m && works(*m)) {
          chosen = wanted;
          chosen_name = name;
          break;
        }
      }
      if (!chosen.empty()) break;
    }
    std::vector<std::vector<double>> values(columns.size());
    int ok = 0, with_metrics = 0, missed = 0, single_exit = 0;
    std::map<std::string, int> baselines;  // best baseline at equal accuracy, per seed
    std::string error;
    for (const json& s : seeds) {
      std::string name;
      const json* m = chosen.empty() ? nullptr : find_method(s, chosen, &name);
      if (m && !works(*m)) m = nullptr;
      ok += m != nullptr;
      for (size_t c = 0; c < columns.size(); ++c) values[c].push_back(columns[c].value(s, m));
      if (!m) continue;
      const json& h = m->at("headline");
      missed += h.value("target_reached", true) == false;
      single_exit += h.value("single_model_exit", false) == true;
      const json metrics = m->value("metrics", json::object());
      with_metrics += metrics.is_object() && !metrics.empty();
      const json best = metrics.is_object() ? metrics.value("best_baseline", json()) : json();
      if (best.is_string()) ++baselines[best.get<std::string>()];
    }
    any_missed |= missed > 0;
    any_single_exit |= single_exit > 0;
    if (chosen.empty())
      for (const std::string& wanted : methods) {
        std::string name;
        const json* m = find_method(seeds[0], wanted, &name);
        if (m && error.empty()) error = name + " failed: " + m->value("error", std::string("?"));
      }

    TableRow row;
    row.cells.push_back({dataset, dataset});
    row.cells.push_back({domain.empty() ? kDash : domain, domain});
    for (size_t c = 0; c < columns.size(); ++c) {
      // A missing metric means "not reached" only where the summary has metrics.
      const int worked = columns[c].missing.empty() ? ok : with_metrics;
      if (columns[c].log_space)
        log_cells(columns[c], values[c], worked, &row);
      else
        arithmetic_cells(columns[c], values[c], worked, &row);
    }
    // Flags on the accuracy cell, with the number of seeds when not all of them.
    auto flag = [&](int count, const char* mark) {
      if (count == 0) return std::string();
      return count == ok ? fmt::format(" {}", mark) : fmt::format(" {}{}/{}", mark, count, ok);
    };
    row.cells[2].text += flag(missed, "\u2020") + flag(single_exit, "\u2021");
    std::string best_text;
    for (const auto& [name, count] : baselines)
      best_text += (best_text.empty() ? "" : ", ") +
                   (count == ok ? name : fmt::format("{} ({}/{})", name, count, ok));
    row.cells.push_back({best_text.empty() ? std::string(kDash) : best_text, best_text});
    row.cells.push_back({"", std::to_string(missed)});
    row.cells.push_back({"", std::to_string(single_exit)});
    std::string sources;
    for (const std::string& s : variance_sources(seeds))
      sources += (sources.empty() ? "" : "; ") + s;
    row.cells.push_back({chosen_name, chosen_name});
    row.cells.push_back({"", std::to_string(seeds.size())});
    row.cells.push_back({"", std::to_string(ok)});
    row.cells.push_back({"", sources});
    if (chosen.empty()) {
      row.note = error.empty() ? "no LazyStack method in this run" : error;
      row.note_from = 2;
    } else if (chosen_name != methods.front()) {  // methods is not empty: one was chosen
      used.push_back(dataset + ": " + chosen_name);
    }
    t.add_row(std::move(row));
    const std::string note = variance_note(seeds);
    if (!note.empty() &&
        std::find(notes_by_seeds.begin(), notes_by_seeds.end(), note) == notes_by_seeds.end())
      notes_by_seeds.push_back(note);
  }

  t.caption =
      "LazyStack across datasets: headline test accuracy beside the full stacker's, speedup vs "
      "the full ensemble, retention, mean models run, and the comparison with the best "
      "baseline at equal accuracy.";
  t.label = "tab:summary";
  std::string note = fmt::format(
      "LazyStack = {} at its headline point (knob fixed on validation data); retention = "
      "accuracy / full stacker accuracy; models = mean number of models run per sample. "
      "× best baseline: the cost the lower envelope of every non-LazyStack method (and of each "
      "zoo model alone) needs on test to reach LazyStack's test accuracy, divided by "
      "LazyStack's cost (below 1: the baseline is cheaper); best baseline = the method(s) on "
      "that envelope. × single front: the same against the single-model front chosen on "
      "validation. Cost to 97%: the cheapest cost at which LazyStack's reported test curve "
      "reaches 97% of the full stacker's accuracy, in each run's cost unit. APGR: RouteLLM's "
      "average performance gap recovered between the cheapest and the most accurate zoo model. "
      "Ratios and costs are geometric means over seeds with log-space 95% t intervals.",
      methods.empty() ? std::string("(none in these runs)") : methods.front());
  if (!used.empty()) {
    note += " Rows that report another variant: ";
    for (size_t i = 0; i < used.size(); ++i) note += (i ? "; " : "") + used[i];
    note += ".";
  }
  t.notes.push_back(note);
  const std::string per_seed = " (n/k: in n of k seeds)";
  if (any_missed) t.notes.push_back(target_missed_note(per_seed));
  if (any_single_exit) t.notes.push_back(single_model_exit_note(per_seed));
  // Runs with the same seeds and draws share one note; others get their own.
  for (const std::string& n : notes_by_seeds) t.notes.push_back(n);
  return t;
}

}  // namespace lazystack::reports
