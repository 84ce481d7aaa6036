// The page of one run (results/<experiment>/<run-id>/index.html): its Pareto figures, the
// headline / curves / ablation / zoo tables as sortable HTML tables, what failed, the resolved
// config, provenance and links to every file the run wrote. A multi-seed run gets a page of
// its across-seed figure and table that links to a page per seed (seed-<n>/index.html).
#pragma once

#include <string>

#include "site/run_info.h"
#include "site/scan.h"

namespace lazystack::site {

/// The page of a folder holding a summary.json: the run itself (`seed` empty) or its seed
/// folder `seed` ("seed-1"). Never throws on a bad summary: the page says what is wrong.
std::string run_page_html(const RunFolder& run, const std::string& seed, const RunInfo& info);

/// The page of a multi-seed run (or of a run folder without any summary: a partial run).
std::string multi_seed_page_html(const RunFolder& run, const RunInfo& info);

/// Writes the run's pages: <run>/index.html, and seed-<n>/index.html for each seed with a
/// summary. Returns the number of pages written.
int write_run_pages(const RunFolder& run, const RunInfo& info);

}  // namespace lazystack::site
