#include "reports/report.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "core/log.h"
#include "reports/ablation.h"
#include "reports/ablation_figure.h"
#include "reports/comparisons.h"
#include "reports/cross_dataset.h"
#include "reports/curves_table.h"
#include "reports/exit_depth_figure.h"
#include "reports/gnuplot.h"
#include "reports/headline_set.h"
#include "reports/mdp_promise.h"
#include "reports/ocl_figure.h"
#include "reports/pareto_figure.h"
#include "reports/regimes.h"
#include "reports/seeds.h"
#include "reports/seeds_figure.h"
#include "reports/summary.h"
#include "reports/table.h"
#include "reports/tables.h"
#include "reports/text_file.h"
#include "reports/trajectory_figure.h"

namespace lazystack {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

void write_table(const fs::path& dir, const std::string& stem, const reports::Table& table) {
  reports::write_text_file((dir / (stem + ".md")).string(), reports::to_markdown(table));
  reports::write_text_file((dir / (stem + ".tex")).string(), reports::to_latex(table));
  reports::write_text_file((dir / (stem + ".csv")).string(), reports::to_csv(table));
}

// Tables and figures of one seed's folder.
// Folders written before the comparison metrics existed get them computed here, from the same
// summary fields the run would have used.
json with_metrics(const json& loaded) {
  json summary = loaded;
  bool has_metrics = false;
  for (const auto& m : summary.at("methods")) has_metrics = has_metrics || m.contains("metrics");
  if (!has_metrics) reports::add_comparison_metrics(summary);
  return summary;
}

void render_run(const fs::path& dir, const json& loaded, reports::FigureRenderer& renderer) {
  const json summary = with_metrics(loaded);
  write_table(dir / "tables", "headline", reports::headline_table(summary));
  write_table(dir / "tables", "zoo", reports::zoo_table(summary));
  write_table(dir / "tables", "curves", reports::curves_table(summary));
  const bool ablation = reports::has_lazystack_methods(summary);
  if (ablation) write_table(dir / "tables", "ablation", reports::ablation_table(summary));

  // The headline methods in figures/pareto, every other method in figures/pareto_more.
  const std::vector<std::string> headline = reports::headline_methods(summary);
  const reports::MethodFilter only{reports::MethodFilter::Mode::kOnly, headline,
                                   /*derived_models=*/false};
  const reports::MethodFilter others{reports::MethodFilter::Mode::kExcept, headline,
                                     /*derived_models=*/true, /*model_names=*/false};
  const reports::ParetoFigure figure = reports::pareto_figure(summary, {}, only);
  if (figure.skipped > 0)
    log_info(
        "[report] {}: {} point(s) with a non-positive or non-finite cost or accuracy "
        "cannot sit on the log cost axis and are left out of the Pareto figure",
        dir.string(), figure.skipped);
  bool rendered = renderer.render((dir / "figures").string(), "pareto", reports::pareto_csv(figure),
                                  reports::pareto_script(figure, "pareto.csv", "pareto"));
  std::string figures = "figures/pareto";
  const reports::ParetoFigure more = reports::pareto_figure(summary, {}, others);
  if (!more.methods.empty() || !more.bounds.empty()) {
    rendered &=
        renderer.render((dir / "figures").string(), "pareto_more", reports::pareto_csv(more),
                        reports::pareto_script(more, "pareto_more.csv", "pareto_more"));
    figures += ", figures/pareto_more";
  } else {
    std::error_code ec;  // a stale one from an earlier render must not pass for this run's
    for (const char* ext : {"csv", "gp", "png", "svg", "pdf"})  // names-lint: ok (extensions)
      fs::remove(dir / "figures" / (std::string("pareto_more.") + ext), ec);
  }
  const reports::ExitDepthFigure depth = reports::exit_depth_figure(summary);
  if (!depth.series.empty()) {
    rendered &=
        renderer.render((dir / "figures").string(), "exit_depth", reports::exit_depth_csv(depth),
                        reports::exit_depth_script(depth, "exit_depth.csv", "exit_depth"));
    figures += ", figures/exit_depth";
  }
  if (ablation) {
    const reports::AblationFigure chart = reports::ablation_figure(summary);
    rendered &=
        renderer.render((dir / "figures").string(), "ablation", reports::ablation_csv(chart),
                        reports::ablation_script(chart, "ablation.csv", "ablation"));
    figures += ", figures/ablation";
  }
  const reports::TrajectoryFigure trajectories = reports::trajectory_figure(summary);
  if (!trajectories.curves.empty()) {
    rendered &= renderer.render(
        (dir / "figures").string(), "trajectory_coverage", reports::trajectory_csv(trajectories),
        reports::trajectory_script(trajectories, "trajectory_coverage.csv", "trajectory_coverage"));
    figures += ", figures/trajectory_coverage";
  }
  const reports::OclFigure ocl = reports::ocl_figure(summary);
  if (!ocl.panels.empty()) {
    rendered &= renderer.render((dir / "figures").string(), "ocl_stream", reports::ocl_csv(ocl),
                                reports::ocl_script(ocl, "ocl_stream.csv", "ocl_stream"));
    figures += ", figures/ocl_stream";
  }
  log_info("[report] {}: tables/headline, tables/zoo, tables/curves{}, {}{}", dir.string(),
           ablation ? ", tables/ablation" : "", figures,
           rendered ? " (png, svg, pdf)" : " (csv and gnuplot script only)");
}

// seed-<n>/ subfolders holding a summary.json, in seed order.
std::vector<fs::path> seed_folders(const fs::path& run_dir) {
  std::vector<std::pair<long, fs::path>> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(run_dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("seed-", 0) != 0 || !entry.is_directory()) continue;
    if (!fs::exists(entry.path() / "summary.json")) continue;
    char* end = nullptr;
    const long seed = std::strtol(name.c_str() + 5, &end, 10);
    found.emplace_back(end && *end == '\0' ? seed : -1, entry.path());
  }
  std::sort(found.begin(), found.end());
  std::vector<fs::path> out;
  for (auto& f : found) out.push_back(f.second);
  return out;
}

}  // namespace

