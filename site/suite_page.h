// The page of a suite (`make paper`: RESULTS_DIR/<suite>/index.html): the cross-dataset table
// of its runs and each dataset's Pareto figure, each linking to its run's page.
#pragma once

#include <string>
#include <vector>

#include "site/run_info.h"
#include "site/scan.h"

namespace lazystack::site {

/// The suite's runs: those its runs.json names (written when the suite finishes); while it is
/// unfinished (no runs.json), the `latest` (else newest) run of each of its experiments.
/// Indexes into tree.runs, in runs.json's (else alphabetical) order; `finished` tells which.
std::vector<size_t> suite_runs(const SuiteFolder& suite, const ResultsTree& tree, bool* finished);

/// `infos[i]` describes `tree.runs[i]`. Never throws on bad summaries: the table leaves the
/// unreadable runs out and says so.
std::string suite_page_html(const SuiteFolder& suite, const ResultsTree& tree,
                            const std::vector<RunInfo>& infos);

}  // namespace lazystack::site
