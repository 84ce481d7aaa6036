// Which zoo models a method sees: derived members (Gatekeeper variants) only when it names one.
#include "pipeline/members.h"

#include <gtest/gtest.h>

namespace lazystack {
namespace {

using Refs = std::vector<std::pair<std::string, std::string>>;

const std::vector<std::string> kZoo = {"small", "big", "small-gk0.1", "mid"};
const std::set<std::string> kDerived = {"small-gk0.1"};

// A card naming models the way abc does: a list, tiers and a single name.
MethodCard tiered_card() {
  return MethodCard::swept("1")
      .names_models("members", ModelOption::kNames)
      .names_models("tiers", ModelOption::kTiers)
      .names_models("final_model", ModelOption::kName);
}

TEST(ModelReferences, TheCardsModelOptionsInCardOrder) {
  const Options o(nlohmann::json{{"members", {"mid", "big"}},
                                 {"tiers", {"small+ mid", "big, small-gk0.1"}},
                                 {"final_model", "big"},
                                 {"epochs", 3}});
  EXPECT_EQ(model_references(tiered_card(), o), (Refs{{"members", "mid"},
                                                      {"members", "big"},
                                                      {"tiers", "small"},
                                                      {"tiers", "mid"},
                                                      {"tiers", "big"},
                                                      {"tiers", "small-gk0.1"},
                                                      {"final_model", "big"}}));
  // Empty lists and an empty final_model name nothing.
  EXPECT_TRUE(
      model_references(tiered_card(), Options(nlohmann::json{{"members", nlohmann::json::array()},
                                                             {"final_model", ""}}))
          .empty());
  EXPECT_TRUE(model_references(tiered_card(), Options()).empty());
  // Only the options the card lists name models: a method naming models under another key
  // declares it.
  const Options other(nlohmann::json{{"experts", {"big"}}, {"members", {"mid"}}});
  EXPECT_EQ(model_references(tiered_card(), other), (Refs{{"members", "mid"}}));
  EXPECT_EQ(
      model_references(MethodCard::swept("1").names_models("experts", ModelOption::kNames), other),
      (Refs{{"experts", "big"}}));
}

TEST(ModelsSeenBy, DerivedModelsOnlyWhenNamed) {
  const std::vector<int> base = {0, 1, 3}, all = {0, 1, 2, 3};
  EXPECT_EQ(models_seen_by(tiered_card(), Options(), kZoo, kDerived), base);
  EXPECT_EQ(models_seen_by(tiered_card(), Options(nlohmann::json{{"members", {"small", "mid"}}}),
                           kZoo, kDerived),
            base);
  EXPECT_EQ(
      models_seen_by(tiered_card(), Options(nlohmann::json{{"members", {"small-gk0.1", "mid"}}}),
                     kZoo, kDerived),
      all);
  EXPECT_EQ(
      models_seen_by(tiered_card(), Options(nlohmann::json{{"tiers", {"small-gk0.1", "mid+big"}}}),
                     kZoo, kDerived),
      all);
  EXPECT_EQ(models_seen_by(tiered_card(), Options(nlohmann::json{{"final_model", "small-gk0.1"}}),
                           kZoo, kDerived),
            all);
  // No derived models: everyone sees the whole zoo.
  EXPECT_EQ(models_seen_by(tiered_card(), Options(), kZoo, {}), all);
}

TEST(WidenMask, RestrictedIndicesMapBackToTheZoo) {
  // Restricted table = zoo models {0, 1, 3}: its bits 0 and 2 are zoo models 0 and 3.
  EXPECT_EQ(widen_mask(0b101u, {0, 1, 3}), 0b1001u);
  EXPECT_EQ(widen_mask(0b010u, {0, 1, 3}), 0b0010u);
  EXPECT_EQ(widen_mask(0u, {0, 1, 3}), 0u);
  EXPECT_EQ(widen_mask(0b11u, {5, 63}), (uint64_t{1} << 5) | (uint64_t{1} << 63));
}

}  // namespace
}  // namespace lazystack
