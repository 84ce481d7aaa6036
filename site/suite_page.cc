#include "site/suite_page.h"

#include <fmt/core.h>

#include <fstream>

#include "reports/cross_dataset.h"
#include "reports/summary.h"
#include "reports/tables.h"
#include "site/html.h"
#include "site/sections.h"

namespace lazystack::site {
namespace fs = std::filesystem;
using nlohmann::json;

std::vector<size_t> suite_runs(const SuiteFolder& suite, const ResultsTree& tree, bool* finished) {
  auto find = [&](const std::string& experiment, const std::string& run_id) -> long {
    long newest = -1;
    for (size_t i = 0; i < tree.runs.size(); ++i) {
      const RunFolder& r = tree.runs[i];
      if (r.suite != suite.name || r.experiment != experiment) continue;
      if (!run_id.empty() && r.run_id == run_id) return static_cast<long>(i);
      if (run_id.empty() && (newest < 0 || r.latest)) newest = static_cast<long>(i);
    }
    return run_id.empty() ? newest : -1;
  };
  std::vector<size_t> out;
  *finished = false;
  std::ifstream in(suite.dir / "runs.json");
  if (in) {
    try {
      const json runs = json::parse(in);
      for (const auto& [experiment, dir] : runs.items()) {
        if (!dir.is_string()) continue;
        const long i = find(experiment, fs::path(dir.get<std::string>()).filename().string());
        if (i >= 0) out.push_back(static_cast<size_t>(i));
      }
      *finished = !out.empty();
    } catch (const json::exception&) {
      out.clear();  // unreadable: fall back to the newest runs
    }
  }
  if (!*finished)
    for (const std::string& experiment : suite.experiments)
      if (const long i = find(experiment, ""); i >= 0) out.push_back(static_cast<size_t>(i));
  return out;
}

namespace {

// The summaries of a run: one, or one per seed with a summary. Throws when one is unreadable.
std::vector<json> summaries_of(const RunFolder& run) {
  std::vector<json> out;
  if (run.has_summary)
    out.push_back(reports::load_summary(run.dir.string()));
  else
    for (const SeedFolder& s : run.seeds)
      if (s.has_summary) out.push_back(reports::load_summary((run.dir / s.name).string()));
  if (out.empty()) throw std::runtime_error("no summary.json");
  return out;
}

}  // namespace

std::string suite_page_html(const SuiteFolder& suite, const ResultsTree& tree,
                            const std::vector<RunInfo>& infos) {
  bool finished = false;
  const std::vector<size_t> picked = suite_runs(suite, tree, &finished);
  std::string body = breadcrumbs({{"results", "../index.html"}, {"suite " + suite.name, ""}});
  body += "<h1>suite " + escape(suite.name) + "</h1>\n";
  body += fmt::format("<p class=\"sub\">{} experiments \u00b7 {}</p>\n", picked.size(),
                      finished ? "the runs its runs.json names"
                               : "unfinished (no runs.json yet): the newest run of each "
                                 "experiment");
  // The cross-dataset table, from every run whose summaries read.
  std::vector<std::vector<json>> summaries;
  std::vector<std::string> left_out;
  for (size_t i : picked) {
    try {
      summaries.push_back(summaries_of(tree.runs[i]));
    } catch (const std::exception& e) {
      left_out.push_back(tree.runs[i].key() + ": " + e.what());
    }
  }
  body += "<h2 id=\"summary\">Across datasets</h2>\n";
  body += table_section(suite.dir, "cross-dataset", "LazyStack across datasets", "summary",
                        [&] { return reports::cross_dataset_table(summaries); });
  if (!left_out.empty()) {
    body += "<section class=\"problems\"><h2>Left out of the table</h2><ul>";
    for (const auto& l : left_out) body += "<li>" + escape(l) + "</li>";
    body += "</ul></section>\n";
  }
  // Each dataset's Pareto figure.
  body += "<h2 id=\"datasets\">Datasets</h2>\n<div class=\"figures\">\n";
  for (size_t i : picked) {
    const RunFolder& run = tree.runs[i];
    const RunInfo& info = infos[i];
    const std::vector<std::string> prefix = {run.experiment, run.run_id};
    std::vector<std::string> page = prefix;
    page.push_back("index.html");
    std::string block =
        "<div><h3 id=\"" + escape("ds-" + run.experiment) + "\">" +
        link(relative_url(page), run.experiment) + " " + status_badge(info.status) +
        "</h3>\n<p class=\"sub\">" +
        escape(fmt::format("{} \u00b7 run {} \u00b7 LazyStack-SUB {}{}",
                           info.dataset.empty() ? "?" : info.dataset, run.run_id,
                           info.compared > 0
                               ? reports::format_speedup(info.factor) + " vs the best baseline: "
                               : "",
                           info.verdict.empty() ? "\u2014" : info.verdict)) +
        "</p>\n";
    const std::string figure =
        run.multi_seed()
            ? figure_block(run.dir, "pareto_seeds", "Accuracy vs mean cost, averaged over seeds",
                           /*main=*/false, prefix)
            : figure_block(run.dir, "pareto", "Accuracy vs mean cost on test", /*main=*/false,
                           prefix);
    block += figure.empty() ? "<p class=\"missing\">no figure rendered</p>\n" : figure;
    body += block + "</div>\n";
  }
  body += "</div>\n";
  return page("suite " + suite.name, "../", body);
}

}  // namespace lazystack::site
