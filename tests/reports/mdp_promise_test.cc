// LazyStack's MDP promise vs what its policy achieved on val_cal (reports/mdp_promise.h), on
// hand-made diagnostics whose gap, interval and in-sample gap are worked out here.
#include "reports/mdp_promise.h"

#include <gtest/gtest.h>

#include <cmath>

#include "reports/table.h"
#include "tests/reports/fixtures.h"

namespace lazystack::reports {
namespace {
using nlohmann::json;

// digits-like: 500 val_fit / 500 val_cal; promised (cross-fitted) 95.0%, achieved 95.4% on
// val_cal; the all-of-val_fit policy's in-sample value was 99.0%.
json with_promise() {
  json s = testing_reports::ablation_summary();  // has a complete lazystack-sub entry
  s["splits"] = {{"train", 3000}, {"val_fit", 500}, {"val_cal", 500}, {"test", 1000}};
  s["methods"]["lazystack-sub"]["diagnostics"] = {{"selected",
                                                   {{"beta", 10.0},
                                                    {"theta", 0.9},
                                                    {"mdp_promise",
                                                     {{"beta", 10.0},
                                                      {"promised_accuracy", 0.950},
                                                      {"promise_kind", "cross-fitted"},
                                                      {"in_sample_promised_accuracy", 0.990},
                                                      {"val_cal_accuracy", 0.954}}}}}};
  return s;
}

TEST(MdpPromise, GapIntervalAndInSamplePromise) {
  const MdpPromise p = mdp_promise(with_promise());
  ASSERT_TRUE(p.present);
  EXPECT_DOUBLE_EQ(p.beta, 10.0);
  EXPECT_EQ(p.kind, "cross-fitted");
  EXPECT_NEAR(p.gap(), -0.004, 1e-12);
  EXPECT_NEAR(p.in_sample_gap(), 0.036, 1e-12);
  // 1.96 sqrt(0.954 * 0.046 / 500) = 0.018362
  EXPECT_NEAR(p.achieved_half_width, 0.018362, 1e-6);

  const std::string md = to_markdown(mdp_promise_table({{"digits", with_promise()}}));
  const std::vector<std::string> row = testing_reports::markdown_row(md, "digits");
  ASSERT_EQ(row.size(), 10u) << md;
  EXPECT_EQ(row[1], "500 / 500");
  EXPECT_EQ(row[3], "95.00");
  EXPECT_EQ(row[4], "95.40 ± 1.84");
  EXPECT_EQ(row[5], "-0.40");
  EXPECT_EQ(row[6], "yes");  // 0.4 points is inside val_cal's 1.84-point sampling interval
  EXPECT_EQ(row[7], "cross-fitted");
  EXPECT_EQ(row[8], "99.00");
  EXPECT_EQ(row[9], "+3.60");
}

// A summary from before the cross-fitted promise: its promise was the in-sample one, and the
// table says so instead of presenting it as cross-fitted.
TEST(MdpPromise, OlderRunsPromiseIsLabelledInSample) {
  json s = with_promise();
  json& row = s["methods"]["lazystack-sub"]["diagnostics"]["selected"]["mdp_promise"];
  row.erase("promise_kind");
  row.erase("in_sample_promised_accuracy");
  row["promised_accuracy"] = 0.990;
  const MdpPromise p = mdp_promise(s);
  EXPECT_EQ(p.kind, "in-sample (older run)");
  EXPECT_NEAR(p.gap(), 0.036, 1e-12);
  EXPECT_NEAR(p.in_sample_gap(), 0.036, 1e-12);
  const std::string md = to_markdown(mdp_promise_table({{"old", s}}));
  EXPECT_EQ(testing_reports::markdown_row(md, "old")[6], "no") << md;
  EXPECT_EQ(testing_reports::markdown_row(md, "old")[7], "in-sample (older run)") << md;
}

TEST(MdpPromise, SmallGapIsWithinSplitNoiseAndMissingMdpIsSaid) {
  json s = with_promise();
  s["methods"]["lazystack-sub"]["diagnostics"]["selected"]["mdp_promise"]["promised_accuracy"] =
      0.944;  // under-promised by 1 point: inside +-1.84
  json no_sub = testing_reports::ablation_summary();
  no_sub["methods"].erase("lazystack-sub");
  json failed = with_promise();
  failed["methods"]["lazystack-sub"]["error"] = "fit failed";
  EXPECT_FALSE(mdp_promise(no_sub).present);
  EXPECT_FALSE(mdp_promise(failed).present);

  const std::string md = to_markdown(mdp_promise_table({{"a", s}, {"b", no_sub}, {"c", failed}}));
  EXPECT_EQ(testing_reports::markdown_row(md, "a")[5], "-1.00") << md;
  EXPECT_EQ(testing_reports::markdown_row(md, "a")[6], "yes") << md;
  EXPECT_NE(md.find("no MDP promise recorded"), std::string::npos) << md;
  EXPECT_NE(md.find("covers val_cal's sampling only"), std::string::npos) << md;
}

}  // namespace
}  // namespace lazystack::reports
