// The registry's cards as the reports read them (pipeline/cards.h).
#include "pipeline/cards.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "pipeline/config.h"
#include "reports/summary.h"

namespace lazystack {
namespace {
using nlohmann::json;

TEST(Cards, DefaultFigureMethodsComeFromTheCards) {
  const Registries r = make_builtin_registries();
  // LazyStack's two in report order, the best cascade, then the other in_figure cards by name.
  EXPECT_EQ(default_figure_methods(r.methods),
            (std::vector<std::string>{"lazystack-sub", "lazystack-mask", "best-cascade", "abc",
                                      "coe", "oracle", "stacker", "woc"}));
  MethodRegistry none;
  EXPECT_TRUE(default_figure_methods(none).empty());
}

TEST(Cards, EachReportRoleHasOneBuiltinHolder) {
  const Registries r = make_builtin_registries();
  std::map<MethodRole, std::vector<std::string>> by_role;
  for (const MethodRegistry::Entry* e : r.methods.entries())
    by_role[e->card.role].push_back(e->name);
  for (MethodRole role : {MethodRole::kEachModel, MethodRole::kCostOrderCascade,
                          MethodRole::kSearchedCascade, MethodRole::kLead})
    EXPECT_EQ(by_role[role].size(), 1u) << to_string(role);
  EXPECT_EQ(by_role[MethodRole::kLead].front(), "lazystack-sub");
  EXPECT_EQ(by_role[MethodRole::kEachModel].front(), "single");
}

TEST(Cards, ReportsReadTheBuiltinCardsForFieldsAnOldSummaryLacks) {
  use_builtin_cards_in_reports();
  const json old = {{"method", "cost-cascade"}, {"bound", false}};  // no card fields at all
  const reports::CardFields c = reports::card_fields(old, "cost-cascade");
  EXPECT_TRUE(c.has_role(MethodRole::kCostOrderCascade));
  EXPECT_TRUE(c.early_exit);
  EXPECT_EQ(c.kind, "swept");
  EXPECT_TRUE(reports::card_fields(json::object(), "lazystack-sub").proposed);
  EXPECT_EQ(reports::card_fields(json::object(), "oracle").kind, "bound");
  reports::set_card_lookup(nullptr);
}

}  // namespace
}  // namespace lazystack
