// Running gnuplot on a script kept beside its data, and the pieces every figure script shares
// (output terminals, series styles, string quoting). A figure is three files a reader can
// re-run by hand: <stem>.csv (the plotted numbers), <stem>.gp (the script), and the images
// <stem>.png / .svg / .pdf that `cd figures && gnuplot <stem>.gp` writes.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace lazystack::reports {

/// What one gnuplot run did.
struct GnuplotRun {
  bool started = false;  ///< false: the executable could not be run at all
  int exit_code = -1;
  std::string output;      ///< stdout and stderr together (gnuplot warns on stderr)
  bool timed_out = false;  ///< killed at the time limit
};

/// The gnuplot executable: a name looked up on PATH ("gnuplot") or a path.
class Gnuplot {
 public:
  explicit Gnuplot(std::string command = "gnuplot",
                   std::chrono::milliseconds timeout = kDefaultTimeout)
      : command_(std::move(command)), timeout_(timeout) {}
  /// One figure takes well under a second; a script still running after this is killed.
  static constexpr std::chrono::milliseconds kDefaultTimeout{120000};

  const std::string& command() const { return command_; }
  /// The executable's full path; empty when it is not found (or not executable).
  std::string locate() const;
  /// Runs `gnuplot [-e <first>] <script_name>` with `dir` as the working directory and waits
  /// for it, at most the timeout (then it and its process group are killed). `first`, when not
  /// empty, is gnuplot code run before the script (e.g. a variable the script reads).
  GnuplotRun run(const std::string& dir, const std::string& script_name,
                 const std::string& first = "") const;

 private:
  std::string command_;
  std::chrono::milliseconds timeout_;
};

/// Every format draws text at kTextScale times FigureSize::font_pt (what the PNG has always
/// shown: cairo lays text out at 96 dpi), so font_pt 7 is 9.3 pt text on the page.
constexpr double kTextScale = 4.0 / 3.0;

/// Physical size of a figure: the PDF's size; PNG and SVG are scaled from it and look the same.
struct FigureSize {
  double width_in = 3.4;  ///< a paper's column width
  double height_in = 3.0;
  double font_pt = 7.0;  ///< gnuplot's font size; text is kTextScale times this on the page
  int png_dpi = 300;
};

/// Script lines that draw `plot_command` (a complete `plot ...` command) into <stem>.png,
/// .svg and .pdf, each only when this gnuplot has the terminal (pngcairo, svg, pdfcairo), so
/// the script runs anywhere. Everything before them in the script sets up the figure. The
/// images go to <output_stem>.<format> when the gnuplot variable output_stem is set before
/// the script runs (FigureRenderer renders to temporary names that way), else to <stem>.*.
std::string gnuplot_outputs(const std::string& stem, const FigureSize& size,
                            const std::string& plot_command);

/// The head of every figure script: "# <what>" (through gnuplot_comment), "# Data: <csv>
/// (<columns>), written by lazystack from <source>.", how to re-render it by hand, then reset,
/// UTF-8, CSV input and `data = "<csv>"`.
std::string script_header(const std::string& what, const std::string& csv_name,
                          const std::string& columns, const std::string& stem,
                          const std::string& source = "summary.json");
/// `set title` at one point above the figure's font; "" for an empty title.
std::string title_command(const std::string& title, const FigureSize& size);
/// "plot \" with one clause per line (a blank "NaN notitle" when there is none).
std::string plot_command(const std::vector<std::string>& clauses);
/// "plot \" with one clause per line (a blank "NaN notitle" when there is none), drawn into
/// <stem>.png/.svg/.pdf by gnuplot_outputs(); starts with a blank line.
std::string plot_and_outputs(const std::vector<std::string>& clauses, const std::string& stem,
                             const FigureSize& size);

/// A gnuplot string expression that is data, never code: single-quoted pieces (no backquote
/// command substitution, no @macros, no escapes) with quotes and newlines spliced in as the
/// literals "'" and "\n", other control characters as spaces. Every string written into a
/// script goes through it.
std::string gnuplot_quote(const std::string& text);
/// Text safe after "# " on one line of a script: control characters (a newline would end the
/// comment and start a command) become spaces, trailing backslashes (line continuation) go.
std::string gnuplot_comment(const std::string& text);
/// Text for enhanced-mode labels and titles: escapes the characters enhanced text treats
/// specially (_ ^ @ & { } ~) so "lazystack_sub" shows as typed. Apply before gnuplot_quote.
std::string gnuplot_enhanced_escape(const std::string& text);

