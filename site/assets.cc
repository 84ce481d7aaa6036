#include "site/assets.h"

#include <filesystem>

#include "reports/text_file.h"

namespace lazystack::site {

const char* const kSiteCss =
    R"CSS(/* lazystack results site: plain CSS, no external fonts or files. */
:root { --fg: #1d2330; --muted: #5b6475; --line: #d9dde5; --bg-alt: #f5f7fa; --accent: #1f5fbf;
        --ok: #1a7f37; --warn: #9a6700; --bad: #c62828; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1320px; padding: 1rem 1.5rem 3rem; color: var(--fg);
       font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
h1 { font-size: 1.6rem; margin: .4rem 0 .2rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .6rem; padding-bottom: .2rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
code, pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .85rem; }
pre { background: var(--bg-alt); border: 1px solid var(--line); padding: .7rem; overflow: auto; max-height: 32rem; }
nav.crumbs { color: var(--muted); font-size: .9rem; }
nav.crumbs a { margin-right: .2rem; }
.sub { color: var(--muted); margin: 0 0 .8rem; }
.facts { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: .15rem 1rem; margin: .6rem 0; }
@media (max-width: 800px) { .facts { grid-template-columns: max-content 1fr; } }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; }
.verdict { font-size: 1.1rem; padding: .6rem .9rem; border-left: 4px solid var(--line); background: var(--bg-alt); margin: .8rem 0; }
.verdict.win { border-color: var(--ok); } .verdict.lose { border-color: var(--bad); } .verdict.tie { border-color: var(--warn); }
.badge { display: inline-block; padding: 0 .45rem; border-radius: .7rem; font-size: .8rem; font-weight: 600;
         border: 1px solid currentColor; white-space: nowrap; }
.badge.ok { color: var(--ok); } .badge.warn { color: var(--warn); } .badge.bad { color: var(--bad); }
.problems { border: 1px solid var(--bad); border-left-width: 4px; padding: .4rem .9rem; margin: .8rem 0; background: #fff6f6; }
.problems h2 { border: none; margin: .4rem 0; color: var(--bad); font-size: 1.1rem; }
.problems li { margin: .2rem 0; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; margin: .4rem 0; font-size: .88rem; }
caption { caption-side: top; text-align: left; color: var(--muted); padding: .2rem 0; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--bg-alt); cursor: pointer; user-select: none; white-space: nowrap; position: sticky; top: 0; }
th.l, td.l { text-align: left; } th.r, td.r { text-align: right; font-variant-numeric: tabular-nums; }
th::after { content: " \2195"; color: #aab; font-size: .75em; }
th[aria-sort="ascending"]::after { content: " \25B2"; color: var(--fg); }
th[aria-sort="descending"]::after { content: " \25BC"; color: var(--fg); }
tbody tr:hover { background: #eef3fb; }
tr.failed td { color: var(--bad); }
table.sortable td:first-child { white-space: nowrap; }
td.note { text-align: left; font-style: italic; }
.table-note { color: var(--muted); font-size: .82rem; margin: .2rem 0 .6rem; max-width: 75rem; }
.files { font-size: .85rem; color: var(--muted); }
.files a { margin-right: .5rem; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 1.2rem; }
figure { margin: 0; }
figure img { width: 100%; height: auto; background: #fff; border: 1px solid var(--line); }
figure.main img { max-width: 760px; }
figcaption { font-size: .85rem; color: var(--muted); }
.missing { color: var(--muted); font-style: italic; }
img.thumb { height: 110px; width: auto; max-width: 160px; border: 1px solid var(--line); background: #fff; display: block; }
code.rev { font-size: .75rem; word-break: break-all; }
td small { color: var(--muted); }
ul.toc { columns: 3 16rem; padding-left: 1.1rem; }
footer { margin-top: 3rem; color: var(--muted); font-size: .8rem; border-top: 1px solid var(--line); padding-top: .5rem; }
)CSS";

const char* const kSortJs =
    R"JS(// lazystack results site: sorts a table.sortable by the clicked column. Hand-written, no
// dependencies. Numbers sort by a cell's data-v (the table's raw value) or its text's leading
// number; other cells as text; blanks, dashes and rows spanned by a note go last.
(function () {
  'use strict';
  var SUFFIX = { k: 1e3, M: 1e6, G: 1e9 };
  function cellAt(row, col) {
    var start = 0;
    for (var i = 0; i < row.cells.length; i++) {
      var span = row.cells[i].colSpan || 1;
      if (col < start + span) return span > 1 ? null : row.cells[i];
      start += span;
    }
    return null;
  }
  function keyOf(cell) {
    if (!cell) return null;
    var v = cell.getAttribute('data-v');
    if (v !== null && v !== '' && isFinite(Number(v))) return Number(v);
    var t = cell.textContent.trim();
    if (t === '' || t === '\u2014' || t === '-' || t === '\u2013') return null;
    var m = /^([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)([kMG]?)(?![\w.])/.exec(t);
    if (m) return Number(m[1]) * (m[2] ? SUFFIX[m[2]] : 1);
    return t.toLowerCase();
  }
  function compare(a, b) {
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    if (typeof a === 'number') return -1;
    if (typeof b === 'number') return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  function sortBy(table, th) {
    var col = 0;
    for (var c = th; (c = c.previousElementSibling);) col += c.colSpan || 1;
    var descending = th.getAttribute('aria-sort') === 'ascending';
    var heads = table.tHead.rows[0].cells;
    for (var i = 0; i < heads.length; i++) heads[i].removeAttribute('aria-sort');
    th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows).map(function (row, index) {
      return { row: row, key: keyOf(cellAt(row, col)), index: index };
    });
    rows.sort(function (x, y) {
      if (x.key === null || y.key === null)
        return x.key === y.key ? x.index - y.index : x.key === null ? 1 : -1;
      var d = compare(x.key, y.key);
      return (descending ? -d : d) || x.index - y.index;
    });
    rows.forEach(function (r) { body.appendChild(r.row); });
  }
  function init() {
    var tables = document.querySelectorAll('table.sortable');
    Array.prototype.forEach.call(tables, function (table) {
      if (!table.tHead || !table.tBodies.length) return;
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
        th.addEventListener('click', function () { sortBy(table, th); });
        th.addEventListener('keydown', function (e) {
          if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(table, th); }
        });
      });
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
)JS";

const char* const kFaviconSvg =
    R"SVG(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">)SVG"
    R"SVG(<rect x="1" y="11" width="14" height="4" rx="1" fill="#1f5fbf"/>)SVG"
    R"SVG(<rect x="3" y="6" width="10" height="4" rx="1" fill="#4f86d6"/>)SVG"
    R"SVG(<rect x="5" y="1" width="6" height="4" rx="1" fill="#9bbcec"/></svg>
)SVG";

void write_assets(const std::string& root) {
  const std::filesystem::path dir = std::filesystem::path(root) / kAssetsFolder;
  const std::pair<const char*, const char*> files[] = {
      {"site.css", kSiteCss}, {"sort.js", kSortJs}, {"favicon.svg", kFaviconSvg}};
  for (const auto& [name, text] : files) {
    const std::string path = (dir / name).string();
    std::string current;
    try {
      current = reports::read_text_file(path);
    } catch (const std::exception&) {
    }
    if (current != text) reports::write_text_file(path, text);
  }
}

}  // namespace lazystack::site
