// cascade-search: the sorted cumulative-sum sweep against brute-force threshold loops, the
// search's front against every candidate, Meter runs against the fit-time numbers, and a
// hand-computed 3-model zoo (best pair, best triple, improvement factors per band).
#include "methods/cascade_search/cascade_search.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "core/evaluate.h"
#include "core/options.h"
#include "tests/methods/tables.h"

namespace lazystack {
namespace {

CascadeSearch make_search(const nlohmann::json& overrides) {
  return CascadeSearch(default_options(CascadeSearch::option_specs(), overrides));
}

const ConfidenceMetric kMetrics[] = {ConfidenceMetric::kMaxProb, ConfidenceMetric::kMargin,
                                     ConfidenceMetric::kEntropy, ConfidenceMetric::kLogitMargin};

// A random zoo with many tied confidences: small integer logits, the label's logit boosted
// more often for the dearer models. Zoo order is not cost order. With `sample_costs`, each
// sample's cost varies around the model's.
LogitTable random_table(int n, uint64_t seed, bool sample_costs = false) {
  const int num_models = 4, num_classes = 5;
  const double costs[num_models] = {15.0, 1.0, 60.0, 4.0};
  const double skill[num_models] = {0.6, 0.3, 0.75, 0.45};
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> cls(0, num_classes - 1), logit(0, 3);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<int32_t> labels(n);
  for (auto& y : labels) y = cls(rng);
  LogitTable t({"m15", "m1", "m60", "m4"}, n, num_classes);
  std::vector<double> per_sample;
  for (int m = 0; m < num_models; ++m) {
    std::vector<float> logits(static_cast<size_t>(n) * num_classes);
    for (int i = 0; i < n; ++i) {
      for (int c = 0; c < num_classes; ++c) logits[i * num_classes + c] = logit(rng);
      if (unit(rng) < skill[m]) logits[i * num_classes + labels[i]] += 3.0f;
      per_sample.push_back(costs[m] * (0.5 + unit(rng)));
    }
    t.set_logits(m, logits.data());
  }
  t.set_labels(labels);
  t.set_costs(std::vector<double>(costs, costs + num_models));
  if (sample_costs) t.set_sample_costs(per_sample);
  return t;
}

float conf_of(const LogitTable& t, ConfidenceMetric metric, int m, int n) {
  return confidence(metric, t.probs(m, n).data, t.log_probs(m, n).data, t.num_classes());
}

// A cascade's accuracy and mean cost, sample by sample, straight from the table.
CostAccuracy brute_force(const LogitTable& t, ConfidenceMetric metric,
                         const std::vector<int>& models, const std::vector<double>& thresholds) {
  int right = 0;
  double cost = 0.0;
  for (int n = 0; n < t.num_samples(); ++n) {
    for (size_t j = 0; j < models.size(); ++j) {
      cost += t.cost(models[j], n);
      if (j + 1 == models.size() || conf_of(t, metric, models[j], n) >= thresholds[j]) {
        right += argmax(t.probs(models[j], n)) == t.labels()[n];
        break;
      }
    }
  }
  return {cost / t.num_samples(), static_cast<double>(right) / t.num_samples()};
}

// Distinct confidences of model m, descending.
std::vector<double> distinct_confidences(const LogitTable& t, ConfidenceMetric metric, int m) {
  std::vector<double> v;
  for (int n = 0; n < t.num_samples(); ++n) v.push_back(conf_of(t, metric, m, n));
  std::sort(v.rbegin(), v.rend());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

TEST(CascadeSearch, SortedSweepEqualsBruteForceThresholdLoop) {
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    for (bool sample_costs : {false, true}) {
      const LogitTable t = random_table(150, seed, sample_costs);
      for (ConfidenceMetric metric : kMetrics) {
        const CascadeData data = cascade_data(t, metric);
        for (int a = 0; a < t.num_models(); ++a) {
          const std::vector<int> order = order_by_confidence(data, a);
          const std::vector<double> u = distinct_confidences(t, metric, a);
          for (int b = 0; b < t.num_models(); ++b) {
            if (a == b) continue;
            SCOPED_TRACE(::testing::Message() << "seed " << seed << " " << to_string(metric)
                                              << " pair " << a << ">" << b);
            const auto sweep = sweep_final_pair(data, a, b, order, 0.0, 0.0);
            // One point per cut between distinct confidences: exit iff conf >= u[i].
            ASSERT_EQ(sweep.size(), u.size() - 1);
            for (size_t i = 0; i < sweep.size(); ++i) {
              EXPECT_LE(sweep[i].threshold, u[i]);
              EXPECT_GT(sweep[i].threshold, u[i + 1]);
              const CostAccuracy want = brute_force(t, metric, {a, b}, {u[i]});
              EXPECT_DOUBLE_EQ(sweep[i].point.accuracy, want.accuracy);
              EXPECT_NEAR(sweep[i].point.cost, want.cost, 1e-9 * want.cost);
              const CostAccuracy at_t = brute_force(t, metric, {a, b}, {sweep[i].threshold});
              EXPECT_DOUBLE_EQ(at_t.accuracy, want.accuracy);
            }
          }
        }
      }
    }
  }
}

TEST(CascadeSearch, ThreeModelSweepsEqualBruteForce) {
  const LogitTable t = random_table(200, 7, /*sample_costs=*/true);
  for (ConfidenceMetric metric : {ConfidenceMetric::kMaxProb, ConfidenceMetric::kMargin}) {
    const CascadeData data = cascade_data(t, metric);
    const std::vector<int> order_b = order_by_confidence(data, 3);
    // Triple m1 > m4 > m15 (indices 1, 3, 0): every t1 of the grid, every t2 of the sweep.
    size_t swept = 0;
    for (double t1 : quantile_thresholds(data.confidence[1], 9)) {
      std::vector<int> forwarded;
      double right_a = 0.0, cost_a = 0.0;
      for (int n = 0; n < t.num_samples(); ++n) cost_a += t.cost(1, n);
      for (int s : order_b) {
        if (conf_of(t, metric, 1, s) >= t1)
          right_a += argmax(t.probs(1, s)) == t.labels()[s];
        else
          forwarded.push_back(s);
      }
      const auto sweep = sweep_final_pair(data, 3, 0, forwarded, right_a, cost_a);
      swept += sweep.size();  // empty when t1 is the lowest confidence: everyone exits
      for (const auto& p : sweep) {
        const CostAccuracy want = brute_force(t, metric, {1, 3, 0}, {t1, p.threshold});
        EXPECT_DOUBLE_EQ(p.point.accuracy, want.accuracy);
        EXPECT_NEAR(p.point.cost, want.cost, 1e-9 * want.cost);
      }
    }
    EXPECT_GT(swept, 10u);
    // And every setting the search keeps, for every cascade.
    const SearchResult search = search_cascades(data, {1, 3, 0, 2}, 3, 9);
    EXPECT_EQ(search.cascades.size(), 4u + 6u + 4u);
    for (const auto& cf : search.cascades)
      for (const auto& c : cf.front) {
        const CostAccuracy want = brute_force(t, metric, c.cascade.models, c.cascade.thresholds);
        EXPECT_DOUBLE_EQ(c.val_fit.accuracy, want.accuracy);
        EXPECT_NEAR(c.val_fit.cost, want.cost, 1e-9 * want.cost);
      }
  }
}

bool dominates(const CostAccuracy& q, const CostAccuracy& p) {
  const double eps = 1e-9;
  return q.cost <= p.cost + eps && q.accuracy >= p.accuracy &&
         (q.cost < p.cost - eps || q.accuracy > p.accuracy);
}

TEST(CascadeSearch, FrontIsNonDominatedAndCoversEveryPairAndSingle) {
  const LogitTable t = random_table(300, 11);
  const ConfidenceMetric metric = ConfidenceMetric::kMaxProb;
  CascadeSearch search = make_search({{"max_models", 2}, {"max_front", 100000}});
  search.fit(testing::fit_on(t));
  const auto& front = search.front();
  ASSERT_EQ(static_cast<int>(front.size()), search.full_front_size());
  for (size_t i = 1; i < front.size(); ++i) {
    EXPECT_LT(front[i - 1].val_fit.cost, front[i].val_fit.cost);
    EXPECT_LT(front[i - 1].val_fit.accuracy, front[i].val_fit.accuracy);
  }
  // Every candidate by brute force: single models and every pair (cheaper first) at every
  // threshold a val_fit confidence allows.
  std::vector<CostAccuracy> all;
  const std::vector<int> by_cost = {1, 3, 0, 2};
  for (int m : by_cost) all.push_back(brute_force(t, metric, {m}, {}));
  for (size_t i = 0; i < by_cost.size(); ++i)
    for (size_t j = i + 1; j < by_cost.size(); ++j)
      for (double u : distinct_confidences(t, metric, by_cost[i]))
        all.push_back(brute_force(t, metric, {by_cost[i], by_cost[j]}, {u}));
  for (const auto& p : front) {
    for (const auto& q : all) ASSERT_FALSE(dominates(q, p.val_fit));
  }
  for (const auto& q : all) {
    bool covered = false;
    for (const auto& p : front)
      covered |= p.val_fit.cost <= q.cost + 1e-9 && p.val_fit.accuracy >= q.accuracy;
    EXPECT_TRUE(covered) << q.cost << " " << q.accuracy;
  }
  for (const auto& p : front) EXPECT_LE(p.cascade.models.size(), 2u);
}

TEST(CascadeSearch, ThreeModelFrontIsNonDominatedAmongAllCandidates) {
  const LogitTable t = random_table(300, 12);
  const CascadeData data = cascade_data(t, ConfidenceMetric::kMargin);
  const SearchResult search = search_cascades(data, {1, 3, 0, 2}, 3, 20);
  for (const auto& p : search.front)
    for (const auto& cf : search.cascades)
      for (const auto& q : cf.front) ASSERT_FALSE(dominates(q.val_fit, p.val_fit));
  EXPECT_GT(search.points_evaluated, 4 + 6 * 10);
}

TEST(CascadeSearch, MeterRunsReproduceTheSearchOnValFitAndValCal) {
  const LogitTable val_fit = random_table(300, 21, /*sample_costs=*/true);
  const LogitTable val_cal = random_table(250, 22, /*sample_costs=*/true);
  for (const char* metric : {"max-prob", "logit-margin"}) {
    SCOPED_TRACE(metric);
    CascadeSearch search = make_search({{"confidence", metric}, {"max_front", 25}});
    search.fit(FitContext{val_fit, val_cal, CostModel::kSequential, 0, "", ""});
    const auto knobs = search.grid();
    ASSERT_EQ(knobs.size(), search.front().size());
    ASSERT_LE(knobs.size(), 25u);
    const auto on_fit = sweep(search, val_fit, EvalOptions{});
    const auto on_cal = sweep(search, val_cal, EvalOptions{});
    const auto diag = search.diagnostics()["improvement"]["front"];
    ASSERT_EQ(diag.size(), knobs.size());
    bool any_triple = false;
    for (size_t i = 0; i < knobs.size(); ++i) {
      SCOPED_TRACE(knobs[i].to_string());
      const auto& c = search.front()[i];
      any_triple |= c.cascade.models.size() == 3;
      EXPECT_DOUBLE_EQ(on_fit[i].accuracy, c.val_fit.accuracy);
      EXPECT_NEAR(on_fit[i].mean_cost, c.val_fit.cost, 1e-9 * c.val_fit.cost);
      EXPECT_DOUBLE_EQ(on_cal[i].accuracy, diag[i]["val_cal_accuracy"].get<double>());
      EXPECT_NEAR(on_cal[i].mean_cost, diag[i]["val_cal_cost"].get<double>(), 1e-6);
      EXPECT_EQ(knobs[i].label, diag[i]["label"].get<std::string>());
    }
    EXPECT_TRUE(any_triple);
  }
}

TEST(CascadeSearch, ThinningKeepsBothEndsAndSpreadsInLogCost) {
  std::vector<CostAccuracy> front;
  for (int i = 0; i <= 100; ++i) front.push_back({std::pow(10.0, i / 10.0), 0.5 + i * 0.001});
  EXPECT_EQ(thin_evenly_in_log_cost(front, 11),
            (std::vector<int>{0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100}));
  EXPECT_EQ(thin_evenly_in_log_cost(front, 200).size(), 101u);
  EXPECT_EQ(thin_evenly_in_log_cost(front, 2), (std::vector<int>{0, 100}));

  const LogitTable t = random_table(300, 31);
  CascadeSearch all = make_search({{"max_front", 100000}});
  all.fit(testing::fit_on(t));
  CascadeSearch few = make_search({{"max_front", 4}});
  few.fit(testing::fit_on(t));
  ASSERT_GT(all.front().size(), 4u);
  ASSERT_LE(few.front().size(), 4u);
  EXPECT_DOUBLE_EQ(few.front().front().val_fit.cost, all.front().front().val_fit.cost);
  EXPECT_DOUBLE_EQ(few.front().back().val_fit.accuracy, all.front().back().val_fit.accuracy);
}

TEST(CascadeSearch, ImprovementBandsByHand) {
  // Single front (cost, accuracy): (1, .6), (10, .8), (100, 1.0); two bands [.6, .8), [.8, 1].
  const std::vector<CostAccuracy> singles = {{1, .6}, {10, .8}, {100, 1.0}};
  const std::vector<CostAccuracy> points = {{2, .7}, {3, .7},    {50, .95},
                                            {1, .5}, {200, 1.0}, {10, 1.2}};
  const auto bands = improvement_bands(singles, points, 2);
  ASSERT_EQ(bands.size(), 2u);
  // At .7 the baseline runs (1, .6) or (10, .8) at random, half each: cost 5.5.
  EXPECT_EQ(bands[0].points, (std::vector<int>{0, 1}));
  EXPECT_NEAR(bands[0].max_factor, 5.5 / 2, 1e-12);
  EXPECT_NEAR(bands[0].median_factor, (5.5 / 2 + 5.5 / 3) / 2, 1e-12);
  EXPECT_EQ(bands[0].best, 0);
  // At .95: 10 + .75 * 90 = 77.5; at 1.0: 100. Accuracies .5 and 1.2 are outside the range.
  EXPECT_EQ(bands[1].points, (std::vector<int>{2, 4}));
  EXPECT_NEAR(bands[1].max_factor, 77.5 / 50, 1e-12);
  EXPECT_NEAR(bands[1].median_factor, (77.5 / 50 + 0.5) / 2, 1e-12);
  EXPECT_DOUBLE_EQ(bands[1].accuracy_lo, 0.8);
  EXPECT_DOUBLE_EQ(bands[1].accuracy_hi, 1.0);
}

// Ten samples, two classes; listed out of cost order. Max-probs (right / wrong):
//   small (cost 1):   s0-s5 .9 right, s6-s9 .6 wrong        accuracy .6
//   mid   (cost 10):  s0-s7 .9 right, s8-s9 .6 wrong        accuracy .8
//   big   (cost 100): all .9 right                          accuracy 1.0
// Pairs at their one useful cut (between .6 and .9): small>mid (5, .8): 10 / 5 = 2x;
// small>big (1 + .4 * 100 = 41, 1.0): 100 / 41 = 2.44x; mid>big (10 + .2 * 100 = 30, 1.0): 3.33x,
// the best pair. Triple small>mid>big at t1 = .9: s6, s7 exit at mid, s8, s9 reach big:
// (1 + .4 * 10 + .2 * 100 = 25, 1.0): 4x. Front: small, small>mid, small>mid>big.
LogitTable hand_table() {
  const std::vector<int32_t> labels = {0, 1, 0, 1, 0, 1, 0, 1, 0, 1};
  auto model = [&](int right_until, float right_p, float wrong_p) {
    std::vector<std::vector<float>> rows;
    for (int i = 0; i < 10; ++i) {
      const bool right = i < right_until;
      const float p = right ? right_p : wrong_p;
      const int said = right ? labels[i] : 1 - labels[i];
      rows.push_back(said == 0 ? std::vector<float>{p, 1 - p} : std::vector<float>{1 - p, p});
    }
    return rows;
  };
  return testing::table_from_probs({"big", "small", "mid"}, {100.0, 1.0, 10.0}, labels,
                                   {model(10, .9f, .9f), model(6, .9f, .6f), model(8, .9f, .6f)});
}

TEST(CascadeSearch, HandMadeZooBestPairAndTriple) {
  const LogitTable t = hand_table();
  CascadeSearch search = make_search({{"bands", 3}});
  search.fit(testing::fit_on(t));
  const auto& front = search.front();
  ASSERT_EQ(front.size(), 3u);
  EXPECT_EQ(front[0].cascade.models, (std::vector<int>{1}));
  EXPECT_EQ(front[1].cascade.models, (std::vector<int>{1, 2}));
  EXPECT_EQ(front[2].cascade.models, (std::vector<int>{1, 2, 0}));
  EXPECT_NEAR(front[1].cascade.thresholds[0], 0.75, 1e-6);
  EXPECT_NEAR(front[2].cascade.thresholds[0], 0.9, 1e-6);
  EXPECT_NEAR(front[2].cascade.thresholds[1], 0.75, 1e-6);
  EXPECT_NEAR(front[1].val_fit.cost, 5.0, 1e-12);
  EXPECT_DOUBLE_EQ(front[1].val_fit.accuracy, 0.8);
  EXPECT_NEAR(front[2].val_fit.cost, 25.0, 1e-12);
  EXPECT_DOUBLE_EQ(front[2].val_fit.accuracy, 1.0);
  const auto knobs = search.grid();
  EXPECT_EQ(knobs[0].label, "small");
  EXPECT_EQ(knobs[1].label, "small>mid@0.75");
  EXPECT_EQ(knobs[2].label, "small>mid>big@0.9,0.75");

  const auto imp = search.diagnostics()["improvement"];
  EXPECT_EQ(imp["split"], "val_cal");
  ASSERT_EQ(imp["single_front"].size(), 3u);
  const auto& f = imp["front"];
  EXPECT_NEAR(f[0]["improvement"].get<double>(), 1.0, 1e-9);
  EXPECT_NEAR(f[1]["improvement"].get<double>(), 2.0, 1e-9);
  EXPECT_NEAR(f[2]["improvement"].get<double>(), 4.0, 1e-9);
  EXPECT_NEAR(f[2]["baseline_cost"].get<double>(), 100.0, 1e-9);

  EXPECT_EQ(imp["best_2_model"]["label"], "mid>big@0.75");
  EXPECT_NEAR(imp["best_2_model"]["improvement"].get<double>(), 100.0 / 30, 1e-9);
  EXPECT_EQ(imp["best_3_model"]["label"], "small>mid>big@0.9,0.75");
  EXPECT_NEAR(imp["best_3_model"]["improvement"].get<double>(), 4.0, 1e-9);

  // Bands of width .4 / 3: small (.6) in the first, small>mid (.8) in the second, the triple
  // (1.0) in the last; the best pair per band: none, small>mid, mid>big.
  const auto& bands = imp["bands"];
  ASSERT_EQ(bands.size(), 3u);
  EXPECT_EQ(bands[0]["front_points"], 1);
  EXPECT_NEAR(bands[0]["max_improvement"].get<double>(), 1.0, 1e-9);
  EXPECT_TRUE(bands[0]["best_2_model"].is_null());
  EXPECT_EQ(bands[1]["best_front_point"], "small>mid@0.75");
  EXPECT_NEAR(bands[1]["median_improvement"].get<double>(), 2.0, 1e-9);
  EXPECT_EQ(bands[1]["best_2_model"]["label"], "small>mid@0.75");
  EXPECT_NEAR(bands[2]["max_improvement"].get<double>(), 4.0, 1e-9);
  EXPECT_EQ(bands[2]["best_2_model"]["label"], "mid>big@0.75");
  EXPECT_EQ(bands[2]["best_3_model"]["label"], "small>mid>big@0.9,0.75");

  // Through the Meter: the triple runs small everywhere, mid on s6-s9, big on s8-s9.
  search.set_knob(knobs[2]);
  SampleDecisions d;
  const OperatingPoint p = evaluate(search, t, EvalOptions{}, &d);
  EXPECT_DOUBLE_EQ(p.accuracy, 1.0);
  EXPECT_DOUBLE_EQ(p.mean_cost, 25.0);
  EXPECT_EQ(d.cost, (std::vector<float>{1, 1, 1, 1, 1, 1, 11, 11, 111, 111}));
}

TEST(CascadeSearch, PairsOnlyWithMaxModelsTwo) {
  const LogitTable t = hand_table();
  CascadeSearch search = make_search({{"max_models", 2}});
  search.fit(testing::fit_on(t));
  for (const auto& c : search.front()) EXPECT_LE(c.cascade.models.size(), 2u);
  const auto diag = search.diagnostics();
  EXPECT_EQ(diag["search"]["triples"], 0);
  EXPECT_EQ(diag["search"]["pairs"], 3);
  EXPECT_TRUE(diag["improvement"]["best_3_model"].is_null());
  EXPECT_EQ(diag["improvement"]["best_2_model"]["label"], "mid>big@0.75");
}

TEST(CascadeSearch, MembersRestrictTheSearch) {
  const LogitTable t = hand_table();
  CascadeSearch search = make_search({{"members", {"big", "small"}}});
  search.fit(testing::fit_on(t));
  for (const auto& c : search.front())
    for (int m : c.cascade.models) EXPECT_NE(m, 2);
  EXPECT_EQ(search.diagnostics()["search"]["pairs"], 1);

  CascadeSearch unknown = make_search({{"members", {"huge", "small"}}});
  EXPECT_THROW(unknown.fit(testing::fit_on(t)), std::runtime_error);
  CascadeSearch lonely = make_search({{"members", {"small"}}});
  EXPECT_THROW(lonely.fit(testing::fit_on(t)), std::runtime_error);
}

TEST(CascadeSearch, BadKnobsAndOptionsAreRejected) {
  const auto specs = CascadeSearch::option_specs();
  EXPECT_THROW(default_options(specs, {{"confidence", "vibes"}}), ConfigError);
  EXPECT_THROW(default_options(specs, {{"max_models", 1}}), ConfigError);
  EXPECT_THROW(default_options(specs, {{"max_models", 4}}), ConfigError);
  EXPECT_THROW(default_options(specs, {{"grid_size", 0}}), ConfigError);
  EXPECT_THROW(default_options(specs, {{"max_front", 1}}), ConfigError);
  EXPECT_THROW(default_options(specs, {{"bands", 0}}), ConfigError);
  EXPECT_THROW(default_options(specs, {{"max_front", "many"}}), ConfigError);
  EXPECT_THROW(default_options(specs, {{"threshold", 0.5}}), ConfigError);  // unknown key

  const LogitTable t = hand_table();
  CascadeSearch search = make_search({});
  search.fit(testing::fit_on(t));
  EXPECT_THROW(search.set_knob(Knob().set("m1", 3)), std::invalid_argument);
  EXPECT_THROW(search.set_knob(Knob().set("m1", 0.5)), std::invalid_argument);
  EXPECT_THROW(search.set_knob(Knob().set("m1", 1).set("m2", 2)), std::invalid_argument);
  EXPECT_THROW(search.set_knob(Knob().set("m1", 1).set("m2", 1).set("t1", .5)),
               std::invalid_argument);
  EXPECT_THROW(search.set_knob(Knob().set("t1", .5)), std::invalid_argument);
  EXPECT_NO_THROW(search.set_knob(Knob().set("m1", 1).set("m2", 0).set("t1", .5)));
}

}  // namespace
}  // namespace lazystack
