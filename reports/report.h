// Rendering a results folder into figures and tables (DESIGN.md section 7), from summary.json
// alone: `lazystack report RESULTS_DIR` re-renders everything without recomputing anything.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lazystack {

struct ReportOptions {
  /// The gnuplot executable: a name looked up on PATH, or a path; empty: no images (CSVs and
  /// scripts only). When it is missing or fails, the figures' CSVs and scripts are still
  /// written and one warning is logged.
  std::string gnuplot = "gnuplot";
};

/// Renders a run folder. For a folder with summary.json:
///   figures/pareto.{csv,gp,png,svg,pdf}  accuracy vs mean cost, every method, single models,
///                                        bounds (images only where gnuplot runs);
///   tables/headline.{md,tex,csv}          one row per method;
///   tables/zoo.{md,tex,csv}               one row per zoo model;
///   tables/curves.{md,tex,csv}            cost to reach shares of the full stacker, area
///                                         under accuracy vs log cost, APGR / CPT per method;
///   figures/exit_depth.{csv,gp,png,...}  share of test samples exiting after d models, per
///                                         early-exit method's headline (exit_depth_figure.h);
///                                         only when the run has one;
///   figures/trajectory_coverage.{...}     cumulative share of val_fit samples vs number of
///                                         trajectories for LazyStack SUB / MASK (MDP order) at
///                                         the selected beta, min_share cut marked
///                                         (trajectory_figure.h); only with their diagnostics;
///   tables/ablation.{md,tex,csv}          LazyStack's MDP/substacker ablation, only when the
///                                         run has LazyStack methods (see ablation.h);
///   figures/ablation.{csv,gp,png,...}     the same rows as bars of speedup vs full (log),
///                                         test accuracy above each (ablation_figure.h).
/// For a multi-seed run (seed-*/ subfolders with summary.json): each seed folder as above,
/// plus in `run_dir` tables/headline_seeds.{md,tex,csv} (mean and 95% t interval over seeds)
/// and figures/pareto_seeds.{csv,gp,png,svg,pdf} (per method the curve averaged over seeds by
/// knob, with a band of the 95% interval of accuracy; seeds_figure.h).
/// Throws std::runtime_error when `run_dir` is not a results folder or its summary.json was
/// written by an incompatible version (format_version missing or not 1).
void render_report(const std::string& run_dir, const ReportOptions& options = {});

/// The cross-dataset summary table (cross_dataset.h) of several run folders, each a
/// single-seed run (summary.json) or a multi-seed run (seed-*/summary.json: mean and 95%
/// interval over the seeds), one row per folder in the order given: writes
/// `out_dir`/tables/summary.{md,tex,csv}. Throws std::runtime_error when a folder is not a
/// results folder or its summary cannot be read.
void render_summary(const std::vector<std::string>& run_dirs, const std::string& out_dir);

/// The regime study (reports/regimes.h) of several single-seed run folders (a multi-seed folder
/// contributes its first seed), one column per folder in the order given: writes
/// `out_dir`/figures/regimes.{csv,gp,png,svg,pdf} and `out_dir`/tables/regimes.{md,tex,csv},
/// regimes_costs.{md,tex,csv}. Throws std::runtime_error when a folder is not a results folder.
void render_regimes(const std::vector<std::string>& run_dirs, const std::string& out_dir,
                    const ReportOptions& options = {});

/// The Markdown headline table of a summary (the same text as tables/headline.md), which the
/// CLI prints at the end of a run. Throws std::runtime_error when the summary is not readable
/// by this version.
std::string headline_markdown(const nlohmann::json& summary);

}  // namespace lazystack
