// The HTML the results site is made of: escaping (every string from a results folder is data,
// never markup), relative URLs, and reports::Table as a sortable HTML table.
#pragma once

#include <string>
#include <vector>

#include "reports/table.h"

namespace lazystack::site {

/// `text` safe as element content and as a quoted attribute value: & < > " ' become entities.
/// A method named "<script>" shows as the text <script>.
std::string escape(const std::string& text);

/// One path segment of a relative URL: every byte outside [A-Za-z0-9._~-] percent-encoded, so a
/// folder name can neither leave its segment ("/", "?", "#") nor start a scheme ("javascript:").
std::string url_segment(const std::string& segment);

/// Segments joined by "/", each through url_segment(); ".." stays "..".
std::string relative_url(const std::vector<std::string>& segments);

/// `table` as <table class="sortable">: a <caption>, header cells that sort on click (sort.js),
/// cells escaped, numeric raw values in data-v (sorting uses them), a row's note spanning the
/// cells from note_from on (colspan), rows of failed methods marked class="failed"; the notes as
/// paragraphs below. Columns with display == false are left out. `id` names the table (anchor).
std::string table_html(const reports::Table& table, const std::string& id);

/// `<a href="url">text</a>`, text escaped; url must come from relative_url().
std::string link(const std::string& url, const std::string& text);

/// A complete page: <!doctype html>, charset, the title (escaped here), the stylesheet and
/// sort.js at `to_root` + "_site/" (relative), and `body` (HTML, already escaped).
std::string page(const std::string& title, const std::string& to_root, const std::string& body);

}  // namespace lazystack::site
