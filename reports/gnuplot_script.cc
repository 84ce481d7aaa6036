// The pieces every figure script shares (gnuplot.h): headers, output terminals, quoting,
// series styles and the legend layout.
#include <fcntl.h>
#include <fmt/core.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <vector>

#include "core/atomic_file.h"
#include "core/log.h"
#include "reports/gnuplot.h"
#include "reports/text_file.h"

namespace lazystack::reports {

std::string script_header(const std::string& what, const std::string& csv_name,
                          const std::string& columns, const std::string& stem,
                          const std::string& source) {
  std::string s = "# " + gnuplot_comment(what) + "\n";
  s += fmt::format("# Data: {} ({}), written by lazystack from {}.\n", csv_name, columns, source);
  s += fmt::format("# Re-render by hand: gnuplot {}.gp   (writes {}.png, {}.svg, {}.pdf)\n", stem,
                   stem, stem, stem);
  s += "reset\nset encoding utf8\nset datafile separator comma\n";
  s += fmt::format("data = {}\n", gnuplot_quote(csv_name));
  return s;
}

std::string title_command(const std::string& title, const FigureSize& size) {
  if (title.empty()) return "";
  return fmt::format("set title {} font \",{:g}\" offset 0,-0.6\n",
                     gnuplot_quote(gnuplot_enhanced_escape(title)), size.font_pt + 1);
}

std::string plot_command(const std::vector<std::string>& clauses) {
  std::string plot = "plot \\\n";
  if (clauses.empty()) plot += "  NaN notitle\n";
  for (size_t i = 0; i < clauses.size(); ++i)
    plot += "  " + clauses[i] + (i + 1 < clauses.size() ? ", \\\n" : "\n");
  return plot;
}

std::string plot_and_outputs(const std::vector<std::string>& clauses, const std::string& stem,
                             const FigureSize& size) {
  return "\n" + gnuplot_outputs(stem, size, plot_command(clauses));
}

std::string gnuplot_outputs(const std::string& stem, const FigureSize& size,
                            const std::string& plot_command) {
  // The three formats draw the same figure: line width 1 = 1 pt, text at kTextScale times
  // font_pt (measured with gnuplot 5.4: pngcairo draws text at 96 dpi, so at its png_dpi / 72
  // scale text comes out 4/3 of font_pt; pdfcairo draws text at 4/3 of font_pt times its
  // fontscale and lines at its linewidth times half a point, and defaults both to 0.5).
  const double png_scale = size.png_dpi / 72.0;
  // SVG: 96 user units per inch (CSS pixels); its font sizes are in those units too.
  const double svg_scale = 96.0 / 72.0;
  std::string out;
  out += "# Outputs: each written only where this gnuplot has the terminal, to <stem>.<format>\n";
  out += "# (or <output_stem>.<format> when output_stem is set before this script: lazystack\n";
  out += "# renders to temporary names and renames the images when gnuplot succeeded).\n";
  out += fmt::format("if (!exists(\"output_stem\")) output_stem = {}\n", gnuplot_quote(stem));
  out += "terminals = \" \" . GPVAL_TERMINALS . \" \"\n";
  out += "do for [format in \"png svg pdf\"] {\n";
  out +=
      "  terminal = format eq \"png\" ? \"pngcairo\" : format eq \"pdf\" ? \"pdfcairo\" : format\n";
  out += "  if (strstrt(terminals, \" \" . terminal . \" \") > 0) {\n";
  out += fmt::format(
      "    if (format eq \"png\") {{ set terminal pngcairo size {:.0f},{:.0f} enhanced "
      "font \"Sans,{:g}\" fontscale {:.3f} linewidth {:.3f} pointscale {:.3f} }}\n",
      size.width_in * size.png_dpi, size.height_in * size.png_dpi, size.font_pt, png_scale,
      png_scale, png_scale);
  out += fmt::format(
      "    if (format eq \"svg\") {{ set terminal svg size {:.0f},{:.0f} dynamic enhanced "
      "font \"Sans,{:g}\" fontscale {:.3f} linewidth {:.3f} }}\n",
      size.width_in * 96, size.height_in * 96, size.font_pt, svg_scale * kTextScale, svg_scale);
  out += fmt::format(
      "    if (format eq \"pdf\") {{ set terminal pdfcairo size {:g}in,{:g}in enhanced "
      "font \"Sans,{:g}\" fontscale 1 linewidth 2 }}\n",
      size.width_in, size.height_in, size.font_pt);
  out += "    set output output_stem . \".\" . format\n";
  // The plot command, indented to sit inside the loop.
  std::string indented = "    ";
  for (char c : plot_command) {
    indented += c;
    if (c == '\n') indented += "    ";
  }
  while (!indented.empty() && (indented.back() == ' ' || indented.back() == '\n'))
    indented.pop_back();
  out += indented + "\n    unset output\n  }\n}\n";
  return out;
}

std::string gnuplot_quote(const std::string& text) {
  // Single-quoted pieces: gnuplot expands neither backquotes (`cmd` runs cmd inside double
  // quotes) nor @macros nor backslash escapes there, so a name can never become code. A quote
  // or a newline, which a single-quoted piece cannot hold (gnuplot 5.4 misreads a doubled
  // quote next to another quote or the opening one), is spliced in as the fixed literal "'"
  // or "\n"; other control characters become spaces.
  std::vector<std::string> parts;
  std::string piece;
  auto flush = [&] {
    if (!piece.empty()) parts.push_back("'" + piece + "'");
    piece.clear();
  };
  for (char c : text) {
    if (c == '\'' || c == '\n') {
      flush();
      parts.push_back(c == '\n' ? "\"\\n\"" : "\"'\"");
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      piece += ' ';
    } else {
      piece += c;
    }
  }
  flush();
  if (parts.empty()) return "''";
  if (parts.size() == 1 && parts[0][0] == '\'') return parts[0];
  // Parenthesised so the concatenation stays one operand wherever the string is used.
  std::string out = "(";
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "." : "") + parts[i];
  return out + ")";
}

