// The site's front page (RESULTS_DIR/index.html): every run, newest first, with its date,
// revision, dataset, seeds, LazyStack-SUB against the best baseline, status and a thumbnail;
// the experiments and suites above it, each one click from its pages.
#pragma once

#include <string>
#include <vector>

#include "site/run_info.h"
#include "site/scan.h"

namespace lazystack::site {

/// `infos[i]` describes `tree.runs[i]`.
std::string index_html(const ResultsTree& tree, const std::vector<RunInfo>& infos);

/// The short status text of a run in the index: "ok", "2 methods failed", "1 of 3 seeds
/// missing", "summary.json unreadable".
std::string status_text(const RunInfo& info);

}  // namespace lazystack::site
