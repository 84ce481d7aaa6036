// The OCL stream figure: panels from the headline test stream of each online method, its CSV
// rows, and the shift marker; runs without online methods draw nothing.
#include "reports/ocl_figure.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/reports/fixtures.h"

namespace lazystack {
namespace {

using nlohmann::json;

// A stream record of three windows of 10 samples: logistic, mlp, expert.
json stream_record(int shift_start) {
  return {{"stages", {"logistic", "mlp", "expert"}},
          {"window_end", {10, 20, 30}},
          {"share",
           {{"logistic", {0.0, 0.5, 0.7}}, {"mlp", {0.0, 0.2, 0.2}}, {"expert", {1.0, 0.3, 0.1}}}},
          {"window_accuracy", {0.9, 0.8, 0.85}},
          {"running_accuracy", {0.9, 0.85, 0.85}},
          {"shift", shift_start < 0 ? "none" : "classes"},
          {"shift_start", shift_start}};
}

TEST(OclFigure, OnePanelPerOnlineMethodFromItsHeadlineStream) {
  json summary = testing_reports::small_summary();
  EXPECT_TRUE(reports::ocl_figure(summary).panels.empty());  // no online method
  json& m = summary["methods"]["cost-cascade"];
  // The headline is the second streamed knob: its record is drawn, not the first one.
  m["diagnostics"]["stream"] = {{"headline_index", 1},
                                {"test", {stream_record(-1), stream_record(20)}}};
  const reports::OclFigure fig = reports::ocl_figure(summary);
  ASSERT_EQ(fig.panels.size(), 1u);
  const reports::OclPanel& p = fig.panels[0];
  EXPECT_EQ(p.stages, (std::vector<std::string>{"logistic", "mlp", "expert"}));
  EXPECT_EQ(p.position, (std::vector<int>{10, 20, 30}));
  EXPECT_EQ(p.shift_start, 20);
  EXPECT_EQ(p.share[2], (std::vector<double>{1.0, 0.3, 0.1}));
  const std::string csv = reports::ocl_csv(fig);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 5 * 3);  // header + 5 series x 3
  EXPECT_NE(csv.find("cost-cascade,share:expert,30,0.1\n"), std::string::npos) << csv;
  const std::string script = reports::ocl_script(fig, "ocl_stream.csv", "ocl_stream");
  EXPECT_NE(script.find("set arrow from 20,0 to 20,1"), std::string::npos) << script;
  EXPECT_NE(script.find("'share:mlp'"), std::string::npos);
}

}  // namespace
}  // namespace lazystack
