// The results site: `lazystack report --html [RESULTS_DIR]` (and `make site`) writes a static
// site over a results folder, and `lazystack run` refreshes it at the end of each run.
//   RESULTS_DIR/index.html                        every run, newest first (index_page.h)
//   RESULTS_DIR/<exp>/<run-id>/index.html         a page per run (run_page.h)
//   RESULTS_DIR/<exp>/<run-id>/seed-<n>/index.html   a page per seed of a multi-seed run
//   RESULTS_DIR/<suite>/index.html                a page per suite (suite_page.h)
//   RESULTS_DIR/_site/                            site.css, sort.js, the index's cache
// Relative links only: the folder can be copied, or served by any static host, as it is.
#pragma once

#include <string>

namespace lazystack::site {

struct SiteCounts {
  int runs = 0;   ///< runs listed in the index
  int pages = 0;  ///< HTML pages written, the index included
};

/// Writes the whole site under `root`. Throws std::runtime_error when `root` is not a folder,
/// or is itself a run folder (it holds summary.json or seed-*/: pass the folder above it).
/// Bad summaries never throw: their pages and index rows say what is wrong.
SiteCounts render_site(const std::string& root);

/// After one run: its pages (and its suite's page, when it is in one) and the index, which
/// reuses what it knew of the other runs (_site/index-cache.json) so only this run's summaries
/// are parsed. Logs a warning instead of throwing: a run never fails for its web page.
void refresh_site_after_run(const std::string& root, const std::string& run_dir) noexcept;

/// After a suite: its page (now with its runs.json) and the index.
void refresh_site_after_suite(const std::string& root, const std::string& suite_dir) noexcept;

}  // namespace lazystack::site
