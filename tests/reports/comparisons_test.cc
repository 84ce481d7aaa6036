// The comparison metrics on hand-made curves, every number worked out by hand.
#include "reports/comparisons.h"

#include <gtest/gtest.h>

#include <cmath>

#include "reports/summary.h"
#include "tests/reports/fixtures.h"

namespace lazystack::reports {
namespace {
using nlohmann::json;

TEST(BestBaseline, EnvelopeAcrossMethodsKeepsWhoProvidesEachPoint) {
  const std::vector<BaselinePoint> env =
      lower_envelope({{1, .80, "A"},
                      {4, .90, "A"},
                      {2, .86, "B"},
                      {3, .85, "B"},  // dominated by B's (2, .86)
                      {8, .95, "B"},
                      {5, NAN, "C"}});
  ASSERT_EQ(env.size(), 4u);
  EXPECT_EQ(env[0].method, "A");
  EXPECT_EQ(env[1].method, "B");
  EXPECT_EQ(env[2].method, "A");
  EXPECT_EQ(env[3].method, "B");
  // Between B's (2, .86) and A's (4, .90): halfway, a mix of the two.
  const EnvelopeCost mid = envelope_cost_at(env, .88);
  EXPECT_DOUBLE_EQ(mid.cost, 3.0);
  EXPECT_EQ(mid.method, "B+A");
  EXPECT_DOUBLE_EQ(envelope_cost_at(env, .86).cost, 2.0);
  EXPECT_EQ(envelope_cost_at(env, .86).method, "B");
  EXPECT_DOUBLE_EQ(envelope_cost_at(env, .5).cost, 1.0);  // below the cheapest: its cost
  EXPECT_TRUE(std::isnan(envelope_cost_at(env, .96).cost));
  EXPECT_EQ(envelope_cost_at(env, .96).method, "");
}

TEST(Routing, ApgrAndCptOfAKnownCurve) {
  // Weak (1, .70), strong (10, .90): gap .2, cost span 9. Curve (2, .80), (4, .88), (6, .91).
  const RoutingMetrics r = routing_metrics({{2, .80}, {4, .88}, {6, .91}}, {1, .70}, {10, .90});
  // PGR 0.5 at accuracy .80: cost 2, x = 1/9. PGR 0.8 at .86: cost 3.5, x = 2.5/9.
  EXPECT_NEAR(r.cpt50, 1.0 / 9, 1e-12);
  EXPECT_NEAR(r.cpt80, 2.5 / 9, 1e-12);
  // Trapezoids over cost of PGR = (acc - .7) / .2: .25 + 1.4 + 1.95 + 4 * 1.05 = 7.8, over 9.
  EXPECT_NEAR(r.apgr, 7.8 / 9, 1e-6);
  // The weak model itself routes nothing: APGR 0, CPT never reached.
  const RoutingMetrics none = routing_metrics({}, {1, .70}, {10, .90});
  EXPECT_NEAR(none.apgr, 0.0, 1e-12);
  EXPECT_TRUE(std::isnan(none.cpt50));
  // No gap between weak and strong: nothing to measure.
  EXPECT_TRUE(std::isnan(routing_metrics({{2, .8}}, {1, .9}, {10, .9}).apgr));
}

json zoo_model(const std::string& name, double cost, double val, double test) {
  return {{"name", name},          {"cost", cost},      {"val_accuracy", val},
          {"test_accuracy", test}, {"parent", nullptr}, {"error", nullptr}};
}

json method(const std::string& registry, std::vector<std::pair<double, double>> front,
            std::pair<double, double> headline, bool bound = false) {
  json m = {{"method", registry}, {"bound", bound}, {"error", nullptr}};
  m["pareto"] = json::array();
  for (auto [c, a] : front) m["pareto"].push_back({{"mean_cost", c}, {"accuracy", a}});
  m["headline"] = {{"mean_cost", headline.first}, {"accuracy", headline.second}};
  testing_reports::add_card(m, registry);  // what the pipeline writes from the method's card
  return m;
}

// Singles w (1, .70), m (5, .82), s (10, .90) and d (20; .85 on val, .91 on test: dominated on
// val by s, so not on the single front, but a baseline point all the same); a Gatekeeper
// variant (has a parent: not a base model). Full stacker .92, full ensemble cost 36.
json hand_summary() {
  json s;
  s["zoo"] = {zoo_model("w", 1, .70, .70), zoo_model("m", 5, .80, .82),
              zoo_model("s", 10, .90, .90), zoo_model("d", 20, .85, .91),
              zoo_model("w-gk", 1, .99, .99)};
  s["zoo"][4]["parent"] = "w";
  s["reference"] = {{"full_stacker_accuracy", .92}, {"full_ensemble_cost", 36.0}};
  s["methods"]["lazy"] = method("lazystack-sub", {{2, .80}, {4, .88}, {6, .91}}, {4, .88});
  s["methods"]["lazy-hi"] = method("lazystack-mask", {{8, .93}}, {8, .93});
  s["methods"]["casc"] = method("cost-cascade", {{1.5, .78}, {3, .86}, {12, .90}}, {3, .86});
  s["methods"]["oracle"] = method("oracle", {{0.5, .99}}, {0.5, .99}, /*bound=*/true);
  s["methods"]["broken"] = {{"method", "woc"}, {"error", "failed"}};
  // The `single` method: its points are the base models, named by model in the envelope.
  s["methods"]["single"] = method("single", {{1, .70}, {5, .82}, {10, .90}}, {10, .90});
  return s;
}

TEST(ComparisonMetrics, HandMadeRun) {
  json s = hand_summary();
  add_comparison_metrics(s);
  const json& lazy = s["methods"]["lazy"]["metrics"];
  // Baselines: casc's front and the four base singles (not lazy-hi, the oracle or w-gk).
  // Envelope: (1, .70 w) (1.5, .78 casc) (3, .86 casc) (10, .90 s) (20, .91 d). At .88: halfway
  // between casc's (3, .86) and s's (10, .90) = 6.5, against lazy's 4.
  EXPECT_DOUBLE_EQ(lazy["x_best_baseline"].get<double>(), 6.5 / 4);
  EXPECT_EQ(lazy["best_baseline"], "casc+single:s");
  // Single front (w, m, s): at .88, 3/4 of the way from m (5) to s (10) = 8.75.
  EXPECT_DOUBLE_EQ(lazy["x_single_front"].get<double>(), 8.75 / 4);
  // Cost to reach .95 * .92 = .874: 2 + (.074 / .08) * 2; .97 * .92 = .8924: 4 + (.0124 / .03) * 2;
  // .99 * .92 = .9108 is above lazy's best .91: not reached.
  EXPECT_NEAR(lazy["cost_to_reach"]["0.95"].get<double>(), 2 + .074 / .08 * 2, 1e-9);
  EXPECT_NEAR(lazy["cost_to_reach"]["0.97"].get<double>(), 4 + .0124 / .03 * 2, 1e-9);
  EXPECT_TRUE(lazy["cost_to_reach"]["0.99"].is_null());
  EXPECT_TRUE(lazy["cost_to_reach"]["0.995"].is_null());
  // Step function over log10 cost in [1, 36]: 0 until 2, then .80, .88 from 4, .91 from 6.
  const double auc =
      (.80 * (std::log10(4) - std::log10(2)) + .88 * (std::log10(6) - std::log10(4)) +
       .91 * (std::log10(36) - std::log10(6))) /
      std::log10(36);
  EXPECT_NEAR(lazy["auc_log_cost"].get<double>(), auc, 1e-12);
  EXPECT_NEAR(lazy["apgr"].get<double>(), 7.8 / 9, 1e-6);
  EXPECT_NEAR(lazy["cpt50"].get<double>(), 1.0 / 9, 1e-12);

  // Above every baseline and every single model: nothing to compare with at that accuracy.
  const json& hi = s["methods"]["lazy-hi"]["metrics"];
  EXPECT_TRUE(hi["x_best_baseline"].is_null());
  EXPECT_TRUE(hi["best_baseline"].is_null());
  EXPECT_TRUE(hi["x_single_front"].is_null());

  // A baseline is compared with the others, never with itself: casc at (3, .86) against the
  // singles alone, halfway between m (5, .82) and s (10, .90).
  const json& casc = s["methods"]["casc"]["metrics"];
  EXPECT_DOUBLE_EQ(casc["x_best_baseline"].get<double>(), 7.5 / 3);
  EXPECT_EQ(casc["best_baseline"], "single:m+single:s");
  EXPECT_EQ(s["methods"]["single"]["metrics"]["best_baseline"], "single:s");

  EXPECT_FALSE(s["methods"]["broken"].contains("metrics"));
  EXPECT_EQ(s["reference"]["auc_cost_range"], json::array({1.0, 36.0}));
  EXPECT_EQ(s["reference"]["routing"]["weak"], "w");
  EXPECT_EQ(s["reference"]["routing"]["strong"], "s");  // most accurate on val; w-gk is derived
}

TEST(ComparisonMetrics, SingleFrontIsChosenOnValidation) {
  const std::vector<CostAccuracy> front = single_model_front(hand_summary());
  ASSERT_EQ(front.size(), 3u);  // d is dominated on val (.85 at 20 vs s's .90 at 10)
  EXPECT_EQ(front[2].cost, 10);
  EXPECT_EQ(front[2].accuracy, .90);
}

}  // namespace
}  // namespace lazystack::reports

