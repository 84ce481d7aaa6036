// The three renderings of a Table and the number formats the reports share.
#include "reports/table.h"

#include <fmt/core.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "reports/gnuplot.h"
#include "reports/tables.h"

namespace lazystack::reports {
namespace {
namespace fs = std::filesystem;

Table two_by_two() {
  Table t;
  t.columns = {{"name", "", "name", Align::kLeft},
               {"value (%)", "value (\\%)", "value"},
               {"", "", "hidden", Align::kLeft, /*display=*/false},
               {"unit", "", "unit", Align::kLeft}};
  t.add_row({{{"a_b", "a_b"}, {"1.50", "0.015"}, {"", "x,y"}, {"s", "s"}}});
  t.add_row({{{"c|d", "c|d"}, {"-", ""}, {"", "say \"hi\""}, {"-", ""}}, "broke: 50% & more", 1});
  t.notes = {"A note."};
  return t;
}

TEST(Table, MarkdownPadsAlignsAndEscapes) {
  const std::string md = to_markdown(two_by_two());
  EXPECT_EQ(md,
            "| name | value (%) | unit              |\n"
            "| :--- | --------: | :---------------- |\n"
            "| a_b  |      1.50 | s                 |\n"
            "| c\\|d |         - | broke: 50% & more |\n"
            "\nA note.\n");
}

TEST(Table, LatexEscapesAndSpansTheNote) {
  const std::string tex = to_latex(two_by_two());
  EXPECT_NE(tex.find("\\begin{tabular}{lrl}"), std::string::npos) << tex;
  EXPECT_NE(tex.find("name & value (\\%) & unit \\\\"), std::string::npos) << tex;
  EXPECT_NE(tex.find("a\\_b & 1.50 & s \\\\"), std::string::npos) << tex;
  EXPECT_NE(tex.find("c|d & \\multicolumn{2}{l}{broke: 50\\% \\& more} \\\\"), std::string::npos)
      << tex;
  EXPECT_EQ(latex_escape("5\u00d7 \u00b11 a\u2014b ~^#$"),
            "5$\\times$ $\\pm$1 a---b \\textasciitilde{}\\textasciicircum{}\\#\\$");
  EXPECT_EQ(latex_escape("a > b < c \u2248 d"), "a \\textgreater{} b \\textless{} c $\\approx$ d");
}

TEST(Table, CsvQuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(to_csv(two_by_two()),
            "name,value,hidden,unit\n"
            "a_b,0.015,\"x,y\",s\n"
            "c|d,,\"say \"\"hi\"\"\",\n");
}

TEST(Table, RowWithTheWrongNumberOfCellsIsRejected) {
  Table t = two_by_two();
  EXPECT_THROW(t.add_row({{{"only", "one"}}}), std::logic_error);
}

TEST(Formats, NumbersPrintShortAndNonFiniteAsADash) {
  EXPECT_EQ(format_percent(0.92514, 2), "92.51");
  EXPECT_EQ(format_amount(0.09123), "0.09123");
  EXPECT_EQ(format_amount(1.7341), "1.734");
  EXPECT_EQ(format_amount(12345), "12.35k");
  EXPECT_EQ(format_amount(4.1e6), "4.1M");
  EXPECT_EQ(format_amount(1500), "1500");
  EXPECT_EQ(format_speedup(5.5), "5.50\u00d7");
  EXPECT_EQ(format_speedup(NAN), "\u2014");
  EXPECT_EQ(format_fixed(INFINITY, 2), "\u2014");
  EXPECT_EQ(format_raw(0.1), "0.1");
  EXPECT_EQ(std::stod(format_raw(0.9177777777777777)), 0.9177777777777777);
  EXPECT_EQ(format_raw(NAN), "");
}

TEST(Gnuplot, QuotingAndEnhancedText) {
  // Single-quoted pieces (no backquote substitution, no escapes); quotes and newlines spliced.
  EXPECT_EQ(gnuplot_quote("a \"b\" \\c"), "'a \"b\" \\c'");
  EXPECT_EQ(gnuplot_quote("it's `x`"), "('it'.\"'\".'s `x`')");
  EXPECT_EQ(gnuplot_quote("''"), "(\"'\".\"'\")");
  EXPECT_EQ(gnuplot_quote(""), "''");
  EXPECT_EQ(gnuplot_quote("a\nb"), "('a'.\"\\n\".'b')");
  EXPECT_EQ(gnuplot_quote("a\tb\x01"), "'a b '");
  EXPECT_EQ(gnuplot_comment("plot of x\n!touch y \\"), "plot of x !touch y");
  EXPECT_EQ(gnuplot_enhanced_escape("my_method^2"), "my\\_method\\^2");
  EXPECT_TRUE(Gnuplot("/nonexistent/gnuplot").locate().empty());
  EXPECT_FALSE(Gnuplot("/bin/sh").locate().empty());
}

// The quoted text is what gnuplot reads back, character for character, and nothing in it runs.
TEST(Gnuplot, QuotedTextRoundTripsAndNeverRuns) {
  const std::string gnuplot = Gnuplot("gnuplot").locate();
  ASSERT_FALSE(gnuplot.empty()) << "gnuplot is needed (scripts/install-deps.sh installs it)";
  const fs::path dir = fs::temp_directory_path() / fmt::format("lazystack-quote-{}", ::getpid());
  fs::create_directories(dir);
  const std::string marker = (dir / "ran").string();
  const std::vector<std::string> texts = {
      "`touch " + marker + "`",          "'`touch " + marker + "`'",
      "\"`touch " + marker + "`\"",      "x\n`touch " + marker + "`\ny",
      "@ARG0 @x `touch " + marker + "`", "back\\slash \\\" quote''s '''",
      "$(touch " + marker + ")",         "lazystack\\_sub ^{2}"};
  std::string script = "set print '-'\n";
  for (const auto& t : texts) script += "print " + gnuplot_quote(t) + "\n";
  { std::ofstream(dir / "q.gp") << script; }
  const GnuplotRun run = Gnuplot(gnuplot).run(dir.string(), "q.gp");
  ASSERT_TRUE(run.started);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  std::string expected;
  for (const auto& t : texts) expected += t + "\n";
  EXPECT_EQ(run.output, expected);
  EXPECT_FALSE(fs::exists(marker)) << "a quoted string ran a command";
  fs::remove_all(dir);
}

// A script that does not finish is killed at the time limit with everything it started.
TEST(Gnuplot, RunIsKilledAtTheTimeLimit) {
  const fs::path dir = fs::temp_directory_path() / fmt::format("lazystack-hang-{}", ::getpid());
  fs::create_directories(dir);
  { std::ofstream(dir / "hang.gp") << "sleep 30 & sleep 30\n"; }  // /bin/sh reads it
  const auto t0 = std::chrono::steady_clock::now();
  const GnuplotRun run =
      Gnuplot("/bin/sh", std::chrono::milliseconds(300)).run(dir.string(), "hang.gp");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_TRUE(run.timed_out);
  EXPECT_NE(run.exit_code, 0);
  EXPECT_LT(seconds, 20.0);  // generous: not a timing test, only "not the full 30 s"
  EXPECT_NE(run.output.find("killed after"), std::string::npos) << run.output;
  fs::remove_all(dir);
}

TEST(Gnuplot, StylesAreDistinct) {
  for (int i = 0; i < 66; ++i)
    for (int j = 0; j < i; ++j) {
      const SeriesStyle a = series_style(i), b = series_style(j);
      EXPECT_FALSE(a.colour == b.colour && a.point_type == b.point_type) << i << " " << j;
    }
}

}  // namespace
}  // namespace lazystack::reports
