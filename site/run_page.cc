#include "site/run_page.h"

#include <fmt/core.h>

#include <cmath>

#include "reports/ablation.h"
#include "reports/curves_table.h"
#include "reports/seeds.h"
#include "reports/summary.h"
#include "reports/tables.h"
#include "reports/text_file.h"
#include "reports/verdict.h"
#include "site/html.h"
#include "site/sections.h"

namespace lazystack::site {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The figures a run folder may hold, in page order, with what each shows.
const std::pair<const char*, const char*> kRunFigures[] = {
    {"pareto", "Accuracy vs mean cost on test: the headline methods, each zoo model alone, bounds"},
    {"pareto_more", "Accuracy vs mean cost on test: the other methods"},
    {"ablation", "LazyStack ablation: speedup vs the full ensemble, test accuracy above each bar"},
    {"exit_depth", "Where test samples exit, at each early-exit method's headline knob"},
    {"trajectory_coverage", "Share of val_fit samples covered by the kept MDP trajectories"},
    {"ocl_stream", "Online cascade learning over the stream"},
};

std::string text_of(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::string toc(bool tables) {
  std::string out = "<p class=\"sub\">";
  out += link("#figures", "Figures") + " \u00b7 ";
  if (tables) out += link("#tables", "Tables") + " \u00b7 ";
  return out + link("#files", "Files") + " \u00b7 " + link("#config", "Config") + " \u00b7 " +
         link("#provenance", "Provenance") + "</p>\n";
}

// LazyStack-SUB's headline against the best baseline, in one box.
std::string verdict_box(const json& s) {
  const reports::BaselineVerdict v = reports::baseline_verdict(s);
  using State = reports::BaselineVerdict::State;
  if (v.state == State::kNotRun)
    return "<p class=\"verdict\">This run has no <code>lazystack-sub</code> method: no verdict "
           "against the best baseline.</p>\n";
  const json& m = s.at("methods").at(reports::lead_method(s));
  if (v.state == State::kFailed)
    return "<p class=\"verdict lose\">LazyStack-SUB failed: " + escape(text_of(m, "error")) +
           "</p>\n";
  const json& h = m.at("headline");
  const std::string unit =
      reports::describe_cost_unit(s.value("cost_unit", std::string("given"))).short_label;
  const double cost = reports::number_or_nan(h, "mean_cost");
  std::string text = fmt::format("LazyStack-SUB on test: {}% at {} {}",
                                 reports::format_percent(reports::number_or_nan(h, "accuracy"), 2),
                                 reports::format_amount(cost), unit);
  std::string kind;
  if (v.state == State::kCompared) {
    text += fmt::format(". The best baseline at that accuracy, {}, pays {} {}: {} \u2192 {}.",
                        v.best_baseline, reports::format_amount(v.factor * cost), unit,
                        reports::format_speedup(v.factor), v.verdict);
    kind = v.factor > reports::kVerdictTieFactor       ? "win"
           : v.factor < 1 / reports::kVerdictTieFactor ? "lose"
                                                       : "tie";
  } else if (v.state == State::kUnmatched) {
    text += ". No baseline reaches its accuracy \u2192 " + v.verdict + ".";
    kind = "win";
  } else {
    text +=
        ". \u00d7 best baseline: \u2014 (this summary predates the comparison metrics; "
        "`lazystack report` recomputes them in tables/).";
  }
  if (h.value("target_reached", true) == false)
    text += " \u2020 The 97% target was not reached on val_cal.";
  if (h.value("single_model_exit", false) == true)
    text += " \u2021 Single-model exit: at least 95% of test samples ran one model.";
  return "<p class=\"verdict " + kind + "\">" + escape(text) + "</p>\n";
}

bool any_metrics(const json& s) {
  for (const auto& [name, m] : s.at("methods").items())
    if (m.is_object() && m.contains("metrics")) return true;
  return false;
}

std::string run_facts(const json& s, const RunFolder& run) {
  const json ref = s.value("reference", json::object());
  const json best = ref.value("best_single", json::object());
  std::string splits;
  if (auto sp = s.find("splits"); sp != s.end() && sp->is_object())
    for (const auto& [name, n] : sp->items())
      splits += (splits.empty() ? "" : ", ") + name + " " + n.dump();
  const std::string unit =
      reports::describe_cost_unit(s.value("cost_unit", std::string("given"))).short_label;
  return facts({
      {"experiment", text_of(s, "experiment")},
      {"dataset", reports::dataset_name(s) +
                      (text_of(s, "domain").empty() ? "" : " (" + text_of(s, "domain") + ")")},
      {"run", run.run_id + (run.latest ? " (latest)" : "")},
      {"seed", text_of(s, "seed")},
      {"classes", text_of(s, "num_classes")},
      {"splits", splits},
      {"cost", text_of(s, "cost_unit") + ", " + text_of(s, "cost_model") + " accounting"},
      {"full stacker",
       reports::format_percent(reports::number_or_nan(ref, "full_stacker_accuracy"), 2) +
           "% on test"},
      {"full ensemble",
       reports::format_amount(reports::number_or_nan(ref, "full_ensemble_cost")) + " " + unit},
      {"best single model",
       best.is_object() && best.contains("name")
           ? fmt::format("{}: {}% at {} {}", text_of(best, "name"),
                         reports::format_percent(reports::number_or_nan(best, "accuracy"), 2),
                         reports::format_amount(reports::number_or_nan(best, "cost")), unit)
           : ""},
      {"config", text_of(s, "config")},
  });
}

std::string provenance_section(const json& s) {
  std::vector<std::pair<std::string, std::string>> pairs;
  if (auto p = s.find("provenance"); p != s.end() && p->is_object())
    for (const auto& [k, v] : p->items())
      pairs.push_back({k, v.is_string() ? v.get<std::string>() : v.dump()});
  if (pairs.empty()) return "<p class=\"missing\">no provenance in summary.json</p>\n";
  return facts(pairs);
}

std::string figures_section(const fs::path& dir, bool multi_seed) {
  std::string out = "<h2 id=\"figures\">Figures</h2>\n<div class=\"figures\">\n";
  std::string blocks;
  if (multi_seed)
    blocks += figure_block(dir, "pareto_seeds",
                           "Accuracy vs mean cost on test, averaged over seeds by knob, with the "
                           "95% interval of accuracy as a band",
                           /*main=*/true);
  else
    for (const auto& [stem, caption] : kRunFigures)
      blocks += figure_block(dir, stem, caption, std::string(stem) == "pareto");
  if (blocks.empty())
    blocks =
        "<p class=\"missing\">no figures: `lazystack report` on this folder renders them</p>\n";
  return out + blocks + "</div>\n";
}

std::string files_section(const fs::path& dir, bool run_files) {
  std::string out = "<h2 id=\"files\">Files</h2>\n";
  if (run_files)
    out += file_links(
        dir, "results:", {"summary.json", "points.csv", "results.h5", "config.resolved.yaml"});
  return out;
}

}  // namespace

std::string run_page_html(const RunFolder& run, const std::string& seed, const RunInfo& info) {
  const fs::path dir = seed.empty() ? run.dir : run.dir / seed;
  const std::string title =
      run.experiment + " \u00b7 " + run.run_id + (seed.empty() ? "" : " \u00b7 " + seed);
  std::string body = breadcrumbs(run_crumbs(run, seed));
  body += "<h1>" + escape(run.experiment) + " " + status_badge(info.status) + "</h1>\n";
  json s;
  try {
    s = reports::load_summary(dir.string());
  } catch (const std::exception& e) {
    body += problems_block(info);
    body += "<p class=\"problems\">" + escape(e.what()) + "</p>\n";
    body += files_section(dir, true);
    body += "<h2 id=\"config\">Resolved config</h2>\n" + file_pre(dir / "config.resolved.yaml");
    return page(title, up(run.segments.size() + (seed.empty() ? 0 : 1)), body);
  }
  try {
    body += fmt::format("<p class=\"sub\">{} \u00b7 run {}{} \u00b7 {}</p>\n",
                        escape(reports::dataset_name(s)), escape(run.run_id),
                        seed.empty() ? "" : " \u00b7 " + escape(seed),
                        escape(run_time_text(run.run_id)));
    body += toc(true);
    body += problems_block(info);
    body += verdict_box(s);
    body += run_facts(s, run);
    body += figures_section(dir, false);
    body += "<h2 id=\"tables\">Tables</h2>\n<p class=\"sub\">Click a column header to sort.</p>\n";
    body += table_section(dir, "headline", "Headline: one operating point per method", "headline",
                          [&] { return reports::headline_table(s); });
    if (any_metrics(s))
      body += table_section(dir, "curves", "Curve metrics", "curves",
                            [&] { return reports::curves_table(s); });
    else
      body +=
          "<h3 id=\"curves\">Curve metrics</h3><p class=\"missing\">\u2014 this summary "
          "predates the curve metrics</p>\n";
    if (reports::has_lazystack_methods(s))
      body += table_section(dir, "ablation", "LazyStack ablation", "ablation",
                            [&] { return reports::ablation_table(s); });
    body += table_section(dir, "zoo", "Zoo", "zoo", [&] { return reports::zoo_table(s); });
    body += files_section(dir, true);
    body += "<h2 id=\"config\">Resolved config</h2>\n" + file_pre(dir / "config.resolved.yaml");
    body += "<h2 id=\"provenance\">Provenance</h2>\n" + provenance_section(s);
  } catch (const std::exception& e) {  // a field of an unexpected type in a foreign summary
    body += "<p class=\"problems\">this page stops here: summary.json has an unexpected field: " +
            escape(e.what()) + "</p>\n";
  }
  return page(title, up(run.segments.size() + (seed.empty() ? 0 : 1)), body);
}

std::string multi_seed_page_html(const RunFolder& run, const RunInfo& info) {
  const std::string title = run.experiment + " \u00b7 " + run.run_id;
  std::string body = breadcrumbs(run_crumbs(run, ""));
  body += "<h1>" + escape(run.experiment) + " " + status_badge(info.status) + "</h1>\n";
  body += fmt::format("<p class=\"sub\">{} \u00b7 run {} \u00b7 {} \u00b7 {} of {} seeds</p>\n",
                      escape(info.dataset.empty() ? "?" : info.dataset), escape(run.run_id),
                      escape(run_time_text(run.run_id)), info.seeds.size(),
                      std::max(run.expected_seeds.size(), run.seeds.size()));
  body += toc(true);
  body += problems_block(info);
  std::string verdict = "LazyStack-SUB vs the best baseline: ";
  if (info.compared > 0)
    verdict += fmt::format("{} geometric mean over {} seed(s) ({}) \u2192 {}",
                           reports::format_speedup(info.factor), info.compared, info.best_baseline,
                           info.verdict);
  else
    verdict += info.verdict.empty() ? "\u2014" : info.verdict;
  if (info.unmatched > 0)
    verdict += fmt::format("; in {} seed(s) no baseline reaches its accuracy", info.unmatched);
  body += "<p class=\"verdict\">" + escape(verdict) + ".</p>\n";

  // One row per seed folder, with its page.
  body += "<h2 id=\"seeds\">Seeds</h2>\n<ul>";
  std::vector<json> summaries;
  for (const SeedFolder& sf : run.seeds) {
    body += "<li>";
    if (!sf.has_summary) {
      body += escape(sf.name) + " <span class=\"badge bad\">no summary.json</span></li>";
      continue;
    }
    body += link(relative_url({sf.name, "index.html"}), sf.name);
    try {
      summaries.push_back(reports::load_summary((run.dir / sf.name).string()));
      const reports::BaselineVerdict v = reports::baseline_verdict(summaries.back());
      body += ": " + escape(v.state == reports::BaselineVerdict::State::kCompared
                                ? reports::format_speedup(v.factor) + " vs " + v.best_baseline +
                                      " \u2192 " + v.verdict
                            : v.verdict.empty() ? std::string("\u2014")
                                                : v.verdict);
    } catch (const std::exception& e) {
      body += ": <span class=\"badge bad\">unreadable</span> " + escape(e.what());
    }
    body += "</li>";
  }
  body += "</ul>\n";
  body += figures_section(run.dir, true);
  body += "<h2 id=\"tables\">Tables</h2>\n<p class=\"sub\">Click a column header to sort.</p>\n";
  if (!summaries.empty())
    body +=
        table_section(run.dir, "headline-seeds", "Headline over seeds (mean \u00b1 95% interval)",
                      "headline_seeds", [&] { return reports::seeds_headline_table(summaries); });
  body += "<h2 id=\"files\">Files</h2>\n";
  body +=
      "<p class=\"sub\">Each seed's summary.json, points.csv, results.h5 and figures are on its "
      "page.</p>\n";
  const std::string first = run.seeds.empty() ? "" : run.seeds.front().name;
  body += "<h2 id=\"config\">Resolved config" + (first.empty() ? "" : " (" + escape(first) + ")") +
          "</h2>\n" +
          file_pre((first.empty() ? run.dir : run.dir / first) / "config.resolved.yaml");
  body += "<h2 id=\"provenance\">Provenance</h2>\n" +
          (summaries.empty() ? std::string("<p class=\"missing\">no readable summary</p>\n")
                             : provenance_section(summaries.front()));
  return page(title, up(run.segments.size()), body);
}

int write_run_pages(const RunFolder& run, const RunInfo& info) {
  int pages = 1;
  if (run.has_summary) {
    reports::write_text_file((run.dir / "index.html").string(), run_page_html(run, "", info));
    return pages;
  }
  reports::write_text_file((run.dir / "index.html").string(), multi_seed_page_html(run, info));
  for (const SeedFolder& sf : run.seeds) {
    if (!sf.has_summary) continue;
    // The seed's own problems and status, not the whole run's.
    RunFolder one = run;
    one.dir = run.dir / sf.name;
    one.has_summary = true;
    one.seeds.clear();
    one.expected_seeds = {sf.seed};
    reports::write_text_file((one.dir / "index.html").string(),
                             run_page_html(run, sf.name, run_info(one)));
    ++pages;
  }
  return pages;
}

}  // namespace lazystack::site
