// A table rendered three ways: Markdown (for terminals and READMEs), LaTeX with booktabs (for
// papers) and CSV (for scripts). Cells carry both the text people read and the raw value
// scripts read, so the CSV keeps full precision while the others stay short.
#pragma once

#include <string>
#include <vector>

namespace lazystack::reports {

enum class Align { kLeft, kRight };

struct TableColumn {
  std::string header;  ///< Markdown header, e.g. "acc. (%)"
  std::string latex;   ///< LaTeX header (already escaped); empty: escaped `header`
  std::string csv;     ///< CSV column name, e.g. "accuracy"; empty: not in the CSV
  Align align = Align::kRight;
  bool display = true;  ///< false: CSV only (e.g. the raw error message)
};

struct TableCell {
  std::string text;  ///< shown in Markdown and LaTeX (plain text; escaped when rendered)
  std::string raw;   ///< written to the CSV
};

/// One row: one cell per column. When `note` is set, the displayed cells from column
/// `note_from` on give way to that note, e.g. a failed method's error: LaTeX spans them with
/// one \multicolumn; Markdown, which cannot span, shows the cells and puts the note in the
/// last column (so it does not widen a numeric one).
struct TableRow {
  std::vector<TableCell> cells;
  std::string note{};
  int note_from = -1;
  bool rule_before = false;  ///< LaTeX: a \midrule above the row (a new group of rows)
};

struct Table {
  std::vector<TableColumn> columns;
  std::vector<TableRow> rows;
  std::string caption;  ///< LaTeX caption; a Markdown line above the table
  std::string label;    ///< LaTeX \label, e.g. "tab:headline-fashion-mnist"
  /// Paragraphs under the table (units, references, marks); Markdown separates them with a
  /// blank line, LaTeX with a line break.
  std::vector<std::string> notes;

  /// Appends a row; throws std::logic_error when it has the wrong number of cells.
  void add_row(TableRow row);
};

std::string to_markdown(const Table& table);
/// A `table` float with a booktabs `tabular` (\toprule, \midrule, \bottomrule). Needs
/// \usepackage{booktabs} in the preamble.
std::string to_latex(const Table& table);
/// RFC 4180: header line from the columns' `csv` names, fields quoted when they need it.
std::string to_csv(const Table& table);

/// Escapes LaTeX's special characters in plain text.
std::string latex_escape(const std::string& text);
/// Quotes a CSV field when it holds a comma, quote or line break.
std::string csv_field(const std::string& text);

}  // namespace lazystack::reports
