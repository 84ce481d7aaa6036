// The results site's two static files, written beside index.html in RESULTS_DIR/_site/: a
// stylesheet and a small hand-written script that sorts tables. Nothing else is loaded: no
// fonts, no CDN, so a copied folder renders the same offline.
#pragma once

#include <string>

namespace lazystack::site {

/// Folder of the assets under the site's root. Names of experiments and suites start with a
/// letter or digit (core/names.h), so it cannot collide with one.
constexpr const char* kAssetsFolder = "_site";

/// site.css: layout, tables, status badges, figures.
extern const char* const kSiteCss;

/// sort.js: a click (or Enter) on a header of a table.sortable sorts its rows by that column,
/// ascending then descending; numbers by the cells' data-v (else their text's leading number,
/// with k/M/G suffixes), other cells as text; empty cells, dashes and rows whose note spans the
/// column go last either way. Sets aria-sort on the header.
extern const char* const kSortJs;

/// favicon.svg: three stacked bars (browsers ask for an icon; without one, /favicon.ico 404s).
extern const char* const kFaviconSvg;

/// Writes `root`/_site/site.css, sort.js and favicon.svg when they differ from these (atomically).
void write_assets(const std::string& root);

}  // namespace lazystack::site
