#include "reports/readme_docs.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/atomic_file.h"
#include "core/json_numbers.h"
#include "reports/comparisons.h"
#include "reports/cross_dataset.h"
#include "reports/headline_set.h"
#include "reports/mdp_promise.h"
#include "reports/regimes.h"
#include "reports/summary.h"
#include "reports/table.h"
#include "reports/tables.h"
#include "reports/verdict.h"

namespace lazystack::reports {
using nlohmann::json;

namespace {

const char* const kDash = "\u2014";
// Experiments of the regime study (experiments/regimes/*.yaml) are named regime-<...>.
const char* const kRegimePrefix = "regime-";

const CitedRun& find_run(const std::vector<CitedRun>& runs, const std::string& experiment) {
  for (const CitedRun& r : runs)
    if (r.experiment == experiment) return r;
  throw std::runtime_error("README block names experiment '" + experiment +
                           "', which docs/runs.json does not cite");
}

std::string run_id(const CitedRun& r) {
  const size_t slash = r.run_path.find_last_of('/');
  return slash == std::string::npos ? r.run_path : r.run_path.substr(slash + 1);
}

// "91.70% at 0.150 ms", with the headline's flags.
std::string point_text(const json& h, const std::string& unit) {
  std::string s = fmt::format("{}% at {} {}", format_percent(number_or_nan(h, "accuracy"), 2),
                              format_amount(number_or_nan(h, "mean_cost")), unit);
  if (h.value("target_reached", true) == false) s += " \u2020";
  if (h.value("single_model_exit", false) == true) s += " \u2021";
  return s;
}

std::string verdict_block(const std::vector<CitedRun>& runs) {
  Table t;
  t.columns = {
      {"dataset", "", "", Align::kLeft}, {"LazyStack-SUB (test)", "", "", Align::kLeft},
      {"× best baseline", "", ""},       {"best baseline at that accuracy", "", "", Align::kLeft},
      {"verdict", "", "", Align::kLeft}, {"run", "", "", Align::kLeft}};
  bool any_missed = false, any_single = false;
  for (const CitedRun& r : runs) {
    const json& s = r.summary;
    const std::string unit = describe_cost_unit(s.at("cost_unit").get<std::string>()).short_label;
    TableRow row;
    row.cells.push_back({dataset_name(s), ""});
    const BaselineVerdict v = baseline_verdict(s);
    if (v.state == BaselineVerdict::State::kNotRun || v.state == BaselineVerdict::State::kFailed ||
        v.state == BaselineVerdict::State::kNoMetrics) {
      const std::string why = v.state == BaselineVerdict::State::kNotRun ? "not run"
                              : v.state == BaselineVerdict::State::kFailed
                                  ? "failed"
                                  : "no metrics (older summary)";
      for (int c = 0; c < 4; ++c) row.cells.push_back({c == 3 ? why : kDash, ""});
    } else {
      const json& h = s.at("methods").at(lead_method(s)).at("headline");
      any_missed = any_missed || h.value("target_reached", true) == false;
      any_single = any_single || h.value("single_model_exit", false) == true;
      row.cells.push_back({point_text(h, unit), ""});
      if (v.state == BaselineVerdict::State::kUnmatched) {
        row.cells.push_back({kDash, ""});
        row.cells.push_back({"none reaches its accuracy", ""});
      } else {
        const double cost = number_or_nan(h, "mean_cost");
        row.cells.push_back({format_speedup(v.factor), ""});
        row.cells.push_back(
            {fmt::format("{}: {} {}", v.best_baseline, format_amount(v.factor * cost), unit), ""});
      }
      row.cells.push_back({v.verdict, ""});
    }
    row.cells.push_back({r.experiment + "/" + run_id(r), ""});
    t.add_row(std::move(row));
  }
  t.notes.push_back(
      "LazyStack-SUB's headline point (knob fixed on validation at the cheapest point keeping "
      "97% of the full stacker's val accuracy), on test. × best baseline: what the cheapest "
      "alternative in the run pays on test to reach the same accuracy (the lower envelope of "
      "every other non-LazyStack, non-bound method's reported curve and of every base model "
      "alone, interpolated linearly; \"a+b\" is a random mix of two), divided by LazyStack's "
      "cost. Above 1: LazyStack is cheaper at equal accuracy.");
  if (any_missed) t.notes.push_back("\u2020 the 97% target was not reached on val_cal.");
  if (any_single)
    t.notes.push_back(
        "\u2021 single-model exit: at least 95% of test samples ran exactly one model, so the "
        "headline is in effect one zoo model.");
  return to_markdown(t);
}

std::string headline_block(const CitedRun& r) {
  const json& s = r.summary;
  const std::string unit = describe_cost_unit(s.at("cost_unit").get<std::string>()).short_label;
  const std::vector<std::string> shown = headline_methods(s);
  Table t;
  t.columns = {{"method", "", "", Align::kLeft},
               {"acc. (%)", "", ""},
               {"cost (" + unit + ")", "", ""},
               {"× best baseline", "", ""},
               {"best baseline", "", "", Align::kLeft},
               {"× single front", "", ""},
               {"× full", "", ""},
               {"models", "", ""}};
  bool any_missed = false, any_single = false;
  for (const MethodView& m : method_views(s)) {
    if (std::find(shown.begin(), shown.end(), m.name) == shown.end()) continue;
    TableRow row;
    std::string name = m.bound ? m.name + " (bound)" : m.name;
    if (!m.error.empty()) {
      row.cells.push_back({name, ""});
      for (int c = 1; c < 8; ++c) row.cells.push_back({c == 7 ? "failed" : kDash, ""});
      t.add_row(std::move(row));
      continue;
    }
    const json& h = *m.headline;
    if (h.value("target_reached", true) == false) {
      name += " \u2020";
      any_missed = true;
    }
    if (h.value("single_model_exit", false) == true) {
      name += " \u2021";
      any_single = true;
    }
    const json x = m.metrics ? *m.metrics : json::object();
    auto factor = [&](const char* key) {
      const json v = x.value(key, json());
      return v.is_number() ? format_speedup(v.get<double>()) : std::string(kDash);
    };
    const json best = x.value("best_baseline", json());
    row.cells = {{name, ""},
                 {format_percent(number_or_nan(h, "accuracy"), 2), ""},
                 {format_amount(number_or_nan(h, "mean_cost")), ""},
                 {m.bound ? std::string(kDash) : factor("x_best_baseline"), ""},
                 {m.bound || !best.is_string() ? std::string(kDash) : best.get<std::string>(), ""},
                 {factor("x_single_front"), ""},
                 {format_speedup(number_or_nan(h, "speedup_vs_full")), ""},
                 {format_fixed(number_or_nan(h, "mean_models"), 2), ""}};
    t.add_row(std::move(row));
  }
  t.caption =
      fmt::format("{}: run {}/{}, {}.", dataset_name(s), r.experiment, run_id(r), split_phrase(s));
  const json& ref = s.at("reference");
  std::string note = fmt::format("Full stacker {}%; full ensemble {} {}",
                                 format_percent(number_or_nan(ref, "full_stacker_accuracy"), 2),
                                 format_amount(number_or_nan(ref, "full_ensemble_cost")), unit);
  const double front = number_or_nan(ref, "pareto_ensemble_cost");
  if (std::isfinite(front))
    note +=
        fmt::format(", ensemble of the Pareto-optimal members {} {}", format_amount(front), unit);
  note += ". " + dominating_members_note(s);
  t.notes.push_back(note);
  if (any_missed) t.notes.push_back("\u2020 target not reached on val_cal.");
  if (any_single) t.notes.push_back("\u2021 single-model exit (>= 95% of samples ran one model).");
  return to_markdown(t);
}

bool is_regime(const std::string& experiment) { return experiment.rfind(kRegimePrefix, 0) == 0; }

// The cited runs that are not part of the regime study (which has a block of its own).
std::vector<CitedRun> dataset_runs(const std::vector<CitedRun>& runs) {
  std::vector<CitedRun> out;
  for (const CitedRun& r : runs)
    if (!is_regime(r.experiment)) out.push_back(r);
  return out;
}

}  // namespace

std::string render_docs_block(const std::string& name, const std::vector<CitedRun>& runs) {
  if (name == "verdict") return verdict_block(dataset_runs(runs));
  if (name == "summary") {
    // One seed per cited run (`make paper` writes the same table over its seeds).
    std::vector<std::vector<json>> seeds;
    for (const CitedRun& r : dataset_runs(runs)) seeds.push_back({r.summary});
    return to_markdown(cross_dataset_table(seeds));
  }
  if (name == "promise") {
    std::vector<std::pair<std::string, json>> rows;
    for (const CitedRun& r : runs) rows.emplace_back(r.experiment, r.summary);
    return to_markdown(mdp_promise_table(rows));
  }
  if (name == "regimes") {
    // The cited runs of the regime study, in the order docs/runs.json lists them.
    std::vector<json> summaries;
    for (const CitedRun& r : runs)
      if (is_regime(r.experiment)) summaries.push_back(r.summary);
    if (summaries.empty())
      throw std::runtime_error(std::string("README block docs:regimes: docs/runs.json cites no ") +
                               kRegimePrefix + "* run");
    return to_markdown(regimes_table(regime_study(summaries)));
  }
  const std::string prefix = "headline:";
  if (name.rfind(prefix, 0) == 0) return headline_block(find_run(runs, name.substr(prefix.size())));
  throw std::runtime_error("unknown README block 'docs:" + name +
                           "' (known: verdict, summary, promise, regimes, headline:<experiment>)");
}

std::string update_readme(const std::string& readme, const std::vector<CitedRun>& runs) {
  std::istringstream in(readme);
  std::string line, out, open;
  int line_no = 0, open_line = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const bool is_open = line.rfind("<!-- docs:", 0) == 0;
    const bool is_close = line.rfind("<!-- /docs:", 0) == 0;
    if (is_open || is_close) {
      const size_t start = line.find(':') + 1, end = line.find(" -->");
      if (end == std::string::npos)
        throw std::runtime_error(fmt::format("README.md:{}: malformed docs marker", line_no));
      const std::string name = line.substr(start, end - start);
      if (is_open) {
        if (!open.empty())
          throw std::runtime_error(fmt::format("README.md:{}: block docs:{} opened inside docs:{}",
                                               line_no, name, open));
        open = name;
        open_line = line_no;
        out += line + "\n" + render_docs_block(name, runs);
      } else {
        if (name != open)
          throw std::runtime_error(
              fmt::format("README.md:{}: /docs:{} closes no open block", line_no, name));
        open.clear();
        out += line + "\n";
      }
      continue;
    }
    if (open.empty()) out += line + "\n";
  }
  if (!open.empty())
    throw std::runtime_error(
        fmt::format("README.md:{}: block docs:{} is never closed", open_line, open));
  return out;
}