std::string gnuplot_comment(const std::string& text) {
  // A newline would end the comment and make the rest a command; a trailing backslash would
  // continue the comment over the next line of the script.
  std::string out = text;
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  while (!out.empty() && (out.back() == '\\' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string gnuplot_enhanced_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (std::strchr("_^@&{}~", c)) out += '\\';
    out += c;
  }
  return out;
}

SeriesStyle series_style(int index) {
  // Okabe-Ito and Tol colours, told apart by colour-blind readers, minus yellow, which
  // vanishes on white. 11 colours and 6 shapes are coprime: the first 66 looks all differ.
  static const char* const kColours[kNumSeriesColours] = {
      "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9",
      "#882255", "#332288", "#999933", "#aa4499", "#44aa99"};
  // Filled / hollow pairs: circle, square, triangle up, triangle down, diamond, pentagon.
  static const int kShapes[][2] = {{7, 6}, {5, 4}, {9, 8}, {11, 10}, {13, 12}, {15, 14}};
  const int n_shapes = static_cast<int>(sizeof kShapes / sizeof kShapes[0]);
  const int i = index < 0 ? 0 : index;
  return {kColours[i % kNumSeriesColours], kShapes[i % n_shapes][0], kShapes[i % n_shapes][1]};
}

std::vector<int> method_style_indices(const std::vector<std::string>& names) {
  // Every method has a home look drawn from its name (FNV-1a: the same in every figure and on
  // every dataset, with no list of method names to keep up to date). Within a figure the
  // methods claim looks in name order, whatever order they are given in: a method whose home
  // colour is taken moves to the next free one.
  auto home = [](const std::string& name) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : name) h = (h ^ c) * 1099511628211ull;
    return static_cast<int>(h % (6 * kNumSeriesColours));  // 6 shapes x the colours
  };
  std::vector<size_t> order(names.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return names[a] < names[b]; });
  std::vector<int> style(names.size(), 0);
  std::vector<int> used;
  for (size_t i : order) {
    int index = home(names[i]);
    for (int tries = 0; tries < kNumSeriesColours; ++tries) {
      const bool clash = std::any_of(used.begin(), used.end(), [&](int u) {
        return series_style(u).colour == series_style(index).colour;
      });
      if (!clash) break;
      ++index;
    }
    used.push_back(index);
    style[i] = index;
  }
  return style;
}

