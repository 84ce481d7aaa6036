#include "reports/tables.h"

#include <fmt/core.h>

#include <cmath>
#include <limits>

#include "reports/comparisons.h"
#include "reports/summary.h"

namespace lazystack::reports {
using nlohmann::json;

namespace {

const char* const kDash = "\u2014";

// A number field of a summary object as a cell: formatted for people, full precision raw.
TableCell number_cell(const json& object, const char* key, std::string (*format)(double)) {
  const double value = number_or_nan(object, key);
  return {format(value), format_raw(value)};
}

std::string percent2(double v) { return format_percent(v, 2); }
std::string percent1(double v) { return format_percent(v, 1); }
std::string fixed2(double v) { return format_fixed(v, 2); }
std::string fixed0(double v) { return format_fixed(v, 0); }

TableCell text_cell(const std::string& text) { return {text, text}; }

}  // namespace

std::string dataset_name(const json& summary) {
  return summary.value("dataset", summary.value("experiment", std::string("?")));
}

std::string split_phrase(const json& summary) {
  std::string s = "test split";
  if (auto sp = summary.find("splits"); sp != summary.end() && sp->contains("test"))
    s += fmt::format(", {} samples", (*sp)["test"].dump());
  if (auto seed = summary.find("seed"); seed != summary.end()) s += ", seed " + seed->dump();
  return s;
}

std::string format_percent(double fraction, int decimals) {
  return format_fixed(100.0 * fraction, decimals);
}

std::string format_fixed(double value, int decimals) {
  if (!std::isfinite(value)) return kDash;
  return fmt::format("{:.{}f}", value, decimals);
}

std::string format_amount(double value) {
  if (!std::isfinite(value)) return kDash;
  const double a = std::fabs(value);
  static const std::pair<double, const char*> kSi[] = {
      {1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}};
  if (a >= 1e4)
    for (const auto& [scale, suffix] : kSi)
      if (a >= scale) return fmt::format("{:.4g}{}", value / scale, suffix);
  return fmt::format("{:.4g}", value);
}

std::string format_speedup(double factor) {
  if (!std::isfinite(factor) || factor <= 0) return kDash;
  return fmt::format("{:.2f}\u00d7", factor);
}

std::string format_raw(double value) {
  if (!std::isfinite(value)) return "";
  return fmt::format("{}", value);
}

std::optional<CascadeBaseline> cascade_baseline(const json& summary) {
  const json& methods = summary.at("methods");
  const json* chosen = nullptr;
  std::string chosen_name;
  for (auto it = methods.begin(); it != methods.end(); ++it) {  // by name
    const json& m = it.value();
    const std::string registry = m.value("method", it.key());
    if (!card_fields(m, registry).has_role(MethodRole::kCostOrderCascade)) continue;
    if (auto e = m.find("error"); e != m.end() && e->is_string()) continue;
    if (!chosen || it.key() == registry) {  // the config's default instance first
      chosen = &m;
      chosen_name = it.key();
    }
  }
  if (!chosen) return std::nullopt;
  std::vector<CostAccuracyPoint> curve;
  for (const json& p : chosen->at("curve"))
    curve.push_back({number_or_nan(p, "mean_cost"), number_or_nan(p, "accuracy")});
  return CascadeBaseline{chosen_name, pareto_front(std::move(curve))};
}

double speedup_vs_cascade(const CascadeBaseline& cascade, double accuracy, double cost) {
  if (!(cost > 0) || !std::isfinite(cost)) return std::numeric_limits<double>::quiet_NaN();
  return cost_at_accuracy(cascade.front, accuracy) / cost;
}

TableColumn cascade_column(const CascadeBaseline& cascade) {
  return {"× " + cascade.name + " (equal acc.)",
          "$\\times$ " + latex_escape(cascade.name) + " (eq.\\ acc.)",
          "speedup_vs_cascade_equal_accuracy"};
}

std::string dominating_members_note(const json& summary) {
  // Members that carry much of the full cost though another member is cheaper and at least as
  // accurate on validation: they inflate "× full".
  const json& ref = summary.at("reference");
  const double full = number_or_nan(ref, "full_ensemble_cost");
  std::vector<const json*> base;
  for (const json& z : summary.at("zoo")) {
    if (auto e = z.find("error"); e != z.end() && e->is_string()) continue;
    if (auto p = z.find("parent"); p != z.end() && p->is_string()) continue;
    base.push_back(&z);
  }
  std::string parts;
  for (const json* z : base) {
    const double cost = number_or_nan(*z, "cost"), val = number_or_nan(*z, "val_accuracy");
    const double share = cost / full;
    if (!(share >= 0.2)) continue;
    const json* by = nullptr;
    for (const json* o : base)
      if (o != z && number_or_nan(*o, "cost") <= cost && number_or_nan(*o, "val_accuracy") >= val &&
          (!by || number_or_nan(*o, "cost") < number_or_nan(*by, "cost")))
        by = o;
    if (!by) continue;
    parts += fmt::format(
        "{}{} is {:.0f}% of the full cost and dominated by {} (cheaper, at "
        "least as accurate on val)",
        parts.empty() ? "" : "; ", z->value("name", std::string("?")), 100 * share,
        by->value("name", std::string("?")));
  }
  if (parts.empty()) return "";
  std::string note = "Dominated members inflate \"× full\": " + parts + ".";
  const double front = number_or_nan(ref, "pareto_ensemble_cost");
  if (std::isfinite(front) && ref.contains("pareto_ensemble_members")) {
    std::string members;
    for (const json& n : ref.at("pareto_ensemble_members"))
      members += (members.empty() ? "" : ", ") + n.get<std::string>();
    note += fmt::format(
        " × Pareto ens. compares with the ensemble of the members on the "
        "single-model front ({}: {} per sample).",
        members, format_amount(front));
  }
  return note;
}

TableCell cascade_cell(const CascadeBaseline& cascade, const json& headline) {
  const double factor = speedup_vs_cascade(cascade, number_or_nan(headline, "accuracy"),
                                           number_or_nan(headline, "mean_cost"));
  return {format_speedup(factor), format_raw(factor)};
}

std::string cascade_note(const CascadeBaseline& cascade) {
  const double best = cascade.front.empty() ? NAN : cascade.front.back().accuracy;
  return fmt::format(
      "× cascade (equal acc.): the cost that {0} needs on test to reach the method's test "
      "accuracy, "
      "divided by the method's cost (above 1: cheaper than the cascade at the same accuracy). "
      "The cascade's cost is interpolated linearly between the two points of its test Pareto "
      "front whose accuracies bracket the method's (at or below its cheapest front point: that "
      "point's cost); {1}: above the cascade's best test accuracy ({2}%), which it never "
      "reaches.",
      cascade.name, kDash, format_percent(best, 2));
}

Table headline_table(const json& summary) {
  const CostUnit unit = describe_cost_unit(summary.at("cost_unit").get<std::string>());
  Table t;
  t.columns = {
      {"method", "", "method", Align::kLeft},
      {"acc. (%)", "acc.\\ (\\%)", "accuracy"},
      {"retention (%)", "ret.\\ (\\%)", "retention"},
      {"cost (" + unit.short_label + ")", "cost (" + latex_escape(unit.short_label) + ")",
       "mean_cost"},
      {"× best baseline", "$\\times$ best base.", "x_best_baseline"},
      {"best baseline (equal acc.)", "best baseline", "best_baseline", Align::kLeft},
      {"× single front", "$\\times$ singles", "x_single_front"},
      {"× full", "$\\times$ full", "speedup_vs_full"},
      {"× Pareto ens.", "$\\times$ Pareto ens.", "speedup_vs_pareto_ensemble"},
  };
  const std::optional<CascadeBaseline> cascade = cascade_baseline(summary);
  if (cascade) t.columns.push_back(cascade_column(*cascade));
  for (TableColumn c : std::initializer_list<TableColumn>{
           {"models", "models", "mean_models"},
           {"overhead (ns)", "ovh.\\ (ns)", "overhead_ns"},
           {"knob", "knob", "knob", Align::kLeft},
           {"", "", "registry_method", Align::kLeft, /*display=*/false},
           {"", "", "status", Align::kLeft, /*display=*/false},
           {"", "", "error", Align::kLeft, /*display=*/false}})
    t.columns.push_back(std::move(c));
  const size_t shown_columns = t.columns.size() - 3;  // the last three are CSV only
  const json& ref = summary.at("reference");
  bool any_bound = false, any_failed = false, any_missed = false, any_single_exit = false;
  for (const MethodView& m : method_views(summary)) {
    TableRow row;
    const std::string status = !m.error.empty() ? "failed" : m.bound ? "bound" : "ok";
    std::string shown_name = m.bound ? m.name + " (bound)" : m.name;
    if (m.error.empty() && m.headline) {
      if (m.headline->value("target_reached", true) == false) {
        shown_name += " \u2020";
        any_missed = true;
      }
      if (m.headline->value("single_model_exit", false) == true) {
        shown_name += " \u2021";
        any_single_exit = true;
      }
    }
    row.cells.push_back({shown_name, m.name});
    if (!m.error.empty()) {
      any_failed = true;
      while (row.cells.size() < shown_columns) row.cells.push_back({kDash, ""});
      row.note = "failed: " + m.error;
      row.note_from = 1;
    } else {
      any_bound = any_bound || m.bound;
      const json& h = *m.headline;
      row.cells.push_back(number_cell(h, "accuracy", percent2));
      row.cells.push_back(number_cell(h, "retention", percent1));
      row.cells.push_back(number_cell(h, "mean_cost", format_amount));
      const json metrics = m.metrics ? *m.metrics : json::object();
      row.cells.push_back(number_cell(metrics, "x_best_baseline", format_speedup));
      const json best = metrics.value("best_baseline", json());
      row.cells.push_back(text_cell(best.is_string() ? best.get<std::string>() : kDash));
      row.cells.push_back(number_cell(metrics, "x_single_front", format_speedup));
      row.cells.push_back(number_cell(h, "speedup_vs_full", format_speedup));
      const double front_cost = number_or_nan(ref, "pareto_ensemble_cost");
      const double cost = number_or_nan(h, "mean_cost");
      const double x_front = cost > 0 ? front_cost / cost : NAN;
      row.cells.push_back({format_speedup(x_front), format_raw(x_front)});
      if (cascade) row.cells.push_back(cascade_cell(*cascade, h));
      row.cells.push_back(number_cell(h, "mean_models", fixed2));
      row.cells.push_back(number_cell(h, "overhead_ns", fixed0));
      const std::string knob = knob_text(h);
      row.cells.push_back({knob.empty() ? kDash : knob, knob});
    }
    row.cells.push_back(text_cell(m.method));
    row.cells.push_back(text_cell(status));
    row.cells.push_back(text_cell(m.error));
    t.add_row(std::move(row));
  }

  const std::string dataset = dataset_name(summary);
  t.caption = fmt::format("Headline operating points on {} ({}).", dataset, split_phrase(summary));
  t.label = "tab:headline-" + dataset;
  std::string reference;
  const double stacker = number_or_nan(ref, "full_stacker_accuracy");
  if (std::isfinite(stacker))
    reference += fmt::format("Retention = accuracy / full stacker accuracy ({}%). ",
                             format_percent(stacker, 2));
  const double full_cost = number_or_nan(ref, "full_ensemble_cost");
  if (std::isfinite(full_cost))
    reference += fmt::format("Full ensemble: {} {} per sample. ", format_amount(full_cost),
                             unit.short_label);
  if (auto best = ref.find("best_single"); best != ref.end() && best->is_object())
    reference +=
        fmt::format("Best single model: {}, {}% at {} {}. ", best->value("name", std::string("?")),
                    format_percent(number_or_nan(*best, "accuracy"), 2),
                    format_amount(number_or_nan(*best, "cost")), unit.short_label);
  const double target = number_or_nan(ref, "target_retention");
  std::string knobs = "Knobs were fixed on validation data";
  if (std::isfinite(target))
    knobs += fmt::format(" (cheapest point keeping {}% of the full stacker's val accuracy)",
                         format_percent(target, 0));
  reference += knobs + "; cost model: " + summary.value("cost_model", std::string("?")) + ".";
  t.notes.push_back(reference);
  t.notes.push_back(
      "× best baseline: the cost the best baseline needs on test to reach the method's test "
      "accuracy, divided by the method's cost; the best baseline is the lower envelope of every "
      "other non-LazyStack, non-bound method's reported curve and of the base zoo models alone "
      "(\"single:<model>\"), interpolated linearly between its two points that bracket the "
      "accuracy (\"a+b\": a random mix of the two); " +
      std::string(kDash) + ": above every baseline. × single front: the same against the " +
      "base models on the single-model front chosen on validation (Lebovitz et al.'s " +
      "improvement factor). A method's reported curve is the knobs on its val_cal Pareto " +
      "front, evaluated on test.");
  const std::string dominating = dominating_members_note(summary);
  if (!dominating.empty()) t.notes.push_back(dominating);
  if (cascade) t.notes.push_back(cascade_note(*cascade));
  if (any_missed) t.notes.push_back(target_missed_note());
  if (any_single_exit) t.notes.push_back(single_model_exit_note());
  if (any_bound)
    t.notes.push_back(
        "(bound): uses the test labels (e.g. the oracle picks the cheapest "
        "correct model); an upper limit, not an achievable method.");
  if (any_failed) t.notes.push_back("Failed methods are listed with their error.");
  return t;
}

Table zoo_table(const json& summary) {
  const CostUnit unit = describe_cost_unit(summary.at("cost_unit").get<std::string>());
  Table t;
  t.columns = {
      {"model", "", "name", Align::kLeft},
      {"arch", "", "arch", Align::kLeft},
      {"val acc. (%)", "val acc.\\ (\\%)", "val_accuracy"},
      {"test acc. (%)", "test acc.\\ (\\%)", "test_accuracy"},
      {"latency (ms)", "", "latency_ms"},
      {"MACs", "", "macs"},
      {"params", "", "params"},
      {"cost (" + unit.short_label + ")", "cost (" + latex_escape(unit.short_label) + ")", "cost"},
      {"", "", "error", Align::kLeft, /*display=*/false},
  };
  for (const json& m : summary.at("zoo")) {
    TableRow row;
    row.cells.push_back(text_cell(m.value("name", std::string("?"))));
    row.cells.push_back(text_cell(m.value("arch", std::string(""))));
    std::string error;
    if (auto e = m.find("error"); e != m.end() && e->is_string()) error = e->get<std::string>();
    if (!error.empty()) {
      for (int c = 2; c <= 7; ++c) row.cells.push_back({kDash, ""});
      row.note = "failed: " + error;
      row.note_from = 2;
    } else {
      row.cells.push_back(number_cell(m, "val_accuracy", percent2));
      row.cells.push_back(number_cell(m, "test_accuracy", percent2));
      for (const char* key : {"latency_ms", "macs", "params", "cost"})
        row.cells.push_back(number_cell(m, key, format_amount));
    }
    row.cells.push_back(text_cell(error));
    t.add_row(std::move(row));
  }
  const std::string dataset = dataset_name(summary);
  t.caption = fmt::format("Model zoo on {}: accuracy and cost of each model alone.", dataset);
  t.label = "tab:zoo-" + dataset;
  t.notes.push_back(
      "Latency: median batch-1 forward on the machine that ran the experiment; "
      "cost: the experiment's cost (" +
      summary.at("cost_unit").get<std::string>() + ").");
  return t;
}

}  // namespace lazystack::reports
