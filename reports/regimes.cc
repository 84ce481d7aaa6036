#include "reports/regimes.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "reports/comparisons.h"
#include "reports/summary.h"
#include "reports/tables.h"

namespace lazystack::reports {
using nlohmann::json;

namespace {

constexpr const char* kNotReached = "not reached";

// Rows: the proposed methods' default instances (named as their registry entries) first, in
// their cards' report_order; everything else after them by name.
int row_rank(const MethodView& v) {
  return v.proposed && v.name == v.method && v.report_order >= 0 ? v.report_order
                                                                 : std::numeric_limits<int>::max();
}

json with_metrics(const json& loaded) {
  for (const auto& m : loaded.at("methods"))
    if (m.contains("metrics")) return loaded;
  json summary = loaded;
  add_comparison_metrics(summary);
  return summary;
}

// The lead method's name in texts; "the lead method" when no run has one.
std::string lead_text(const RegimeStudy& study) {
  return study.lead.empty() ? std::string("the lead method") : study.lead;
}

int method_index(const RegimeStudy& study, const std::string& name) {
  const auto it = std::find(study.methods.begin(), study.methods.end(), name);
  return it == study.methods.end() ? -1 : static_cast<int>(it - study.methods.begin());
}

std::string nan_raw(double value) { return std::isfinite(value) ? format_raw(value) : "NaN"; }

// The regimes' names as tic labels: a prefix all of them share up to a '-' ("regime-") goes.
std::vector<std::string> short_names(const RegimeStudy& study) {
  std::vector<std::string> names;
  for (const Regime& r : study.regimes) names.push_back(r.name);
  if (names.size() < 2) return names;
  size_t cut = names.front().rfind('-');
  while (cut != std::string::npos && cut > 0) {
    const std::string prefix = names.front().substr(0, cut + 1);
    bool shared = true;
    for (const std::string& n : names)
      shared = shared && n.size() > prefix.size() && n.compare(0, prefix.size(), prefix) == 0;
    if (shared) {
      for (std::string& n : names) n = n.substr(prefix.size());
      return names;
    }
    cut = names.front().rfind('-', cut - 1);
  }
  return names;
}

std::string cost_text(double cost) {
  if (!std::isfinite(cost)) return kNotReached;
  return format_amount(cost);
}

}  // namespace

RegimeStudy regime_study(const std::vector<json>& summaries, double fraction) {
  RegimeStudy study;
  study.fraction = fraction;
  const std::string key = reach_key(fraction);
  std::vector<json> loaded;
  for (const json& s : summaries) loaded.push_back(with_metrics(s));
  // Rows: every non-bound method of any run.
  std::vector<std::string> names;
  std::map<std::string, bool> is_lazystack;
  std::map<std::string, int> rank;
  for (const json& s : loaded) {
    if (study.lead.empty()) study.lead = lead_method(s);
    for (const MethodView& v : method_views(s))
      if (!v.bound && std::find(names.begin(), names.end(), v.name) == names.end()) {
        names.push_back(v.name);
        is_lazystack[v.name] = v.proposed;
        rank[v.name] = row_rank(v);
      }
  }
  std::stable_sort(names.begin(), names.end(), [&](const std::string& a, const std::string& b) {
    const int ra = rank[a], rb = rank[b];
    return ra != rb ? ra < rb : a < b;
  });
  study.methods = names;
  for (const std::string& n : names) study.lazystack.push_back(is_lazystack[n]);
  if (!loaded.empty()) study.cost_unit = loaded.front().value("cost_unit", std::string());

  for (const json& s : loaded) {
    Regime r;
    r.name = s.value("experiment", std::string("?"));
    r.classes = s.value("num_classes", 0);
    const json& ref = s.at("reference");
    r.stacker_accuracy = number_or_nan(ref, "full_stacker_accuracy");
    r.best_single_accuracy =
        ref.contains("best_single") ? number_or_nan(ref.at("best_single"), "accuracy") : NAN;
    r.sub_retention = NAN;
    r.sub_headline_cost = NAN;
    r.cells.assign(study.methods.size(), RegimeCell{NAN, false, false, true});
    for (const MethodView& v : method_views(s)) {
      const int i = method_index(study, v.name);
      if (i < 0) continue;  // a bound
      RegimeCell& cell = r.cells[i];
      cell.absent = false;
      if (!v.error.empty() || !v.headline) {
        cell.failed = true;
        continue;
      }
      if (v.metrics && v.metrics->contains("cost_to_reach") &&
          v.metrics->at("cost_to_reach").contains(key))
        cell.cost = number_or_nan(v.metrics->at("cost_to_reach"), key.c_str());
      cell.reached = std::isfinite(cell.cost);
      if (v.name == study.lead) {
        r.sub_retention = number_or_nan(*v.headline, "retention");
        r.sub_headline_cost = number_or_nan(*v.headline, "mean_cost");
      }
    }
    study.regimes.push_back(std::move(r));
  }
  return study;
}

RegimeVerdict regime_verdict(const RegimeStudy& study, const Regime& regime) {
  RegimeVerdict v;
  v.cheapest_baseline_cost = NAN;
  v.cheapest_variant_cost = NAN;
  const int sub = method_index(study, study.lead);
  for (size_t i = 0; i < study.methods.size(); ++i) {
    if (static_cast<int>(i) == sub || !regime.cells[i].reached) continue;
    const bool variant = i < study.lazystack.size() && study.lazystack[i];
    std::string& name = variant ? v.cheapest_variant : v.cheapest_baseline;
    double& cost = variant ? v.cheapest_variant_cost : v.cheapest_baseline_cost;
    if (!std::isfinite(cost) || regime.cells[i].cost < cost) {
      cost = regime.cells[i].cost;
      name = study.methods[i];
    }
  }
  const bool sub_reached = sub >= 0 && regime.cells[sub].reached;
  const double sub_cost = sub_reached ? regime.cells[sub].cost : NAN;
  const std::string share = format_fixed(100.0 * study.fraction, 0) + "%";
  const std::string& base = v.cheapest_baseline;
  const double base_cost = v.cheapest_baseline_cost;
  const std::string lead = lead_text(study);
  if (sub < 0 || regime.cells[sub].absent) {
    v.text = lead + " not run";
  } else if (regime.cells[sub].failed) {
    v.text = lead + " failed";
  } else if (!sub_reached && base.empty()) {
    v.text = "no baseline and not " + lead + " reaches " + share;
  } else if (!sub_reached) {
    v.text = fmt::format("{} suffices: {} does not reach {}", base, lead, share);
  } else if (base.empty()) {
    v.text = "LazyStack pays: no baseline reaches " + share;
  } else if (sub_cost < base_cost) {
    v.text = fmt::format("LazyStack pays: {} cheaper than {}", format_speedup(base_cost / sub_cost),
                         base);
  } else if (sub_cost == base_cost) {
    v.text = fmt::format("a tie with {}", base);
  } else {
    v.text = fmt::format("{} suffices: {} cheaper than {}", base,
                         format_speedup(sub_cost / base_cost), lead);
  }
  if (!v.cheapest_variant.empty() && (!sub_reached || v.cheapest_variant_cost < sub_cost)) {
    if (sub_reached)
      v.text += fmt::format("; {} is {} cheaper than {}", v.cheapest_variant,
                            format_speedup(sub_cost / v.cheapest_variant_cost), lead);
    else
      v.text += fmt::format("; {} reaches it", v.cheapest_variant);
  }
  return v;
}

Table regimes_table(const RegimeStudy& study) {
  const std::string share = format_fixed(100.0 * study.fraction, 0) + "%";
  const std::string lead = lead_text(study);
  Table t;
  t.caption = fmt::format(
      "Regime study: where LazyStack pays. Per regime, the test cost to reach {} of the full "
      "stacker's test accuracy (read off each method's reported test front)",
      share);
  t.label = "tab:regimes";
  t.columns = {
      {"regime", "", "regime", Align::kLeft},
      {"classes", "", "classes"},
      {"best single (%)", "best single (\\%)", "best_single_accuracy"},
      {"full stacker (%)", "full stacker (\\%)", "stacker_accuracy"},
      {"gain (pts)", "", "gain_points"},
      {lead + " headline retention (%)", lead + " headline retention (\\%)",
       "sub_headline_retention"},
      {lead + " cost to " + share, lead + " cost to " + latex_escape(share), "sub_cost_to_reach"},
      {"cheapest baseline", "", "cheapest_baseline", Align::kLeft},
      {"its cost", "", "cheapest_baseline_cost"},
      {"cheapest other LazyStack", "", "cheapest_variant", Align::kLeft},
      {"its cost ", "", "cheapest_variant_cost"},
      {"answer", "", "answer", Align::kLeft},
  };
  for (const Regime& r : study.regimes) {
    const RegimeVerdict v = regime_verdict(study, r);
    const int sub = method_index(study, study.lead);
    const double sub_cost = sub >= 0 ? r.cells[sub].cost : NAN;
    TableRow row;
    row.cells = {
        {r.name, r.name},
        {std::to_string(r.classes), std::to_string(r.classes)},
        {format_percent(r.best_single_accuracy, 1), format_raw(r.best_single_accuracy)},
        {format_percent(r.stacker_accuracy, 1), format_raw(r.stacker_accuracy)},
        {format_fixed(r.gain_points(), 1), format_raw(r.gain_points())},
        {std::isfinite(r.sub_retention) ? format_percent(r.sub_retention, 1) : "-",
         format_raw(r.sub_retention)},
        {cost_text(sub_cost), format_raw(sub_cost)},
        {v.cheapest_baseline.empty() ? "-" : v.cheapest_baseline, v.cheapest_baseline},
        {v.cheapest_baseline.empty() ? "-" : cost_text(v.cheapest_baseline_cost),
         format_raw(v.cheapest_baseline_cost)},
        {v.cheapest_variant.empty() ? "-" : v.cheapest_variant, v.cheapest_variant},
        {v.cheapest_variant.empty() ? "-" : cost_text(v.cheapest_variant_cost),
         format_raw(v.cheapest_variant_cost)},
        {v.text, v.text},
    };
    t.add_row(std::move(row));
  }
  t.notes.push_back(fmt::format(
      "Costs in {} (test means). gain: full stacker minus the best single model (chosen on "
      "val), test accuracy points. Baselines: every method that is not LazyStack (bounds left "
      "out). \"{}\": the method's reported front (the knobs of its val_cal "
      "front, evaluated on test) never reaches {} of the full stacker. Every method's cost: "
      "tables/regimes_costs; figure: figures/regimes.",
      study.cost_unit.empty() ? "the runs' cost unit" : study.cost_unit, kNotReached, share));
  return t;
}

Table regime_costs_table(const RegimeStudy& study) {
  const std::string share = format_fixed(100.0 * study.fraction, 0) + "%";
  Table t;
  t.caption = "Regime study: each method's test cost to reach " + share + " of the full stacker";
  t.label = "tab:regime-costs";
  t.columns = {{"regime", "", "regime", Align::kLeft}};
  for (const std::string& m : study.methods) t.columns.push_back({m, "", m});
  for (const Regime& r : study.regimes) {
    TableRow row;
    row.cells.push_back({r.name, r.name});
    for (const RegimeCell& c : r.cells) {
      const std::string text = c.absent ? "-" : c.failed ? "failed" : cost_text(c.cost);
      row.cells.push_back({text, c.reached ? format_raw(c.cost) : text});
    }
    t.add_row(std::move(row));
  }
  t.notes.push_back(fmt::format(
      "Costs in {}; \"{}\": the method's reported test front stays "
      "below {} of the full stacker; \"-\": not run in that regime.",
      study.cost_unit.empty() ? "the runs' cost unit" : study.cost_unit, kNotReached, share));
  return t;
}

std::string regimes_csv(const RegimeStudy& study) {
  std::string out = "method,row,regime,col,cost,ratio,status\n";
  for (size_t c = 0; c < study.regimes.size(); ++c) {
    const Regime& r = study.regimes[c];
    double cheapest = NAN;
    for (const RegimeCell& cell : r.cells)
      if (cell.reached && !(cell.cost >= cheapest)) cheapest = cell.cost;
    for (size_t m = 0; m < study.methods.size(); ++m) {
      const RegimeCell& cell = r.cells[m];
      const char* status = cell.absent    ? "absent"
                           : cell.failed  ? "failed"
                           : cell.reached ? "ok"
                                          : "not_reached";
      const double ratio = cell.reached && cheapest > 0 ? cell.cost / cheapest : NAN;
      // NaN, not an empty field: gnuplot skips a row whose used column is empty, and the
      // "not reached" label must still be drawn.
      out += fmt::format("{},{},{},{},{},{},{}\n", csv_field(figure_text(study.methods[m])), m,
                         csv_field(figure_text(r.name)), c, nan_raw(cell.cost), nan_raw(ratio),
                         status);
    }
  }
  return out;
}

std::string regimes_script(const RegimeStudy& study, const std::string& csv_name,
                           const std::string& stem) {
  const std::string share = format_fixed(100.0 * study.fraction, 0) + "%";
  FigureSize size;
  const int rows = static_cast<int>(study.methods.size());
  const int cols = static_cast<int>(study.regimes.size());
  size.width_in = std::max(3.4, 2.25 + 0.5 * cols);
  size.height_in = 1.5 + 0.3 * rows;
  std::string s = script_header(
      fmt::format("Regime study: each method's test cost to reach {} of the full stacker per "
                  "regime; colour: cost over the cheapest method's in that regime.",
                  share),
      csv_name, "method,row,regime,col,cost,ratio,status", stem, "the suite's summary.json files");
  s += "ok(c) = strcol(7) eq \"ok\" ? column(c) : NaN\n";
  s += "nr(c) = strcol(7) ne \"ok\" ? column(c) : NaN\n\n";
  s += fmt::format("set lmargin at screen {:g}\n", 1.3 / size.width_in);
  s += fmt::format("set rmargin at screen {:g}\n", 1.0 - 0.95 / size.width_in);
  s += fmt::format("set bmargin at screen {:g}\n", 1.05 / size.height_in);
  s += fmt::format("set tmargin at screen {:g}\n", 1.0 - 0.32 / size.height_in);
  s += title_command(fmt::format("Cost to reach {} of the full stacker (test; cost: {})", share,
                                 study.cost_unit.empty() ? "?" : study.cost_unit),
                     size);
  s += fmt::format("set xrange [-0.5:{:g}]\nset yrange [{:g}:-0.5]\n", cols - 0.5, rows - 0.5);
  std::string xtics, ytics;
  const std::vector<std::string> tic_names = short_names(study);
  for (int c = 0; c < cols; ++c) {
    const Regime& r = study.regimes[c];
    const std::string tic = fmt::format("{}\n{:+.1f} pts", tic_names[c],
                                        std::isfinite(r.gain_points()) ? r.gain_points() : 0);
    xtics += fmt::format("{}{} {}", xtics.empty() ? "" : ", ",
                         gnuplot_quote(gnuplot_enhanced_escape(tic)), c);
  }
  for (int m = 0; m < rows; ++m)
    ytics += fmt::format("{}{} {}", ytics.empty() ? "" : ", ",
                         gnuplot_quote(gnuplot_enhanced_escape(study.methods[m])), m);
  s += "set xtics (" + xtics + ") scale 0 rotate by 35 right font \",6\"\n";
  s += "set ytics (" + ytics + ") scale 0 font \",6.5\"\n";
  s += "set border 0\nunset key\n";
  s += "set xlabel \"regime (stacker's gain over the best single model)\" offset 0,0.4\n";
  // Colour: log10 of the cost over the regime's cheapest (1x green .. 30x and beyond red).
  s += "set palette defined (0 \"#1a9850\", 0.5 \"#fee08b\", 1 \"#d73027\")\n";
  s += "set cbrange [0:1.5]\n";
  s += "set cbtics (\"1×\" 0, \"3×\" log10(3), \"10×\" 1, \"≥30×\" 1.5) font \",6\"\n";
  s += "set cblabel \"× cheapest in regime\" font \",6.5\"\n";
  if (rows == 0 || cols == 0) s += "set label \"no runs\" at graph 0.5, graph 0.5 center\n";
  const std::vector<std::string> clauses = {
      "data skip 1 using 4:(ok(2)):(0.48):(0.48):(log10($6) > 1.5 ? 1.5 : log10($6)) "
      "with boxxyerrorbars fs solid 1 noborder lc palette",
      "data skip 1 using 4:(nr(2)):(0.48):(0.48) with boxxyerrorbars fs solid 1 noborder "
      "lc rgb \"#dddddd\"",
      "data skip 1 using 4:2:(strcol(7) eq \"ok\" ? sprintf(\"%.3g\", $5) : "
      "strcol(7) eq \"not_reached\" ? \"not\\nreached\" : strcol(7) eq \"failed\" ? "
      "\"failed\" : \"-\") with labels font \",5\"",
  };
  s += plot_and_outputs(clauses, stem, size);
  return s;
}

}  // namespace lazystack::reports