std::string figure_text(const std::string& text) {
  std::string out = text;
  for (char& c : out) {
    if (c == ',') c = ';';
    if (c == '"') c = '\'';
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';  // gnuplot reads by line
  }
  return out;
}

std::vector<double> log_axis_tics(double lo, double hi) {
  std::vector<double> tics;
  const int first = static_cast<int>(std::floor(std::log10(lo)));
  const int last = static_cast<int>(std::ceil(std::log10(hi)));
  const bool decades_only = last - first > 3;
  for (int e = first; e <= last; ++e)
    for (double m : {1.0, 2.0, 5.0}) {
      if (decades_only && m != 1.0) continue;
      const double t = m * std::pow(10.0, e);
      if (t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9)) tics.push_back(t);
    }
  return tics;
}

FigureLayout legend_below_layout(FigureSize& size, int legend_entries, size_t longest_entry,
                                 bool has_title, double plot_height_in) {
  FigureLayout layout;
  layout.plot_height_in = plot_height_in;
  layout.top_in = has_title ? 0.25 : 0.1;
  // A key column: the sample line (samplen 2) and gaps, about 4 characters, then the text.
  // Two columns at the usual legend font, else two at a font a point smaller, else one.
  auto column_in = [&](double font_pt) {
    return (4.0 + static_cast<double>(longest_entry)) * kDrawnCharWidthEm * kTextScale * font_pt *
           kPointInches;
  };
  const double room_in = size.width_in - 0.1;
  layout.key_font_pt = size.font_pt - 0.5;
  layout.legend_columns = 2;
  if (2 * column_in(layout.key_font_pt) > room_in) {
    layout.key_font_pt = size.font_pt - 1;
    if (2 * column_in(layout.key_font_pt) > room_in) {
      layout.key_font_pt = size.font_pt - 0.5;
      layout.legend_columns = 1;
    }
  }
  // gnuplot sizes key columns at about 0.67 em a character: take back the excess.
  layout.key_width = 1 - static_cast<int>(std::lround(0.15 * static_cast<double>(longest_entry)));
  const int entries = std::max(0, legend_entries);
  layout.legend_rows = (entries + layout.legend_columns - 1) / layout.legend_columns;
  // gnuplot spaces key lines wider than text lines.
  const double legend_line_in = 1.6 * layout.key_font_pt * kPointInches;
  layout.legend_top_in = layout.legend_rows * legend_line_in + 0.1;
  size.height_in = layout.top_in + layout.plot_height_in + layout.axis_in + layout.legend_top_in;
  return layout;
}

std::string layout_commands(const FigureSize& size, const FigureLayout& layout) {
  const double w = size.width_in, h = size.height_in;
  std::string s;
  s +=
      fmt::format("# Layout for {:g} x {:.2f} in: fixed margins, legend under the x axis.\n", w, h);
  s += fmt::format("set lmargin at screen {:.4f}\n", layout.left_in / w);
  s += fmt::format("set rmargin at screen {:.4f}\n", 1 - layout.right_in / w);
  s += fmt::format("set tmargin at screen {:.4f}\n", 1 - layout.top_in / h);
  s += fmt::format("set bmargin at screen {:.4f}\n",
                   1 - (layout.top_in + layout.plot_height_in) / h);
  s += fmt::format(
      "set key at screen {:.4f}, screen {:.4f} center top vertical maxrows {} Left reverse "
      "samplen 2 spacing 1.0 width {} font \",{:g}\"\n",
      0.5, layout.legend_top_in / h, std::max(1, layout.legend_rows), layout.key_width,
      layout.key_font_pt);
  return s;
}

}  // namespace lazystack::reports
