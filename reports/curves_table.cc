#include "reports/curves_table.h"

#include <fmt/core.h>

#include <cmath>

#include "reports/comparisons.h"
#include "reports/summary.h"
#include "reports/tables.h"

namespace lazystack::reports {
using nlohmann::json;

namespace {

TableCell metric_cell(const json& metrics, const std::string& key, std::string (*format)(double),
                      const char* missing = "\u2014") {
  const json v = metrics.value(key, json());
  if (!v.is_number()) return {missing, ""};
  return {format(v.get<double>()), format_raw(v.get<double>())};
}

std::string fixed3(double v) { return format_fixed(v, 3); }
std::string percent1(double v) { return format_percent(v, 1); }

}  // namespace

Table curves_table(const json& summary) {
  const CostUnit unit = describe_cost_unit(summary.at("cost_unit").get<std::string>());
  const json& ref = summary.at("reference");
  Table t;
  t.columns = {{"method", "", "method", Align::kLeft}};
  for (double f : kReachFractions) {
    const std::string pct = fmt::format("{:g}%", 100 * f);
    t.columns.push_back({"cost to " + pct + " (" + unit.short_label + ")",
                         "cost to " + fmt::format("{:g}\\%", 100 * f),
                         "cost_to_reach_" + reach_key(f)});
  }
  t.columns.push_back({"AUC (log cost)", "AUC", "auc_log_cost"});
  t.columns.push_back({"APGR", "APGR", "apgr"});
  t.columns.push_back({"CPT(50%) (%)", "CPT(50\\%)", "cpt50"});
  t.columns.push_back({"CPT(80%) (%)", "CPT(80\\%)", "cpt80"});
  for (const MethodView& m : method_views(summary)) {
    if (!m.error.empty() || !m.metrics) continue;
    const json& x = *m.metrics;
    TableRow row;
    row.cells.push_back({m.bound ? m.name + " (bound)" : m.name, m.name});
    const json reach = x.value("cost_to_reach", json::object());
    for (double f : kReachFractions)
      row.cells.push_back(metric_cell(reach, reach_key(f), format_amount, "not reached"));
    row.cells.push_back(metric_cell(x, "auc_log_cost", fixed3));
    row.cells.push_back(metric_cell(x, "apgr", fixed3));
    row.cells.push_back(metric_cell(x, "cpt50", percent1, "never"));
    row.cells.push_back(metric_cell(x, "cpt80", percent1, "never"));
    t.add_row(std::move(row));
  }
  const std::string dataset = dataset_name(summary);
  t.caption = fmt::format("Curve metrics on {} ({}).", dataset, split_phrase(summary));
  t.label = "tab:curves-" + dataset;
  std::string notes = fmt::format(
      "Each method's reported curve: the knobs on its val_cal Pareto front, evaluated on test. "
      "Cost to X%: the curve's cost (interpolated linearly between its two points that bracket "
      "the accuracy) to reach X% of the full stacker's test accuracy ({}%).",
      format_percent(number_or_nan(ref, "full_stacker_accuracy"), 2));
  if (auto r = ref.find("auc_cost_range"); r != ref.end() && r->is_array() && r->size() == 2)
    notes += fmt::format(
        " AUC: mean accuracy of the curve's step function over log10 cost from {} to {} {} (the "
        "cheapest base model to the full ensemble; 0 before the curve's first point).",
        format_amount((*r)[0].get<double>()), format_amount((*r)[1].get<double>()),
        unit.short_label);
  if (auto r = ref.find("routing"); r != ref.end() && r->is_object())
    notes += fmt::format(
        " APGR, CPT (RouteLLM) between the weak model {} (the cheapest) and the strong model {} "
        "(the most accurate on val): x = cost above the weak model's as a share of the strong "
        "model's extra cost; APGR = mean over x in [0, 1] of the performance gap recovered, "
        "CPT(p) = the x at which the gap recovered first reaches p.",
        r->value("weak", std::string("?")), r->value("strong", std::string("?")));
  t.notes.push_back(notes);
  return t;
}

}  // namespace lazystack::reports
