// LazyStack's MDP promise vs what its policy achieved on val_cal (reports/mdp_promise.h), on
// hand-made diagnostics whose gap, interval and corrected gap are worked out here.
#include "reports/mdp_promise.h"

#include <gtest/gtest.h>

#include <cmath>

#include "reports/table.h"
#include "tests/reports/fixtures.h"

namespace lazystack::reports {
namespace {
using nlohmann::json;

// digits-like: 500 val_fit / 500 val_cal; promised 99.0%, achieved 95.4% on val_cal; on
// val_fit the leave-fold-out MDPs promised 99.4% and their held-out policies reached 96.0%.
json with_promise() {
  json s = testing_reports::ablation_summary();  // has a complete lazystack-sub entry
  s["splits"] = {{"train", 3000}, {"val_fit", 500}, {"val_cal", 500}, {"test", 1000}};
  s["methods"]["lazystack-sub"]["diagnostics"] = {{"selected",
                                                   {{"beta", 10.0},
                                                    {"theta", 0.9},
                                                    {"mdp_promise",
                                                     {{"beta", 10.0},
                                                      {"promised_accuracy", 0.990},
                                                      {"val_cal_accuracy", 0.954},
                                                      {"val_fit_promised_accuracy", 0.994},
                                                      {"val_fit_cross_fitted_accuracy", 0.960}}}}}};
  return s;
}

TEST(MdpPromise, GapIntervalAndCrossFittedCorrection) {
  const MdpPromise p = mdp_promise(with_promise());
  ASSERT_TRUE(p.present);
  EXPECT_DOUBLE_EQ(p.beta, 10.0);
  EXPECT_NEAR(p.gap(), 0.036, 1e-12);
  EXPECT_NEAR(p.cross_fitted_optimism, 0.034, 1e-12);
  EXPECT_NEAR(p.corrected_gap(), 0.002, 1e-12);
  // 1.96 sqrt(0.954 * 0.046 / 500) = 0.018362
  EXPECT_NEAR(p.achieved_half_width, 0.018362, 1e-6);

  const std::string md = to_markdown(mdp_promise_table({{"digits", with_promise()}}));
  const std::vector<std::string> row = testing_reports::markdown_row(md, "digits");
  ASSERT_EQ(row.size(), 9u) << md;
  EXPECT_EQ(row[1], "500 / 500");
  EXPECT_EQ(row[3], "99.00");
  EXPECT_EQ(row[4], "95.40 ± 1.84");
  EXPECT_EQ(row[5], "+3.60");
  EXPECT_EQ(row[6], "no");  // 3.6 points is outside val_cal's 1.84-point sampling interval
  EXPECT_EQ(row[7], "+3.40");
  EXPECT_EQ(row[8], "+0.20");
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