/// Distinct colours series_style() cycles through (with 6 marker shapes: 66 distinct looks).
constexpr int kNumSeriesColours = 11;

/// The distinct look of the i-th plotted series: colour-blind-safe colours paired with marker
/// shapes, so series stay apart in greyscale print too.
struct SeriesStyle {
  std::string colour;    ///< "#0072b2"
  int point_type = 7;    ///< filled marker (gnuplot pt)
  int outline_type = 6;  ///< the same shape hollow, for emphasis rings
};
SeriesStyle series_style(int index);

/// Style indices (for series_style) of the methods of one figure, in the same order: each
/// method keeps the look its name hashes to in every figure unless it would collide with a
/// method of this one earlier in name order; then it takes the next free colour. The result
/// does not depend on the order `names` come in. No two methods of a figure share a colour
/// (up to kNumSeriesColours of them).
std::vector<int> method_style_indices(const std::vector<std::string>& names);

/// Text fit for a field of a figure's CSV: gnuplot splits CSV fields at commas even inside
/// quotes (strcol("a,b") gives "a"), so commas become ';' and '"' becomes '\''; it reads a
/// record per line, so control characters (newlines) become spaces.
std::string figure_text(const std::string& text);

/// 1-2-5 tics inside [lo, hi] for a log axis; only decades when the range spans more than
/// three of them.
std::vector<double> log_axis_tics(double lo, double hi);

/// Rough text metrics of DejaVu Sans, the cairo terminals' "Sans", for laying out figures.
constexpr double kCharWidthEm = 0.62;  ///< mean character width, in font sizes
/// Mean width of a lower-case name's character as drawn, in drawn font sizes (kTextScale
/// times font_pt); gnuplot's own estimate, which sizes legend columns, is about 0.67.
constexpr double kDrawnCharWidthEm = 0.56;
constexpr double kLineHeightEm = 1.25;  ///< line height, in font sizes
constexpr double kPointInches = 1.0 / 72.0;

/// The fixed layout of a figure with a title, one plot and its legend under the x axis label
/// (in inches): fixed so the plot area is the same size whatever the legend holds.
struct FigureLayout {
  double left_in = 0.62;  ///< left of the plot: y tic labels and label
  double right_in = 0.12;
  double top_in = 0.25;  ///< above the plot: the title
  double plot_height_in = 2.0;
  double axis_in = 0.45;       ///< under the plot: x tic labels and label
  int legend_columns = 2;      ///< two, or one when two of the longest entry cannot fit
  int legend_rows = 0;         ///< entries per column
  int key_width = 1;           ///< gnuplot's `set key width`: corrects its text width estimate
  double key_font_pt = 6.5;    ///< the legend's font (FigureSize::font_pt units)
  double legend_top_in = 0.0;  ///< the legend's top edge, from the figure's bottom edge
};

/// Lays out a figure of `size.width_in` whose legend has `legend_entries` entries, the longest
/// `longest_entry` characters, and sets `size.height_in` to hold title, plot, x axis and legend.
FigureLayout legend_below_layout(FigureSize& size, int legend_entries, size_t longest_entry,
                                 bool has_title, double plot_height_in);

/// Script lines placing the plot area and the legend (set lmargin/rmargin/tmargin/bmargin at
/// screen positions; set key under the x axis label, centred on the figure).
std::string layout_commands(const FigureSize& size, const FigureLayout& layout);

/// Writes <dir>/<stem>.csv and <dir>/<stem>.gp, then runs gnuplot to render the images.
/// Images are written atomically: gnuplot draws them under temporary names beside the final
/// ones that keep the extension (<stem>.tmp-<pid>-<tag>.png, removed by
/// remove_orphaned_temporaries when their process is gone), and they are renamed into place
/// only when gnuplot exits 0; a killed, timed-out or failing gnuplot leaves no image at the
/// final paths (stale ones of an earlier render are removed first). Missing or failing gnuplot:
/// logs one warning per renderer (the data and script stay, and a reader can render them later) and
/// returns false; never throws for that. An empty gnuplot command turns images off without a
/// warning. Throws std::runtime_error only when the CSV or script cannot be written.
class FigureRenderer {
 public:
  explicit FigureRenderer(Gnuplot gnuplot) : gnuplot_(std::move(gnuplot)) {}

  bool render(const std::string& dir, const std::string& stem, const std::string& csv,
              const std::string& script);

 private:
  void warn(const std::string& message);

  Gnuplot gnuplot_;
  bool checked_ = false;  ///< located the executable once
  bool available_ = false;
  bool warned_ = false;
};

}  // namespace lazystack::reports
