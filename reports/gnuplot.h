// Running gnuplot on a script kept beside its data, and the pieces every figure script shares
// (output terminals, series styles, string quoting). A figure is three files a reader can
// re-run by hand: <stem>.csv (the plotted numbers), <stem>.gp (the script), and the images
// <stem>.png / .svg / .pdf that `cd figures && gnuplot <stem>.gp` writes.
#pragma once

#include <string>

namespace lazystack::reports {

/// What one gnuplot run did.
struct GnuplotRun {
  bool started = false;  ///< false: the executable could not be run at all
  int exit_code = -1;
  std::string output;  ///< stdout and stderr together (gnuplot warns on stderr)
};

/// The gnuplot executable: a name looked up on PATH ("gnuplot") or a path.
class Gnuplot {
 public:
  explicit Gnuplot(std::string command = "gnuplot") : command_(std::move(command)) {}

  const std::string& command() const { return command_; }
  /// The executable's full path; empty when it is not found (or not executable).
  std::string locate() const;
  /// Runs `gnuplot <script_name>` with `dir` as the working directory and waits for it.
  GnuplotRun run(const std::string& dir, const std::string& script_name) const;

 private:
  std::string command_;
};

/// Physical size of a figure: the PDF's size; PNG and SVG are scaled from it.
struct FigureSize {
  double width_in = 3.4;  ///< a paper's column width
  double height_in = 3.0;
  double font_pt = 7.0;
  int png_dpi = 300;
};

/// Script lines that draw `plot_command` (a complete `plot ...` command) into <stem>.png,
/// .svg and .pdf, each only when this gnuplot has the terminal (pngcairo, svg, pdfcairo), so
/// the script runs anywhere. Everything before them in the script sets up the figure.
std::string gnuplot_outputs(const std::string& stem, const FigureSize& size,
                            const std::string& plot_command);

/// A gnuplot string literal: double-quoted, with backslashes and quotes escaped.
std::string gnuplot_quote(const std::string& text);
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

/// Writes <dir>/<stem>.csv and <dir>/<stem>.gp, then runs gnuplot to render the images.
/// Missing or failing gnuplot: logs one warning per renderer (the data and script stay, and a
/// reader can render them later) and returns false; never throws for that. An empty gnuplot
/// command turns images off without a warning. Throws std::runtime_error only when the CSV or
/// script cannot be written.
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