void render_report(const std::string& run_dir, const ReportOptions& options) {
  reports::FigureRenderer renderer{reports::Gnuplot(options.gnuplot)};
  const fs::path dir(run_dir);
  std::vector<fs::path> seeds;
  if (fs::is_directory(dir) && !fs::exists(dir / "summary.json")) seeds = seed_folders(dir);
  if (seeds.empty()) {  // one run, or not a results folder at all (load_summary says which)
    render_run(dir, reports::load_summary(run_dir), renderer);
    return;
  }
  std::vector<json> summaries;
  for (const fs::path& seed_dir : seeds) {
    summaries.push_back(reports::load_summary(seed_dir.string()));
    render_run(seed_dir, summaries.back(), renderer);
  }
  write_table(dir / "tables", "headline_seeds", reports::seeds_headline_table(summaries));
  const reports::SeedsParetoFigure figure = reports::seeds_pareto_figure(summaries);
  const bool rendered =
      renderer.render((dir / "figures").string(), "pareto_seeds", reports::seeds_pareto_csv(figure),
                      reports::seeds_pareto_script(figure, "pareto_seeds.csv", "pareto_seeds"));
  log_info("[report] {}: tables/headline_seeds, figures/pareto_seeds{} over {} seeds", run_dir,
           rendered ? " (png, svg, pdf)" : " (csv and gnuplot script only)", summaries.size());
}

void render_summary(const std::vector<std::string>& run_dirs, const std::string& out_dir) {
  std::vector<std::vector<json>> runs;
  for (const std::string& run_dir : run_dirs) {
    const fs::path dir(run_dir);
    std::vector<fs::path> seeds;
    if (fs::is_directory(dir) && !fs::exists(dir / "summary.json")) seeds = seed_folders(dir);
    std::vector<json> summaries;
    if (seeds.empty()) summaries.push_back(reports::load_summary(run_dir));
    for (const fs::path& seed_dir : seeds)
      summaries.push_back(reports::load_summary(seed_dir.string()));
    runs.push_back(std::move(summaries));
  }
  write_table(fs::path(out_dir) / "tables", "summary", reports::cross_dataset_table(runs));
  log_info("[report] {}: tables/summary over {} run(s)", out_dir, runs.size());
}

void render_regimes(const std::vector<std::string>& run_dirs, const std::string& out_dir,
                    const ReportOptions& options) {
  std::vector<json> summaries;
  for (const std::string& run_dir : run_dirs) {
    const fs::path dir(run_dir);
    std::vector<fs::path> seeds;
    if (fs::is_directory(dir) && !fs::exists(dir / "summary.json")) seeds = seed_folders(dir);
    summaries.push_back(reports::load_summary(seeds.empty() ? run_dir : seeds.front().string()));
  }
  const reports::RegimeStudy study = reports::regime_study(summaries);
  write_table(fs::path(out_dir) / "tables", "regimes", reports::regimes_table(study));
  write_table(fs::path(out_dir) / "tables", "regimes_costs", reports::regime_costs_table(study));
  std::vector<std::pair<std::string, json>> promise_rows;
  for (const json& s : summaries) promise_rows.emplace_back(s.value("experiment", ""), s);
  write_table(fs::path(out_dir) / "tables", "mdp_promise",
              reports::mdp_promise_table(promise_rows));
  reports::FigureRenderer renderer{reports::Gnuplot(options.gnuplot)};
  const bool rendered = renderer.render((fs::path(out_dir) / "figures").string(), "regimes",
                                        reports::regimes_csv(study),
                                        reports::regimes_script(study, "regimes.csv", "regimes"));
  log_info(
      "[report] {}: tables/regimes, tables/regimes_costs, tables/mdp_promise, figures/regimes{} "
      "over {} run(s)",
      out_dir, rendered ? " (png, svg, pdf)" : " (csv and gnuplot script only)", run_dirs.size());
}

std::string headline_markdown(const json& summary) {
  reports::check_summary(summary, "summary");
  return reports::to_markdown(reports::headline_table(with_metrics(summary)));
}

}  // namespace lazystack
