#include "site/index_page.h"

#include <fmt/core.h>

#include <map>

#include "reports/tables.h"
#include "site/html.h"
#include "site/sections.h"

namespace lazystack::site {
namespace fs = std::filesystem;

namespace {

std::string plural(int n, const char* one, const char* many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

std::string seeds_text(const RunInfo& info) {
  std::string out;
  for (long s : info.seeds) out += (out.empty() ? "" : ", ") + std::to_string(s);
  return out;
}

// The run's Pareto figure as a thumbnail linking to its page; "" when it has none.
std::string thumbnail(const RunFolder& run, const std::string& page_url) {
  std::vector<std::pair<fs::path, std::vector<std::string>>> candidates;
  const auto add = [&](const std::vector<std::string>& rel) {
    fs::path p = run.dir;
    for (const auto& r : rel) p /= r;
    candidates.push_back({p, rel});
  };
  if (run.multi_seed()) add({"figures", "pareto_seeds.svg"}), add({"figures", "pareto_seeds.png"});
  add({"figures", "pareto.svg"});
  add({"figures", "pareto.png"});
  for (const auto& [path, rel] : candidates) {
    if (!fs::exists(path)) continue;
    std::vector<std::string> segments = run.segments;
    segments.insert(segments.end(), rel.begin(), rel.end());
    return fmt::format(
        "<a href=\"{}\"><img class=\"thumb\" src=\"{}\" loading=\"lazy\" alt=\"Pareto figure of "
        "{}\"></a>",
        escape(page_url), escape(relative_url(segments)), escape(run.key()));
  }
  return "\u2014";
}

std::string run_row(const RunFolder& run, const RunInfo& info) {
  std::vector<std::string> page = run.segments;
  page.push_back("index.html");
  const std::string url = relative_url(page);
  std::string id_digits;
  for (char c : run.run_id.substr(0, 16))
    if (c >= '0' && c <= '9') id_digits += c;
  std::string row = "<tr>";
  row += fmt::format(
      "<td class=\"l\" data-v=\"{}\">{}</td>", escape(id_digits),
      escape(run_time_text(run.run_id).empty() ? info.created : run_time_text(run.run_id)));
  row += "<td class=\"l\">" + link(url, run.experiment_key()) +
         (run.latest ? " <span class=\"badge ok\">latest</span>" : "") + "<br><small>" +
         escape(run.run_id) + "</small></td>";
  row += "<td class=\"l\">" + escape(info.dataset.empty() ? "\u2014" : info.dataset) + "</td>";
  row += "<td class=\"l\">" + escape(seeds_text(info)) + "</td>";
  row += "<td class=\"l\"><code>" + escape(info.revision) + "</code></td>";
  row += "<td class=\"r\">" + escape(info.headline.empty() ? "\u2014" : info.headline) + "</td>";
  if (info.compared > 0)
    row += fmt::format("<td class=\"r\" data-v=\"{}\">{}<br><small>{}</small></td>", info.factor,
                       escape(reports::format_speedup(info.factor)), escape(info.best_baseline));
  else
    row += "<td class=\"r\">\u2014</td>";
  row += "<td class=\"l\">" + escape(info.verdict.empty() ? "\u2014" : info.verdict) + "</td>";
  std::string all;
  for (const auto& p : info.problems) all += p + "\n";
  row += "<td class=\"l\" title=\"" + escape(all) + "\">" + status_badge(info.status) + " " +
         escape(info.status == RunInfo::Status::kOk ? "" : status_text(info)) + "</td>";
  row += "<td>" + thumbnail(run, url) + "</td>";
  return row + "</tr>\n";
}

}  // namespace

std::string status_text(const RunInfo& info) {
  std::vector<std::string> parts;
  if (info.failed_members > 0)
    parts.push_back(plural(info.failed_members, "zoo member failed", "zoo members failed"));
  if (info.failed_methods > 0)
    parts.push_back(plural(info.failed_methods, "method failed", "methods failed"));
  int missing = 0, unreadable = 0;
  for (const auto& p : info.problems) {
    if (p.find("no summary.json") != std::string::npos ||
        p.find("has no folder") != std::string::npos)
      ++missing;
  }
  if (info.status == RunInfo::Status::kUnreadable) unreadable = 1;
  if (missing > 0) parts.push_back(plural(missing, "summary missing", "summaries missing"));
  if (unreadable) parts.push_back("summary.json unreadable");
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out.empty() ? status_name(info.status) : out;
}

std::string index_html(const ResultsTree& tree, const std::vector<RunInfo>& infos) {
  std::string body = "<h1>lazystack results</h1>\n";
  std::map<std::string, int> experiments;  // key -> runs
  std::map<std::string, size_t> newest;    // key -> index of its newest (or latest) run
  for (size_t i = 0; i < tree.runs.size(); ++i) {
    const RunFolder& r = tree.runs[i];
    const std::string key = r.experiment_key();
    ++experiments[key];
    if (!newest.count(key) || r.latest) newest[key] = i;  // runs are newest first
  }
  body += fmt::format(
      "<p class=\"sub\">{}, {}{}. Newest first; click a column header to "
      "sort.</p>\n",
      plural(static_cast<int>(tree.runs.size()), "run", "runs"),
      plural(static_cast<int>(experiments.size()), "experiment", "experiments"),
      tree.suites.empty() ? ""
                          : ", " + plural(static_cast<int>(tree.suites.size()), "suite", "suites"));
  if (tree.runs.empty())
    body +=
        "<p class=\"missing\">No runs yet: <code>lazystack run experiments/&lt;name&gt;.yaml"
        "</code> writes one here.</p>\n";
  if (!tree.suites.empty()) {
    body += "<h2 id=\"suites\">Suites</h2>\n<ul>";
    for (const SuiteFolder& s : tree.suites)
      body += "<li>" + link(relative_url({s.name, "index.html"}), s.name) + ": " +
              escape(plural(static_cast<int>(s.experiments.size()), "experiment", "experiments")) +
              "</li>";
    body += "</ul>\n";
  }
  if (!experiments.empty()) {
    body += "<h2 id=\"experiments\">Experiments</h2>\n<ul class=\"toc\">";
    for (const auto& [key, count] : experiments) {
      const RunFolder& r = tree.runs[newest[key]];
      const RunInfo& info = infos[newest[key]];
      std::vector<std::string> page = r.segments;
      page.push_back("index.html");
      body += "<li id=\"" + escape("exp-" + key) + "\">" + link(relative_url(page), key) + " " +
              status_badge(info.status) + "<br><small>" +
              escape(fmt::format(
                  "{} \u00b7 {} \u00b7 {}", info.dataset.empty() ? "?" : info.dataset,
                  plural(count, "run", "runs"), info.verdict.empty() ? "\u2014" : info.verdict)) +
              "</small></li>";
    }
    body += "</ul>\n";
  }
  if (!tree.runs.empty()) {
    body +=
        "<h2 id=\"runs\">Runs</h2>\n<div class=\"table-wrap\"><table class=\"sortable\" "
        "id=\"runs-table\">\n<thead><tr>";
    const std::pair<const char*, const char*> heads[] = {{"l", "date (UTC)"},
                                                         {"l", "experiment / run"},
                                                         {"l", "dataset"},
                                                         {"l", "seeds"},
                                                         {"l", "revision"},
                                                         {"r", "LazyStack-SUB"},
                                                         {"r", "\u00d7 best baseline"},
                                                         {"l", "verdict"},
                                                         {"l", "status"},
                                                         {"l", "figure"}};
    for (const auto& [align, text] : heads)
      body +=
          fmt::format("<th scope=\"col\" class=\"{}\" tabindex=\"0\">{}</th>", align, escape(text));
    body += "</tr></thead>\n<tbody>\n";
    for (size_t i = 0; i < tree.runs.size(); ++i) body += run_row(tree.runs[i], infos[i]);
    body += "</tbody></table></div>\n";
    body +=
        "<p class=\"table-note\">LazyStack-SUB: its headline point on test (knob fixed on "
        "val_cal). \u00d7 best baseline: what the cheapest other method (or zoo model) pays "
        "at the same test accuracy, divided by LazyStack's cost (geometric mean over seeds); "
        "above 1 LazyStack is cheaper. \u2014: not available (the method did not run or "
        "failed, or the summary predates these metrics).</p>\n";
  }
  return page("lazystack results", "", body);
}

}  // namespace lazystack::site