json docs_summary(const json& summary, const std::string& run_path) {
  json s = summary;
  for (auto& [name, m] : s.at("methods").items()) {
    if (m.contains("curve")) m["curve"] = json::array();  // kept (empty): the schema needs it
    m.erase("val_curve");
    // Diagnostics are large (per knob, per beta); the promise block needs only `selected`.
    if (m.contains("diagnostics") && m["diagnostics"].is_object() &&
        m["diagnostics"].contains("selected"))
      m["diagnostics"] = {{"selected", m["diagnostics"]["selected"]}};
    else
      m.erase("diagnostics");
  }
  s["docs_subset_of"] = run_path;
  return s;
}

namespace {
namespace fs = std::filesystem;

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::vector<CitedRun> load_cited_runs(const std::string& root) {
  const fs::path index = fs::path(root) / "docs/runs.json";
  json runs;
  try {
    runs = json::parse(read_all(index));
  } catch (const json::exception& e) {
    throw std::runtime_error(index.string() + ": " + e.what());
  }
  std::vector<CitedRun> out;
  for (const json& r : runs.at("runs")) {
    const fs::path copy = fs::path(root) / r.at("summary").get<std::string>();
    json summary;
    try {
      summary = json::parse(read_all(copy));
      decode_nonfinite(summary);
    } catch (const json::exception& e) {
      throw std::runtime_error(copy.string() + ": " + e.what());
    }
    check_summary(summary, copy.string());
    out.push_back({r.at("experiment"), r.at("run"), std::move(summary)});
  }
  return out;
}

std::vector<CitedRun> cite_runs(const std::string& root, const std::vector<std::string>& run_dirs) {
  std::vector<CitedRun> runs;
  if (fs::exists(fs::path(root) / "docs/runs.json")) runs = load_cited_runs(root);
  for (const std::string& dir : run_dirs) {
    const fs::path run = fs::canonical(dir);  // `latest` -> the run id it points at
    const json summary = load_summary(run.string());
    const std::string experiment = summary.at("experiment");
    const std::string run_path =
        (fs::path(dir).parent_path().lexically_normal() / run.filename()).generic_string();
    const json subset = docs_summary(summary, run_path);
    const fs::path copy = fs::path("docs/runs") / experiment / (run.filename().string() + ".json");
    fs::create_directories((fs::path(root) / copy).parent_path());
    write_text_atomically((fs::path(root) / copy).string(), dump_with_nonfinite(subset, 1) + "\n");
    // Regime runs have the regimes block, not a figure of their own in the README.
    if (!is_regime(experiment) && fs::exists(run / "figures/pareto.png"))
      write_file_atomically(
          (fs::path(root) / "docs" / ("pareto_" + experiment + ".png")).string(),
          [&](const std::string& tmp) { fs::copy_file(run / "figures/pareto.png", tmp); });
    CitedRun cited{experiment, run_path, subset};
    const auto same = std::find_if(runs.begin(), runs.end(),
                                   [&](const CitedRun& r) { return r.experiment == experiment; });
    if (same != runs.end())
      *same = std::move(cited);
    else
      runs.push_back(std::move(cited));
  }
  json index = {{"runs", json::array()}};
  for (const CitedRun& r : runs)
    index["runs"].push_back({{"experiment", r.experiment},
                             {"run", r.run_path},
                             {"summary", (fs::path("docs/runs") / r.experiment /
                                          (fs::path(r.run_path).filename().string() + ".json"))
                                             .generic_string()}});
  write_text_atomically((fs::path(root) / "docs/runs.json").string(), index.dump(2) + "\n");
  return runs;
}

}  // namespace lazystack::reports
