// Pieces every page of the results site is built from: the way back to the root, breadcrumbs,
// figures, links to files that exist (and a plain "missing" for those that do not), tables
// with their downloads, status badges and the list of what went wrong.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "reports/table.h"
#include "site/run_info.h"

namespace lazystack::site {

/// "../../" for a page `depth` folders below the site root; "" at the root.
std::string up(size_t depth);

/// One step of the breadcrumb trail: its text and its URL relative to the page ("" = the page
/// itself, shown as plain text).
struct Crumb {
  std::string text;
  std::string url;
};
/// <nav class="crumbs">results › ... › here</nav>; every text escaped.
std::string breadcrumbs(const std::vector<Crumb>& crumbs);

/// The crumbs of a run page (`seed`: "" for the run's own page, else "seed-1"): the index,
/// the suite page, the experiment's section of the index, the run.
std::vector<Crumb> run_crumbs(const RunFolder& run, const std::string& seed);

/// Links to `files` (paths relative to `page_dir`, '/'-separated) that exist; the names of
/// the others with "(missing)". `label` starts the line.
std::string file_links(const std::filesystem::path& page_dir, const std::string& label,
                       const std::vector<std::string>& files);

/// figures/<stem> of `dir` as a <figure>: the PNG (else the SVG) with `caption` and links to
/// every format, CSV and gnuplot script that exist; URLs start with `url_prefix` (the way from
/// the page to `dir`; empty when the page is in `dir`). "" when neither image nor CSV exists;
/// with the CSV but no image, says the image was not rendered (gnuplot missing or failed).
std::string figure_block(const std::filesystem::path& dir, const std::string& stem,
                         const std::string& caption, bool main = false,
                         const std::vector<std::string>& url_prefix = {});

/// <h3 id> title, the table built by `make` (its exception's message instead when it throws),
/// and links to tables/<stem>.{md,tex,csv} of `page_dir`.
std::string table_section(const std::filesystem::path& page_dir, const std::string& id,
                          const std::string& title, const std::string& stem,
                          const std::function<reports::Table()>& make);

/// <span class="badge ...">ok|failures|partial|unreadable</span>
std::string status_badge(RunInfo::Status status);

/// The problems of a run in a box headed by what they mean ("" when there are none).
std::string problems_block(const RunInfo& info);

/// `path`'s text in a <pre> (escaped), or a note that it is missing.
std::string file_pre(const std::filesystem::path& path, size_t max_bytes = 256 * 1024);

/// A <dl class="facts"> of (term, value) pairs, both escaped; pairs with an empty value skipped.
std::string facts(const std::vector<std::pair<std::string, std::string>>& pairs);

}  // namespace lazystack::site
