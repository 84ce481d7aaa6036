#include "methods/abc/abc.h"

#include <gtest/gtest.h>

#include <string>

#include "core/evaluate.h"
#include "tests/methods/tables.h"

namespace lazystack {
namespace {

// Eight models, three classes, six samples (labels 0 1 2 0 1 2). Each model puts `peak` on the
// class it predicts and splits the rest evenly, except where a vector is given in full.
//            cost  s0 s1 s2 s3 s4 s5   val_fit accuracy
//   a           1   0  1  0  1  2  0   2/6
//   b           2   0  1  1  1  2  1   2/6
//   c           3   0  2  2  1  1  0   3/6
//   d           4   0  1  2  0  1  1   5/6
//   e           5   0  1  2  0  1  0   5/6
//   f           6   0  1  0  0  1  2   5/6
//   best       10   0  1  2  0  1  2   6/6
//   huge       20   0  0  0  0  0  0   2/6
// Automatic tiers (tier_size 3): {a, b, c}, {d, e, f}, {best}; huge costs more than best and is
// not used. Tier 1 votes: s0 3/3 for 0, s1 2/3 for 1, s2 1/3 each (a .5 on 0, b .7 on 1, c .6
// on 2: the summed probability breaks the tie for 1), s3 3/3 for 1 (wrong), s4 2/3 for 2
// (wrong), s5 2/3 for 0 (wrong). Tier 2: s1 3/3 for 1, s2 2/3 for 2, s4 3/3 for 1, s5 1/3 each
// (d .6 on 1, e .6 on 0, f .8 on 2: 2 wins the tie).
enum : int { kA, kB, kC, kD, kE, kF, kBest, kHuge };
const std::vector<std::string> kNames = {"a", "b", "c", "d", "e", "f", "best", "huge"};
const std::vector<double> kCosts = {1, 2, 3, 4, 5, 6, 10, 20};

std::vector<float> peaked(int cls, float peak) {
  std::vector<float> p(3, (1.0f - peak) / 2);
  p[cls] = peak;
  return p;
}

LogitTable tier_table() {
  const int said[8][6] = {{0, 1, 0, 1, 2, 0}, {0, 1, 1, 1, 2, 1}, {0, 2, 2, 1, 1, 0},
                          {0, 1, 2, 0, 1, 1}, {0, 1, 2, 0, 1, 0}, {0, 1, 0, 0, 1, 2},
                          {0, 1, 2, 0, 1, 2}, {0, 0, 0, 0, 0, 0}};
  std::vector<std::vector<std::vector<float>>> probs(8);
  for (int m = 0; m < 8; ++m)
    for (int n = 0; n < 6; ++n) probs[m].push_back(peaked(said[m][n], 0.6f));
  probs[kA][2] = peaked(0, 0.5f);
  probs[kB][2] = peaked(1, 0.7f);
  probs[kF][5] = peaked(2, 0.8f);
  return testing::table_from_probs(kNames, kCosts, {0, 1, 2, 0, 1, 2}, probs);
}

Abc make_abc(const nlohmann::json& overrides) {
  return Abc(default_options(Abc::option_specs(), overrides));
}

uint64_t mask(std::initializer_list<int> models) {
  uint64_t m = 0;
  for (int i : models) m |= uint64_t{1} << i;
  return m;
}

EvalOptions accounting(CostModel model, double tier_delay = 0.0) {
  EvalOptions o;
  o.cost_model = model;
  o.tier_delay = tier_delay;
  return o;
}

TEST(Abc, AutomaticTiersByCostEndWithTheBestModel) {
  const LogitTable t = tier_table();
  Abc abc = make_abc({{"tier_size", 3}});
  abc.fit(testing::fit_on(t));
  EXPECT_EQ(abc.tiers(), (std::vector<std::vector<int>>{{kA, kB, kC}, {kD, kE, kF}, {kBest}}));
  // Every vote fraction of a tier of three, with 2/3 and 1 among them.
  EXPECT_EQ(abc.agreements(), (std::vector<double>{1.0 / 3, 2.0 / 3, 1.0}));
  const auto diag = abc.diagnostics();
  EXPECT_EQ(diag["final_model"], "best");
  EXPECT_EQ(diag["unused"], (std::vector<std::string>{"huge"}));
  EXPECT_DOUBLE_EQ(diag["tiers"][1]["parallel_cost"].get<double>(), 6.0);
  EXPECT_DOUBLE_EQ(diag["tiers"][1]["sequential_cost"].get<double>(), 15.0);
}

TEST(Abc, TierSizesSplitTheCheaperModelsEvenly) {
  const LogitTable t = tier_table();
  Abc pairs = make_abc({});  // tier_size: 2 (the default)
  pairs.fit(testing::fit_on(t));
  EXPECT_EQ(pairs.tiers(), (std::vector<std::vector<int>>{{kA, kB}, {kC, kD}, {kE, kF}, {kBest}}));
  EXPECT_EQ(pairs.agreements(), (std::vector<double>{0.5, 2.0 / 3, 1.0}));
  // Five cheaper members, at least two per tier: two tiers, the larger first.
  Abc five = make_abc({{"tier_size", 2}, {"members", {"e", "best", "d", "c", "b", "a"}}});
  five.fit(testing::fit_on(t));
  EXPECT_EQ(five.tiers(), (std::vector<std::vector<int>>{{kA, kB, kC}, {kD, kE}, {kBest}}));
  // Fewer cheaper members than tier_size, but at least two: one tier of them.
  Abc small = make_abc({{"tier_size", 4}, {"members", {"a", "b", "best"}}});
  small.fit(testing::fit_on(t));
  EXPECT_EQ(small.tiers(), (std::vector<std::vector<int>>{{kA, kB}, {kBest}}));
  // A chosen final model: only the members cheaper than it tier up before it.
  Abc last_d = make_abc({{"final_model", "d"}});
  last_d.fit(testing::fit_on(t));
  EXPECT_EQ(last_d.tiers(), (std::vector<std::vector<int>>{{kA, kB, kC}, {kD}}));
  EXPECT_EQ(last_d.diagnostics()["unused"], (std::vector<std::string>{"e", "f", "best", "huge"}));
  // One cheaper member cannot vote: the final model alone, one cost.
  Abc alone = make_abc({{"members", {"a", "best"}}});
  alone.fit(testing::fit_on(t));
  EXPECT_EQ(alone.tiers(), (std::vector<std::vector<int>>{{kBest}}));
  EXPECT_DOUBLE_EQ(evaluate(alone, t, EvalOptions{}).mean_cost, 10.0);
}

TEST(Abc, UnanimityAndTwoThirdsHandComputed) {
  const LogitTable t = tier_table();
  Abc abc = make_abc({{"tier_size", 3}});
  abc.fit(testing::fit_on(t));
  SampleDecisions d;

  // theta = 1: s0 exits at tier 1 (0, right), s3 too (1, wrong); s1 and s4 at tier 2 (1, right);
  // s2 and s5 reach best (2, right).
  abc.set_knob(Knob().set("agreement", 1.0));
  OperatingPoint p = evaluate(abc, t, accounting(CostModel::kParallel), &d);
  EXPECT_EQ(d.prediction, (std::vector<int32_t>{0, 1, 2, 1, 1, 2}));
  const uint64_t t1 = mask({kA, kB, kC}), t2 = t1 | mask({kD, kE, kF}), t3 = t2 | mask({kBest});
  EXPECT_EQ(d.executed_mask, (std::vector<uint64_t>{t1, t2, t3, t1, t2, t3}));
  EXPECT_DOUBLE_EQ(p.accuracy, 5.0 / 6);
  // Parallel: a tier costs its dearest member: 3, 3 + 6, 3 + 6 + 10.
  EXPECT_EQ(d.cost, (std::vector<float>{3, 9, 19, 3, 9, 19}));
  EXPECT_EQ(p.depth_histogram, (std::vector<int64_t>{0, 2, 2, 2, 0, 0, 0, 0, 0}));
  EXPECT_DOUBLE_EQ(p.mean_models, (3 + 6 + 7 + 3 + 6 + 7) / 6.0);
  // Sequential: a tier costs the sum of its members: 6, 6 + 15, 6 + 15 + 10.
  p = evaluate(abc, t, accounting(CostModel::kSequential), &d);
  EXPECT_EQ(d.cost, (std::vector<float>{6, 21, 31, 6, 21, 31}));
  EXPECT_DOUBLE_EQ(p.mean_cost, 116.0 / 6);

  // theta = 2/3: every sample but s2 exits at tier 1 (s1 right; s3, s4, s5 wrong); s2 exits
  // at tier 2 with 2.
  abc.set_knob(Knob().set("agreement", 2.0 / 3));
  p = evaluate(abc, t, accounting(CostModel::kParallel), &d);
  EXPECT_EQ(d.prediction, (std::vector<int32_t>{0, 1, 2, 1, 2, 0}));
  EXPECT_DOUBLE_EQ(p.accuracy, 3.0 / 6);
  EXPECT_DOUBLE_EQ(p.mean_cost, (5 * 3 + 9) / 6.0);
  EXPECT_DOUBLE_EQ(evaluate(abc, t, accounting(CostModel::kSequential)).mean_cost,
                   (5 * 6 + 21) / 6.0);

  // theta = 1/3: the first tier always answers; s2's three-way tie goes to class 1 (the
  // largest summed probability, 1.15).
  abc.set_knob(Knob().set("agreement", 1.0 / 3));
  p = evaluate(abc, t, accounting(CostModel::kParallel), &d);
  EXPECT_EQ(d.prediction, (std::vector<int32_t>{0, 1, 1, 1, 2, 0}));
  EXPECT_DOUBLE_EQ(p.mean_cost, 3.0);
}

TEST(Abc, AgreementIsAVoteShareOfTheTier) {
  EXPECT_EQ(Abc::required_votes(3, 1.0), 3);
  EXPECT_EQ(Abc::required_votes(3, 2.0 / 3), 2);
  EXPECT_EQ(Abc::required_votes(3, 0.66), 2);
  EXPECT_EQ(Abc::required_votes(3, 0.67), 3);  // above 2/3: unanimity among three
  EXPECT_EQ(Abc::required_votes(4, 2.0 / 3), 3);
  EXPECT_EQ(Abc::required_votes(2, 2.0 / 3), 2);
  EXPECT_EQ(Abc::required_votes(5, 0.5), 3);
  EXPECT_EQ(Abc::required_votes(1, 1.0), 1);  // a tier of one always exits
  EXPECT_EQ(Abc::required_votes(4, 0.01), 1);
}

TEST(Abc, NoTierThatRanIsFree) {
  // The public ABC code charged ensemble tiers nothing. Here every sample pays exactly the sum
  // over the tiers it reached of that tier's max (parallel) or sum (sequential), plus the
  // tier delay per tier.
  const LogitTable t = tier_table();
  Abc abc = make_abc({{"tier_size", 3}});
  abc.fit(testing::fit_on(t));
  const double parallel_tier[] = {3, 6, 10}, sequential_tier[] = {6, 15, 10};
  for (double theta : abc.agreements()) {
    abc.set_knob(Knob().set("agreement", theta));
    for (const CostModel model : {CostModel::kParallel, CostModel::kSequential}) {
      for (const double delay : {0.0, 0.5}) {
        SCOPED_TRACE(std::to_string(theta) + " " + to_string(model) + " " + std::to_string(delay));
        SampleDecisions d;
        evaluate(abc, t, accounting(model, delay), &d);
        for (int n = 0; n < t.num_samples(); ++n) {
          double expected = 0;
          for (int k = 0; k < d.depth[n]; ++k)
            expected +=
                (model == CostModel::kParallel ? parallel_tier : sequential_tier)[k] + delay;
          EXPECT_GT(d.cost[n], 0.0f);
          EXPECT_FLOAT_EQ(d.cost[n], static_cast<float>(expected));
        }
      }
    }
  }
}

TEST(Abc, CoeInstanceParallelWithPerTierDelays) {
  // The `coe` instance of the default configs: the same cascade as `abc`, charged under its own
  // accounting (cost_model: parallel, tier_delays) whatever the experiment's is.
  const LogitTable t = tier_table();
  Abc abc = make_abc({{"tier_size", 3}});
  abc.fit(testing::fit_on(t));
  abc.set_knob(Knob().set("agreement", 1.0));
  const EvalOptions coe = with_method_accounting(
      accounting(CostModel::kSequential),
      default_options(accounting_option_specs(),
                      {{"cost_model", "parallel"}, {"tier_delays", {0.5, 2.0, 7.0}}}));
  SampleDecisions d;
  evaluate(abc, t, coe, &d);
  // Exits at tiers 1, 2, 3, 1, 2, 3: tier k costs its dearest member plus the k-th delay.
  const float t1 = 3 + 0.5f, t2 = t1 + 6 + 2, t3 = t2 + 10 + 7;
  EXPECT_EQ(d.cost, (std::vector<float>{t1, t2, t3, t1, t2, t3}));
  // The sequential `abc` instance on the same decisions.
  evaluate(abc, t, accounting(CostModel::kSequential), &d);
  EXPECT_EQ(d.cost, (std::vector<float>{6, 21, 31, 6, 21, 31}));
}

TEST(Abc, GivenTiersRunInTheGivenOrderAndTheLastTierVotes) {
  // Tiers {c, a} and {f, e, d}. theta = 1: s0 and s3 agree at tier 1, s5 too (a, c: 0, wrong);
  // s1, s2, s4 go to tier 2 (1, 2, 1). The last tier also votes.
  const LogitTable t = tier_table();
  Abc abc = make_abc({{"tiers", {"c+a", "f + e, d"}}, {"agreements", {1.0}}});
  abc.fit(testing::fit_on(t));
  EXPECT_EQ(abc.tiers(), (std::vector<std::vector<int>>{{kC, kA}, {kF, kE, kD}}));
  EXPECT_EQ(abc.agreements(), (std::vector<double>{1.0}));
  SampleDecisions d;
  OperatingPoint p = evaluate(abc, t, accounting(CostModel::kSequential), &d);
  EXPECT_EQ(d.prediction, (std::vector<int32_t>{0, 1, 2, 1, 1, 0}));
  EXPECT_EQ(d.cost, (std::vector<float>{4, 19, 19, 4, 19, 4}));
  EXPECT_DOUBLE_EQ(evaluate(abc, t, accounting(CostModel::kParallel)).mean_cost, 36.0 / 6);
  EXPECT_EQ(abc.diagnostics()["unused"], (std::vector<std::string>{"b", "best", "huge"}));

  // The last tier answers with its majority vote even without agreement: on s5, d, e, f say
  // 1, 0, 2 and f's .8 wins the tie.
  Abc last = make_abc({{"tiers", {"d+e+f"}}});
  last.fit(testing::fit_on(t));
  evaluate(last, t, EvalOptions{}, &d);
  EXPECT_EQ(d.prediction[5], 2);
  EXPECT_EQ(d.cost, std::vector<float>(6, 15.0f));
}

TEST(Abc, BadTiersAreClearErrors) {
  const LogitTable t = tier_table();
  // A model the zoo does not have: known only at fit time, named in the error.
  Abc unknown = make_abc({{"tiers", {"a+zebra", "best"}}});
  try {
    unknown.fit(testing::fit_on(t));
    FAIL() << "an unknown model must not fit";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("zebra"), std::string::npos) << e.what();
  }
  Abc unknown_final = make_abc({{"final_model", "zebra"}});
  EXPECT_THROW(unknown_final.fit(testing::fit_on(t)), std::runtime_error);
  Abc unknown_member = make_abc({{"members", {"a", "zebra"}}});
  EXPECT_THROW(unknown_member.fit(testing::fit_on(t)), std::runtime_error);
  // Overlapping tiers, empty names and mixed automatic options: before any data.
  try {
    make_abc({{"tiers", {"a+b", "b+best"}}});
    FAIL() << "overlapping tiers must be rejected";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'b'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(make_abc({{"tiers", {"a+a", "best"}}}), std::invalid_argument);
  EXPECT_THROW(make_abc({{"tiers", {"a+", "best"}}}), std::invalid_argument);
  EXPECT_THROW(make_abc({{"tiers", {"a+b", ""}}}), std::invalid_argument);
  EXPECT_THROW(make_abc({{"tiers", {"a+b", "best"}}, {"members", {"a"}}}), std::invalid_argument);
  EXPECT_THROW(make_abc({{"tiers", {"a+b", "best"}}, {"final_model", "best"}}),
               std::invalid_argument);
}

TEST(Abc, BadOptionsAreConfigErrors) {
  const auto specs = Abc::option_specs();
  EXPECT_THROW(default_options(specs, {{"agreements", {0.0}}}), ConfigError);
  EXPECT_THROW(default_options(specs, {{"agreements", {2.0 / 3, 1.5}}}), ConfigError);
  EXPECT_THROW(default_options(specs, {{"agreements", {-0.5}}}), ConfigError);
  EXPECT_THROW(default_options(specs, {{"tier_size", 1}}), ConfigError);
  EXPECT_THROW(default_options(specs, {{"agreement", 1.0}}), ConfigError);  // unknown key
  EXPECT_NO_THROW(default_options(specs, {{"agreements", {1e-3, 1.0}}}));
  const LogitTable t = tier_table();
  Abc abc = make_abc({{"tier_size", 3}});
  abc.fit(testing::fit_on(t));
  EXPECT_THROW(abc.set_knob(Knob().set("agreement", 0.0)), std::invalid_argument);
  EXPECT_THROW(abc.set_knob(Knob().set("agreement", 1.01)), std::invalid_argument);
}

}  // namespace
}  // namespace lazystack
