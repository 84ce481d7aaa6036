#include "reports/table.h"

#include <fmt/core.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace lazystack::reports {
namespace {

std::string markdown_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out;
}

bool shows_note(const TableRow& row, size_t column) {
  return !row.note.empty() && row.note_from >= 0 && column >= static_cast<size_t>(row.note_from);
}

}  // namespace

void Table::add_row(TableRow row) {
  if (row.cells.size() != columns.size())
    throw std::logic_error(fmt::format("table row has {} cells, the table has {} columns",
                                       row.cells.size(), columns.size()));
  rows.push_back(std::move(row));
}

std::string latex_escape(const std::string& text) {
  // The few non-ASCII signs the reports print, spelled so plain pdflatex takes them.
  static const std::pair<const char*, const char*> kSigns[] = {{"\u00d7", "$\\times$"},
                                                               {"\u00b1", "$\\pm$"},
                                                               {"\u2014", "---"},
                                                               {"\u2013", "--"},
                                                               {"\u2248", "$\\approx$"}};
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    bool replaced = false;
    for (const auto& [sign, latex] : kSigns) {
      const std::string s(sign);
      if (text.compare(i, s.size(), s) == 0) {
        out += latex;
        i += s.size() - 1;
        replaced = true;
        break;
      }
    }
    if (replaced) continue;
    const char c = text[i];
    switch (c) {
      case '\\':
        out += "\\textbackslash{}";
        break;
      case '&':
      case '%':
      case '$':
      case '#':
      case '_':
      case '{':
      case '}':
        out += '\\';
        out += c;
        break;
      case '~':
        out += "\\textasciitilde{}";
        break;
      case '^':
        out += "\\textasciicircum{}";
        break;
      case '<':  // in text mode (OT1) a bare < or > prints as an inverted ! or ?
        out += "\\textless{}";
        break;
      case '>':
        out += "\\textgreater{}";
        break;
      case '\n':
        out += ' ';
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string to_markdown(const Table& table) {
  std::vector<size_t> shown;
  for (size_t c = 0; c < table.columns.size(); ++c)
    if (table.columns[c].display) shown.push_back(c);

  // Cell texts first, so columns can be padded to a common width (readable in a terminal).
  std::vector<std::vector<std::string>> grid;
  grid.emplace_back();
  for (size_t c : shown) grid.back().push_back(markdown_escape(table.columns[c].header));
  for (const auto& row : table.rows) {
    grid.emplace_back();
    for (size_t i = 0; i < shown.size(); ++i) {
      const bool last = i + 1 == shown.size();
      grid.back().push_back(
          markdown_escape(last && shows_note(row, shown[i]) ? row.note : row.cells[shown[i]].text));
    }
  }
  std::vector<size_t> width(shown.size(), 3);
  auto text_width = [](const std::string& s) {
    // Count code points, not bytes, so UTF-8 dashes and signs pad right.
    return static_cast<size_t>(
        std::count_if(s.begin(), s.end(), [](char ch) { return (ch & 0xC0) != 0x80; }));
  };
  for (const auto& line : grid)
    for (size_t i = 0; i < line.size(); ++i) width[i] = std::max(width[i], text_width(line[i]));

  std::string out;
  if (!table.caption.empty()) out += table.caption + "\n\n";
  auto emit = [&](const std::vector<std::string>& line) {
    out += "|";
    for (size_t i = 0; i < line.size(); ++i) {
      const std::string pad(width[i] - text_width(line[i]), ' ');
      const bool right = table.columns[shown[i]].align == Align::kRight;
      out += " " + (right ? pad + line[i] : line[i] + pad) + " |";
    }
    out += "\n";
  };
  emit(grid[0]);
  out += "|";
  for (size_t i = 0; i < shown.size(); ++i) {
    const bool right = table.columns[shown[i]].align == Align::kRight;
    out += (right ? " " + std::string(width[i] - 1, '-') + ": |"
                  : " :" + std::string(width[i] - 1, '-') + " |");
  }
  out += "\n";
  for (size_t r = 1; r < grid.size(); ++r) emit(grid[r]);
  if (!table.notes.empty()) {
    out += "\n";
    for (size_t i = 0; i < table.notes.size(); ++i) out += (i ? "\n" : "") + table.notes[i] + "\n";
  }
  return out;
}

std::string to_latex(const Table& table) {
  std::vector<size_t> shown;
  std::string spec;
  for (size_t c = 0; c < table.columns.size(); ++c) {
    if (!table.columns[c].display) continue;
    shown.push_back(c);
    spec += table.columns[c].align == Align::kRight ? 'r' : 'l';
  }
  std::string out = "% Generated by lazystack from summary.json; needs \\usepackage{booktabs}.\n";
  out += "\\begin{table}[t]\n\\centering\n\\small\n";
  if (!table.caption.empty()) out += "\\caption{" + latex_escape(table.caption) + "}\n";
  if (!table.label.empty()) out += "\\label{" + table.label + "}\n";
  out += "\\begin{tabular}{" + spec + "}\n\\toprule\n";
  for (size_t i = 0; i < shown.size(); ++i) {
    const TableColumn& col = table.columns[shown[i]];
    out += (i ? " & " : "") + (col.latex.empty() ? latex_escape(col.header) : col.latex);
  }
  out += " \\\\\n\\midrule\n";
  for (size_t r = 0; r < table.rows.size(); ++r) {
    const TableRow& row = table.rows[r];
    if (row.rule_before && r > 0) out += "\\midrule\n";
    std::string line;
    for (size_t i = 0; i < shown.size(); ++i) {
      if (shows_note(row, shown[i])) {
        const size_t span = shown.size() - i;
        line += (i ? " & " : "") +
                fmt::format("\\multicolumn{{{}}}{{l}}{{{}}}", span, latex_escape(row.note));
        break;
      }
      line += (i ? " & " : "") + latex_escape(row.cells[shown[i]].text);
    }
    out += line + " \\\\\n";
  }
  out += "\\bottomrule\n\\end{tabular}\n";
  if (!table.notes.empty()) {
    out += "\\par\\smallskip\\footnotesize\n";
    for (size_t i = 0; i < table.notes.size(); ++i)
      out += latex_escape(table.notes[i]) + (i + 1 < table.notes.size() ? "\\\\\n" : "\n");
  }
  out += "\\end{table}\n";
  return out;
}

std::string to_csv(const Table& table) {
  std::string out;
  bool first = true;
  for (const auto& col : table.columns) {
    if (col.csv.empty()) continue;
    out += (first ? "" : ",") + csv_field(col.csv);
    first = false;
  }
  out += "\n";
  for (const auto& row : table.rows) {
    first = true;
    for (size_t c = 0; c < table.columns.size(); ++c) {
      if (table.columns[c].csv.empty()) continue;
      out += (first ? "" : ",") + csv_field(row.cells[c].raw);
      first = false;
    }
    out += "\n";
  }
  return out;
}

}  // namespace lazystack::reports