namespace lazystack::reports {
namespace {

// A summary written before a card field existed takes it from the running build's card of its
// registry name (set_card_lookup); a field the summary has wins; no lookup: the defaults.
TEST(CardFields, MissingFieldsComeFromTheInstalledCards) {
  const json old_entry = {{"method", "cascade-x"},
                          {"bound", false},
                          {"kind", "swept"},
                          {"early_exit", true},
                          {"proposed", false}};
  set_card_lookup(nullptr);
  CardFields c = card_fields(old_entry, "cascade-x");
  EXPECT_EQ(c.role, "none");
  EXPECT_FALSE(c.in_figure);
  EXPECT_EQ(c.report_order, -1);
  EXPECT_TRUE(c.early_exit);

  set_card_lookup([](const std::string& name) {
    if (name != "cascade-x") return json();
    return json{{"kind", "swept"},   {"early_exit", false},
                {"proposed", false}, {"role", "cost-order-cascade"},
                {"in_figure", true}, {"report_order", -1}};
  });
  c = card_fields(old_entry, "cascade-x");
  EXPECT_TRUE(c.has_role(MethodRole::kCostOrderCascade));
  EXPECT_TRUE(c.in_figure);
  EXPECT_TRUE(c.early_exit);  // the summary's own value wins over the card's
  EXPECT_EQ(card_fields(old_entry, "unknown").role, "none");  // not registered: defaults
  // A bound without any card field: its kind follows "bound".
  EXPECT_EQ(card_fields(json{{"bound", true}}, "unknown").kind, "bound");
  set_card_lookup(nullptr);
}

}  // namespace
}  // namespace lazystack::reports
