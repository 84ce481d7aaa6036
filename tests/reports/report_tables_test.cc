// The run's tables as render_report writes them (headline: Markdown, CSV, LaTeX; zoo), on
// summaries built by hand.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "reports/report.h"
#include "tests/reports/fixtures.h"

namespace lazystack {
namespace {
using nlohmann::json;
using testing_reports::markdown_row;
using testing_reports::read_csv;
using testing_reports::read_file;
using testing_reports::small_summary;
using testing_reports::TempDir;
using testing_reports::write_summary;

TEST(HeadlineTable, MarkdownNumbersMatchTheSummary) {
  const json s = small_summary();
  const std::string md = headline_markdown(s);
  for (const char* name : {"cost-cascade", "stacker"}) {
    const json& h = s["methods"][name]["headline"];
    const auto cells = markdown_row(md, name);
    // method, acc., retention, cost, × best baseline, best baseline, × single front, × full,
    // × Pareto ens., × cost-cascade, models, overhead, knob.
    ASSERT_EQ(cells.size(), 13u) << name << "\n" << md;
    EXPECT_NEAR(std::stod(cells[1]), 100 * h["accuracy"].get<double>(), 0.005) << name;
    EXPECT_NEAR(std::stod(cells[2]), 100 * h["retention"].get<double>(), 0.05) << name;
    EXPECT_NEAR(std::stod(cells[3]), h["mean_cost"].get<double>(),
                5e-4 * h["mean_cost"].get<double>())
        << name;
    EXPECT_NEAR(std::stod(cells[7]), h["speedup_vs_full"].get<double>(), 0.005) << name;
    EXPECT_NEAR(std::stod(cells[10]), h["mean_models"].get<double>(), 0.005) << name;
    EXPECT_NEAR(std::stod(cells[11]), h["overhead_ns"].get<double>(), 0.5) << name;
  }
  EXPECT_EQ(markdown_row(md, "cost-cascade")[12], "theta=0.9");
  // × cascade (equal acc.): the cascade's headline is on its own front (1.00×); the stacker's
  // 93.05% is above the cascade's best 91.78%, so it is not reachable.
  EXPECT_EQ(markdown_row(md, "cost-cascade")[9], "1.00\u00d7");
  EXPECT_EQ(markdown_row(md, "stacker")[9], "\u2014");
  // Best baseline for the cascade: the singles alone (it is not compared with itself). Its
  // headline (0.3871, .9178) sits between cnn-s (0.09, .9013) and resnet-8 (0.9, .9187):
  // 0.09 + (.0165 / .0174) * 0.81 = 0.8581, / 0.3871 = 2.22.
  EXPECT_EQ(markdown_row(md, "cost-cascade")[4], "2.22\u00d7");
  EXPECT_EQ(markdown_row(md, "cost-cascade")[5], "single:cnn-s+single:resnet-8");
  // The oracle is marked as a bound; the failed method carries its error.
  const auto oracle = markdown_row(md, "oracle (bound)");
  ASSERT_FALSE(oracle.empty()) << md;
  EXPECT_NEAR(std::stod(oracle[1]), 97.12, 0.005);
  const auto gk = markdown_row(md, "gatekeeper");
  ASSERT_FALSE(gk.empty()) << md;
  EXPECT_EQ(gk[1], "\u2014");
  EXPECT_NE(gk.back().find("failed: needs white-box zoo models"), std::string::npos) << md;
  // Working methods by cost, then bounds, then failures.
  EXPECT_LT(md.find("| cost-cascade"), md.find("| stacker"));
  EXPECT_LT(md.find("| stacker"), md.find("| oracle"));
  EXPECT_LT(md.find("| oracle"), md.find("| gatekeeper"));
  // The reference numbers under the table.
  EXPECT_NE(md.find("93.05%"), std::string::npos) << md;
  EXPECT_NE(md.find("resnet-8"), std::string::npos);
}

TEST(HeadlineTable, FileIsTheCliTextAndCsvKeepsFullPrecision) {
  TempDir dir;
  const json s = small_summary();
  write_summary(dir.path(), s);
  render_report(dir.str(), ReportOptions{""});
  EXPECT_EQ(read_file(dir.path() / "tables/headline.md"), headline_markdown(s));
  const auto rows = read_csv(dir.path() / "tables/headline.csv");
  ASSERT_EQ(rows.size(), 4u);
  std::map<std::string, std::map<std::string, std::string>> by_name;
  for (const auto& r : rows) by_name[r.at("method")] = r;
  const json& h = s["methods"]["cost-cascade"]["headline"];
  EXPECT_EQ(std::stod(by_name["cost-cascade"]["accuracy"]), h["accuracy"].get<double>());
  EXPECT_EQ(std::stod(by_name["cost-cascade"]["speedup_vs_full"]),
            h["speedup_vs_full"].get<double>());
  EXPECT_EQ(by_name["cost-cascade"]["status"], "ok");
  EXPECT_EQ(by_name["oracle"]["status"], "bound");
  EXPECT_EQ(by_name["gatekeeper"]["status"], "failed");
  EXPECT_EQ(by_name["gatekeeper"]["accuracy"], "");
  EXPECT_EQ(by_name["gatekeeper"]["error"], s["methods"]["gatekeeper"]["error"].get<std::string>());
}

// Counts \begin{env} and \end{env} per environment.
std::map<std::string, int> latex_balance(const std::string& tex) {
  std::map<std::string, int> depth;
  std::regex env(R"(\\(begin|end)\{([a-z*]+)\})");
  for (auto it = std::sregex_iterator(tex.begin(), tex.end(), env); it != std::sregex_iterator();
       ++it)
    depth[(*it)[2]] += (*it)[1] == "begin" ? 1 : -1;
  return depth;
}

TEST(HeadlineTable, LatexHasBalancedEnvironmentsBooktabsAndFullRows) {
  TempDir dir;
  json s = small_summary();
  s["methods"]["my_method"] = s["methods"]["stacker"];  // an underscore needs escaping
  write_summary(dir.path(), s);
  render_report(dir.str(), ReportOptions{""});
  for (const char* f : {"tables/headline.tex", "tables/zoo.tex"}) {
    const std::string tex = read_file(dir.path() / f);
    for (const auto& [env, d] : latex_balance(tex)) EXPECT_EQ(d, 0) << f << ": " << env;
    EXPECT_EQ(latex_balance(tex).count("tabular"), 1u) << f;
    const size_t top = tex.find("\\toprule"), mid = tex.find("\\midrule"),
                 bottom = tex.find("\\bottomrule");
    ASSERT_NE(top, std::string::npos) << f;
    ASSERT_NE(mid, std::string::npos) << f;
    ASSERT_NE(bottom, std::string::npos) << f;
    EXPECT_LT(top, mid);
    EXPECT_LT(mid, bottom);
    EXPECT_EQ(tex.find("\\hline"), std::string::npos) << f;

    // Every row between the rules spans the column spec (a \multicolumn counts its span).
    std::smatch m;
    ASSERT_TRUE(std::regex_search(tex, m, std::regex(R"(\\begin\{tabular\}\{([lrc]+)\})")));
    const size_t columns = m[1].length();
    std::istringstream body(tex.substr(top, bottom - top));
    std::string line;
    int rows = 0;
    while (std::getline(body, line)) {
      if (line.find("\\\\") == std::string::npos) continue;
      size_t cols = 1;
      for (size_t i = 0; i < line.size(); ++i)
        if (line[i] == '&' && (i == 0 || line[i - 1] != '\\')) ++cols;
      std::smatch span;
      if (std::regex_search(line, span, std::regex(R"(\\multicolumn\{(\d+)\})")))
        cols += std::stoul(span[1]) - 1;
      EXPECT_EQ(cols, columns) << f << ": " << line;
      ++rows;
    }
    EXPECT_GT(rows, 3) << f;
  }
  const std::string tex = read_file(dir.path() / "tables/headline.tex");
  EXPECT_NE(tex.find("my\\_method"), std::string::npos);
  EXPECT_NE(tex.find("\\multicolumn{12}{l}{failed: needs white-box"), std::string::npos) << tex;
  EXPECT_NE(tex.find("oracle (bound)"), std::string::npos);
}

TEST(ZooTable, OneRowPerModelWithItsNumbers) {
  TempDir dir;
  json s = small_summary();
  s["zoo"].push_back({{"name", "vit"}, {"arch", "vit"}, {"error", "out of memory"}});
  write_summary(dir.path(), s);
  render_report(dir.str(), ReportOptions{""});
  const std::string md = read_file(dir.path() / "tables/zoo.md");
  const auto cnn = markdown_row(md, "cnn-s");
  ASSERT_EQ(cnn.size(), 8u) << md;
  EXPECT_EQ(cnn[1], "cnn");
  EXPECT_NEAR(std::stod(cnn[2]), 90.6, 0.005);
  EXPECT_NEAR(std::stod(cnn[3]), 90.13, 0.005);
  EXPECT_NEAR(std::stod(cnn[4]), 0.09, 1e-9);
  EXPECT_EQ(cnn[5], "1.2M");
  EXPECT_EQ(cnn[6], "52k");
  const auto vit = markdown_row(md, "vit");
  ASSERT_FALSE(vit.empty());
  EXPECT_EQ(vit.back(), "failed: out of memory");
  const auto rows = read_csv(dir.path() / "tables/zoo.csv");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(std::stod(rows[2].at("macs")), 2.3e7);
  EXPECT_EQ(rows[3].at("error"), "out of memory");
}

}  // namespace
}  // namespace lazystack
