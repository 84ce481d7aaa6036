// A README that cannot go stale: its result tables are generated blocks,
//   <!-- docs:NAME --> ... <!-- /docs:NAME -->,
// rendered from the summaries of the runs it cites. `lazystack docs` copies the cited runs'
// summaries into docs/runs/ (so the numbers live in the repository beside the text) and
// rewrites the blocks; `lazystack docs --check` (a test) fails when a block differs from what
// the cited summaries give.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lazystack::reports {

/// One cited run: its summary and where the README says it comes from.
struct CitedRun {
  std::string experiment;  ///< "fashion_mnist"
  std::string run_path;    ///< "results/fashion_mnist/20261203T...": the run folder it names
  nlohmann::json summary;  ///< summary.json (possibly without curves: see docs_summary)
};

/// The blocks a README may hold:
///   verdict           per cited run: does lazystack-sub beat the best baseline at its test
///                     accuracy, with the numbers (the first screen's answer);
///   summary           the cross-dataset table (cross_dataset.h) over the cited runs, one seed
///                     each;
///   headline:<exp>    the headline methods of run <exp> (headline_set.h), compact columns;
///   promise           per cited run: LazyStack's MDP promise vs what its policy achieved on
///                     val_cal (mdp_promise.h);
///   regimes           the regime study's table (regimes.h) over the cited regime-* runs.
/// verdict and summary leave the regime-* runs out (synthetic zoos: they have their block).
/// Throws std::runtime_error for an unknown block or an experiment that is not cited.
std::string render_docs_block(const std::string& name, const std::vector<CitedRun>& runs);

/// `readme` with the text between each block's markers replaced by render_docs_block(). Throws
/// std::runtime_error naming the line of an unterminated or mismatched block.
std::string update_readme(const std::string& readme, const std::vector<CitedRun>& runs);

/// The part of a summary the README blocks need: each method's per-knob `curve` emptied,
/// `val_curve` and `diagnostics` dropped (the reported `pareto` curve, headline and metrics
/// stay), marked with "docs_subset_of": run_path.
nlohmann::json docs_summary(const nlohmann::json& summary, const std::string& run_path);

/// The runs `root`/docs/runs.json cites, with their summaries from the copies under
/// `root`/docs/runs/. Throws std::runtime_error when a file is missing or unreadable.
std::vector<CitedRun> load_cited_runs(const std::string& root);

/// Cites `run_dirs` (results folders; a `latest` link is resolved to its run id): each one's
/// summary (docs_summary) is copied to docs/runs/<experiment>/<run-id>.json and its
/// figures/pareto.png to docs/pareto_<experiment>.png (not for regime-* runs); docs/runs.json lists
/// them, replacing an earlier citation of the same experiment. Returns the cited runs.
std::vector<CitedRun> cite_runs(const std::string& root, const std::vector<std::string>& run_dirs);

}  // namespace lazystack::reports
