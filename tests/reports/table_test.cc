// The three renderings of a Table and the number formats the reports share.
#include "reports/table.h"

#include <gtest/gtest.h>

#include "reports/gnuplot.h"
#include "reports/tables.h"

namespace lazystack::reports {
namespace {

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
  EXPECT_EQ(gnuplot_quote("a \"b\" \\c"), "\"a \\\"b\\\" \\\\c\"");
  EXPECT_EQ(gnuplot_enhanced_escape("my_method^2"), "my\\_method\\^2");
  EXPECT_TRUE(Gnuplot("/nonexistent/gnuplot").locate().empty());
  EXPECT_FALSE(Gnuplot("/bin/sh").locate().empty());
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
